package dev.lockstep.cli;

import dev.lockstep.journal.LocalClock;
import dev.lockstep.journal.StateDir;
import dev.lockstep.secret.Redactor;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/** The one place where an exception becomes what the user sees and an exit code. */
final class ErrorHandler {
    private ErrorHandler() {}

    /** As many problems as a compiler shows before it stops listing them. */
    static final int PROBLEMS_SHOWN = 100;
    private static final DateTimeFormatter CRASH_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    static int handle(Throwable ex, PrintStream err, Cli cli) {
        Redactor redactor = cli.redactor();
        if (ex instanceof LockstepException le) {
            print(err, le.code(), cli.hint(redactor.redact(le.getMessage())));
            return le.code().exitCode();
        }
        IOException io = ex instanceof UncheckedIOException u ? u.getCause() : ex instanceof IOException e ? e : null;
        if (io != null) {
            // A full disk or a file that vanished is the machine's trouble, not a bug: say which file and why.
            print(err, ErrorCode.IO, redactor.redact(describe(io)));
            return ErrorCode.IO.exitCode();
        }
        if (ex instanceof OutOfMemoryError) {
            long heapMb = Runtime.getRuntime().maxMemory() >> 20;
            err.println("lockstep: internal error: out of memory (" + redactor.redact(String.valueOf(ex.getMessage()))
                    + ", at most " + heapMb + " MB of heap; the launcher takes more from LOCKSTEP_JAVA_OPTS=-Xmx...)");
        } else {
            err.println("lockstep: internal error: " + redactor.redact(String.valueOf(ex)));
        }
        Path report = crashReport(ex, redactor, cli.env);
        err.println("This is a bug in lockstep. The journal is consistent: the run can be resumed."
                + (report != null ? " What went wrong, for a bug report: " + report : ""));
        return ErrorCode.INTERNAL.exitCode();
    }

    /**
     * The stack trace of a bug, for its report: written to a private file under the user's cache
     * folder rather than onto the operator's screen, redacted as everything else. Null when it
     * cannot be written; the message already said what happened.
     */
    static Path crashReport(Throwable ex, Redactor redactor, Map<String, String> env) {
        StringWriter trace = new StringWriter();
        ex.printStackTrace(new PrintWriter(trace));
        String text = "lockstep " + Cli.version() + ", Java " + System.getProperty("java.version") + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "\n" + redactor.redact(trace.toString());
        String cache = env.get("XDG_CACHE_HOME");
        // The XDG rule: a relative XDG_CACHE_HOME is ignored (a report must not land in the folder lockstep runs in).
        Path dir = (cache != null && Path.of(cache).isAbsolute() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("lockstep").resolve("crashes");
        Path file = dir.resolve("crash-" + CRASH_STAMP.format(LocalClock.now()) + "-" + ProcessHandle.current().pid() + ".txt");
        try {
            StateDir.writePrivate(file, text);
            return file;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String describe(IOException e) {
        String what = e.getMessage() != null ? e.getMessage() : "a file";
        if (e instanceof NoSuchFileException) return "no such file or folder: " + what;
        if (e instanceof AccessDeniedException) return "permission denied: " + what;
        if (e instanceof FileAlreadyExistsException) return "already exists: " + what;
        return "input/output error: " + what;
    }

    /** The first problems of a file, enough to start fixing it; the rest counted, never thousands of lines. */
    static void printProblems(PrintStream err, List<?> problems) {
        List<?> shown = shown(problems);
        for (Object p : shown) err.println(p);
        if (shown.size() < problems.size()) {
            err.println("... and " + (problems.size() - shown.size()) + " more not shown (all of them: lockstep validate --output json)");
        }
    }

    static <T> List<T> shown(List<T> problems) {
        return problems.subList(0, Math.min(problems.size(), PROBLEMS_SHOWN));
    }

    static void print(PrintStream err, ErrorCode code, String message) {
        String[] lines = message.split("\n");
        if (code == ErrorCode.INVALID_RUNBOOK) {
            printProblems(err, List.of(lines));
            err.println("lockstep: " + lines.length + " problem" + (lines.length == 1 ? "" : "s") + " found ("
                    + code.name() + ")");
            return;
        }
        err.println("lockstep: " + message + " (" + code.name() + ")");
    }
}
