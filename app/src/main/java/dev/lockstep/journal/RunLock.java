package dev.lockstep.journal;

import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;

/**
 * Makes sure one process starts or drives a runbook's runs at a time. The operating
 * system's file lock does the excluding; the file's content names the holder for the
 * message. It is one of two locks: the journal of a run is locked too, so a lock file
 * deleted under a driver does not let a second process drive the same run.
 */
public final class RunLock implements AutoCloseable {
    private final LockedFile file;
    private final String staleNote;

    private RunLock(LockedFile file, String staleNote) {
        this.file = file;
        this.staleNote = staleNote;
    }

    public static RunLock acquire(Path path, String command) {
        try {
            StateDir.createPrivateDirectories(path.getParent());
            Optional<LockedFile> locked = LockedFile.tryLock(path, true);
            if (locked.isEmpty()) throw held(path);
            FileChannel ch = locked.get().channel();
            try {
                Map<String, Object> previous = LockOwner.read(ch);
                String stale = LockOwner.isGone(previous)
                        ? "took over the lock left by " + LockOwner.describe(previous) + ", which is no longer running"
                        : null;
                LockOwner.write(ch, command);
                return new RunLock(locked.get(), stale);
            } catch (IOException | RuntimeException e) {
                locked.get().close();
                throw e;
            }
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot use lock file " + path + ": " + e.getMessage());
        }
    }

    private static LockstepException held(Path path) throws IOException {
        Optional<LockedFile> here = LockedFile.heldHere(path);
        String holder = here.isPresent() ? LockOwner.describe(here.get().channel()) : describeHolder(path);
        return new LockstepException(ErrorCode.LOCK_HELD, "another lockstep process is driving this runbook: "
                + holder + "; wait for it to finish or stop it (the run stays resumable)");
    }

    private static String describeHolder(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return LockOwner.describe(ch);
        }
    }

    /** Set when a lock left by a process that died was taken over. */
    public Optional<String> staleNote() {
        return Optional.ofNullable(staleNote);
    }

    @Override
    public void close() {
        try {
            file.channel().truncate(0);
            file.close();
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot release lock " + file.path() + ": " + e.getMessage());
        }
    }
}
