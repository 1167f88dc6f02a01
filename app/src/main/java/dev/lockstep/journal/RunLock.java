package dev.lockstep.journal;

import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Makes sure one process drives a runbook's runs at a time. The operating system's
 * file lock does the excluding (it dies with its process, so a kill -9 never leaves
 * a lock that blocks forever); the file's content names the holder for the message.
 */
public final class RunLock implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final String staleNote;

    private RunLock(Path file, FileChannel channel, FileLock lock, String staleNote) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.staleNote = staleNote;
    }

    public static RunLock acquire(Path file, String command) {
        try {
            Files.createDirectories(file.getParent());
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                String holder = describe(readHolder(ch));
                ch.close();
                throw new LockstepException(ErrorCode.LOCK_HELD, "another lockstep process is driving this runbook: "
                        + holder + "; wait for it to finish or stop it (the run stays resumable)");
            }
            Map<String, Object> previous = readHolder(ch);
            String stale = null;
            if (previous != null && previous.get("pid") instanceof Number pid) {
                stale = "took over the lock left by " + describe(previous) + ", which is no longer running";
                if (ProcessHandle.of(pid.longValue()).isPresent() && sameHost(previous)) {
                    stale = null;
                }
            }
            Map<String, Object> me = new LinkedHashMap<>();
            me.put("pid", ProcessHandle.current().pid());
            me.put("host", Identity.host());
            me.put("since", Instant.now().toString());
            me.put("command", command);
            byte[] content = Json.write(me).getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(content), 0);
            ch.force(true);
            return new RunLock(file, ch, lock, stale);
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot use lock file " + file + ": " + e.getMessage());
        }
    }

    /** Set when a lock left by a process that died was taken over. */
    public Optional<String> staleNote() {
        return Optional.ofNullable(staleNote);
    }

    private static boolean sameHost(Map<String, Object> holder) {
        return Identity.host().equals(holder.get("host"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readHolder(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size == 0 || size > 4096) return null;
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        ch.read(buf, 0);
        try {
            return (Map<String, Object>) Json.parse(new String(buf.array(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String describe(Map<String, Object> holder) {
        if (holder == null) return "a process that has not written its name yet";
        return "pid " + holder.get("pid") + " on " + holder.get("host") + " since " + holder.get("since")
                + " (" + holder.get("command") + ")";
    }

    @Override
    public void close() {
        try {
            channel.truncate(0);
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot release lock " + file + ": " + e.getMessage());
        }
    }
}
