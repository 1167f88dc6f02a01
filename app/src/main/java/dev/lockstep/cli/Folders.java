package dev.lockstep.cli;

import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
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

    /**
     * A file option's value is not a folder, refused as usage (exit 2) before anything is done with it (an empty
     * value is refused as it is parsed: {@link CommandModel#nonEmpty}).
     */
    static void requireFileName(Path file, String option) {
        if (Files.isDirectory(file)) throw new LockstepException(ErrorCode.USAGE, option + " " + file + ": expected a file, but it is a folder");
    }

    /**
     * A file to write, named by an option: a file name in a folder that exists. lockstep makes no folder for its
     * output (a mistyped path, run as root, would make folders anywhere); usage (exit 2), before anything is done.
     */
    static void requireOutputFile(Path file, String option) {
        requireFileName(file, option);
        Path folder = file.toAbsolutePath().getParent();
        if (folder != null && !Files.isDirectory(folder)) {
            String why = Files.exists(folder) ? " is not a folder"
                    : " does not exist (lockstep makes no folders for its output: make it first)";
            throw new LockstepException(ErrorCode.USAGE, option + " " + file + ": the folder " + folder + why);
        }
    }
}
