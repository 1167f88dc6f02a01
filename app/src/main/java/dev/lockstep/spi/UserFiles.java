package dev.lockstep.spi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Files a user names (a runbook, a parameters file, a saved plan, a template, a kubeconfig, a password
 * file), read without waiting for ever: a regular file, or a pipe a program writes into ({@code <(program)},
 * a pipe on {@code /dev/stdin}). A named pipe (FIFO) waits for a writer when opened, for ever if none comes,
 * and a device ({@code /dev/tty}) may wait as long: both are refused before they are opened.
 */
public final class UserFiles {
    private UserFiles() {}

    /** Why {@code file} must not be opened, or null when it may be (it may also not exist: opening it says so). */
    public static String refusal(Path file) {
        if (Files.isDirectory(file)) return "it is a folder, expected a file";
        if (Files.exists(file) && !Files.isRegularFile(file) && !isProgramPipe(file)) {
            return "it is " + kind(file) + ", and reading it could wait for ever; expected a regular file (a program's output: <(program))";
        }
        return null;
    }

    /** At most {@code maxBytes} bytes of {@code file} as UTF-8; more is refused, as is a file {@link #refusal} refuses. */
    public static String readString(Path file, int maxBytes) throws IOException {
        String why = refusal(file);
        if (why != null) throw new IOException(why);
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(maxBytes + 1);
        }
        if (bytes.length > maxBytes) throw new IOException("larger than " + maxBytes + " bytes");
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Why reading a file failed, in words ("no such file"), not the path that {@link IOException#getMessage} often is. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file";
        if (e instanceof AccessDeniedException) return "permission denied";
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String kind(Path file) {
        try {
            int type = (Integer) Files.getAttribute(file, "unix:mode") & 0170000;
            return type == 0010000 ? "a named pipe (FIFO)" : type == 0140000 ? "a socket" : "a device";
        } catch (IOException | UnsupportedOperationException e) {
            return "not a regular file";
        }
    }

    /** Whether a path leads, through /dev/fd or /proc/self/fd, to one end of a pipe: Linux names it pipe:[inode]. */
    private static boolean isProgramPipe(Path file) {
        Path at = file;
        try {
            // A bound on the links followed: a loop of links ends here rather than in the kernel's ELOOP.
            for (int links = 0; links < 40 && Files.isSymbolicLink(at); links++) {
                Path target = Files.readSymbolicLink(at);
                if (target.toString().startsWith("pipe:[")) return true;
                at = at.toAbsolutePath().getParent().resolve(target);
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
