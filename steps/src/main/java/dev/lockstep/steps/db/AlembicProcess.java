package dev.lockstep.steps.db;

import dev.lockstep.spi.StepContext;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One run of the project's {@code alembic} executable, its output streamed to the step's log as it comes. */
final class AlembicProcess {
    /** A revision line of current/heads: "abc123 (head)", "add_sqs_metadata (head) (mergepoint)". */
    private static final Pattern REVISION_LINE = Pattern.compile("^([0-9A-Za-z_]+)(\\s+\\(.*\\))*\\s*$");
    /** Errors are kept for messages only: the last lines are the ones that say what went wrong. */
    private static final int KEPT_ERROR_LINES = 200;

    private AlembicProcess() {}

    /** Its exit code, its standard output, and the last lines of its standard error. */
    record Result(int exit, String stdout, List<String> errors) {
        String lastError() {
            for (int i = errors.size() - 1; i >= 0; i--) if (!errors.get(i).isBlank()) return errors.get(i).strip();
            return null;
        }

        String failure(String what) {
            return "alembic " + what + " exited " + exit + (lastError() != null ? ": " + lastError() : "");
        }

        /** The revisions of a current or heads listing, in its order. */
        List<String> revisions() {
            List<String> out = new ArrayList<>();
            for (String line : stdout.split("\n")) {
                Matcher m = REVISION_LINE.matcher(line.strip());
                if (m.matches()) out.add(m.group(1));
            }
            return out;
        }
    }

    /** The executable as a runbook gives it: a name looked up on PATH, or a path relative to the runbook's folder. */
    static String resolve(String executable, Path workDir) {
        return executable.contains("/") ? workDir.resolve(executable).normalize().toString() : executable;
    }

    static Result run(List<String> args, Path dir, Map<String, String> env, StepContext ctx) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(args).directory(dir.toFile());
        pb.environment().putAll(env);
        pb.redirectInput(new File("/dev/null"));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot start " + args.get(0) + " (is Alembic installed, or give with.executable): " + e.getMessage(), e);
        }
        StringBuilder out = new StringBuilder();
        Deque<String> errors = new ArrayDeque<>();
        Thread o = pump(p.getInputStream(), ctx, line -> out.append(line).append('\n'), out);
        Thread e = pump(p.getErrorStream(), ctx, line -> {
            if (errors.size() == KEPT_ERROR_LINES) errors.removeFirst();
            errors.addLast(line);
        }, errors);
        try {
            int exit = p.waitFor();
            o.join();
            e.join();
            synchronized (out) {
                synchronized (errors) {
                    return new Result(exit, out.toString(), List.copyOf(errors));
                }
            }
        } catch (InterruptedException ex) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw ex;
        }
    }

    private static Thread pump(InputStream in, StepContext ctx, Consumer<String> keep, Object lock) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lock) {
                        keep.accept(line);
                    }
                    ctx.line(line);
                }
            } catch (IOException e) {
                ctx.note("alembic's output closed: " + e.getMessage());
            }
        }, "alembic-" + ctx.stepId());
        t.setDaemon(true);
        t.start();
        return t;
    }
}
