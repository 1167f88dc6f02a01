package dev.lockstep.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An open file this process holds the operating system's exclusive lock on. The lock
 * dies with the process, so a kill -9 never leaves a lock that blocks forever.
 *
 * <p>POSIX drops all of a process's locks on a file when any descriptor of that file is
 * closed, so this process must never open and close a held file a second time: every
 * held file is registered here, and readers go through {@link #heldHere} instead.
 */
final class LockedFile implements AutoCloseable {
    private static final Map<Path, LockedFile> HELD = new HashMap<>();

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private LockedFile(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Opens (never following a symbolic link) and locks a file. Empty when another process,
     * or another part of this one, holds it.
     */
    static Optional<LockedFile> tryLock(Path file, boolean create) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        synchronized (HELD) {
            if (HELD.containsKey(key)) return Optional.empty();
            Set<OpenOption> options = new HashSet<>(Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS));
            if (create) options.add(StandardOpenOption.CREATE);
            FileChannel ch = FileChannel.open(key, options, StateDir.PRIVATE_FILE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                return Optional.empty();
            }
            LockedFile f = new LockedFile(key, ch, lock);
            HELD.put(key, f);
            return Optional.of(f);
        }
    }

    /** The held file at this path, if this process holds it. */
    static Optional<LockedFile> heldHere(Path file) {
        synchronized (HELD) {
            return Optional.ofNullable(HELD.get(file.toAbsolutePath().normalize()));
        }
    }

    FileChannel channel() {
        return channel;
    }

    Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        synchronized (HELD) {
            HELD.remove(path, this);
            try {
                if (lock.isValid()) lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
