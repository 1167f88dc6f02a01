package dev.lockstep.cli;

import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks a folder option before use: a file where the folder (or one above it) should be is an error, not "empty". */
final class Folders {
    private Folders() {}

    /** @param what how the user named it, for the message ("--state-dir", say) */
    static void requireFolderOrNothing(Path dir, String what, ErrorCode code) {
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                throw new LockstepException(code, what + " " + dir + ": expected a folder, but "
                        + (p.equals(dir.toAbsolutePath()) ? "it" : p.toString()) + " is a file");
            }
        }
    }

    /** A file option's value: not empty and not a folder, refused as usage (exit 2) before anything is done with it. */
    static void requireFileName(Path file, String option) {
        if (file.toString().isBlank()) throw new LockstepException(ErrorCode.USAGE, option + ": expected a file, got an empty value");
        if (Files.isDirectory(file)) throw new LockstepException(ErrorCode.USAGE, option + " " + file + ": expected a file, but it is a folder");
    }
}
