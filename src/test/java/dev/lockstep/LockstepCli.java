package dev.lockstep;

import dev.lockstep.cli.Main;
import dev.lockstep.engine.Engine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the CLI as a user would, and keeps what it printed: in-process, or, after {@link #inSeparateProcesses()},
 * each command in a JVM of its own (a plan reviewed in one process and run in another, as in daylight and at night).
 */
public final class LockstepCli {
    private final Path stateDir;
    private final List<String> stateOptions;
    private final Map<String, String> env = new HashMap<>(System.getenv());
    private boolean separateProcesses;
    private List<String> jvmOptions = List.of();

    public LockstepCli(Path stateDir) {
        this(stateDir, List.of("--state-dir", stateDir.toString()));
    }

    private LockstepCli(Path stateDir, List<String> stateOptions) {
        this.stateDir = stateDir;
        this.stateOptions = stateOptions;
        env.remove("LOCKSTEP_STATE_DIR");
        env.remove("LOCKSTEP_STATE");
    }

    /** Runs every later command in a JVM of its own, with this environment, as {@link LockstepProcess#command} starts it. */
    public LockstepCli inSeparateProcesses() {
        return inSeparateProcesses(List.of());
    }

    /** As {@link #inSeparateProcesses()}, each JVM started with these options (a heap limit, say). */
    public LockstepCli inSeparateProcesses(List<String> jvmOptions) {
        separateProcesses = true;
        this.jvmOptions = List.copyOf(jvmOptions);
        return this;
    }

    /** Runs commands against a shared store (postgres://…) instead of a folder. */
    public static LockstepCli onStore(String url) {
        return new LockstepCli(null, List.of("--state", url));
    }

    public LockstepCli env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** Runs without this variable, whatever the test's own environment holds. */
    public LockstepCli without(String key) {
        env.remove(key);
        return this;
    }

    public record Result(int exit, String out, String err) {
        public String all() {
            return out + err;
        }
    }

    /**
     * Runs a command; where state lives is added for commands that take it, unless the command names its
     * state folder itself (a hint lockstep printed, run as printed).
     */
    public Result run(String... args) {
        List<String> full = new ArrayList<>(List.of(args));
        if (args.length > 0 && List.of("plan", "run", "resume", "rollback", "runs", "show", "report", "watch", "approve", "reject")
                .contains(args[0])
                && !full.contains("--state-dir")) {
            full.addAll(stateOptions);
        }
        return runAsPrinted(full);
    }

    /** Runs exactly these words, nothing added: a hint as lockstep printed it, where the state is only what it names. */
    public Result runAsPrinted(List<String> args) {
        Result r = separateProcesses ? runInProcessOfItsOwn(List.copyOf(args)) : runInThisProcess(args);
        // Every step a test runs is also a test of its type's contract: its real result fits the shape it declares.
        if (r.all().contains(Engine.MISFIT)) {
            throw new AssertionError("a step type's result does not fit its declared shape in lockstep " + String.join(" ", args)
                    + ":\n" + r.all());
        }
        return r;
    }

    private Result runInThisProcess(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(env, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                args.toArray(String[]::new));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Result runInProcessOfItsOwn(List<String> args) {
        try {
            Path out = Files.createTempFile("lockstep-out", ".txt");
            Path err = Files.createTempFile("lockstep-err", ".txt");
            try {
                ProcessBuilder pb = new ProcessBuilder(LockstepProcess.command(jvmOptions, args.toArray(String[]::new)))
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                pb.environment().clear();
                pb.environment().putAll(env);
                Process p = pb.start();
                p.getOutputStream().close(); // as in-process: standard input is empty
                // Only a guard against a child that hangs: a whole cutover on the emulators ends well within it.
                if (!p.waitFor(10, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new AssertionError("lockstep " + String.join(" ", args) + " did not finish:\n" + Files.readString(out)
                            + Files.readString(err));
                }
                return new Result(p.exitValue(), utf8(Files.readAllBytes(out)), utf8(Files.readAllBytes(err)));
            } finally {
                Files.delete(out);
                Files.delete(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot start lockstep " + String.join(" ", args) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while lockstep " + String.join(" ", args) + " ran", e);
        }
    }

    /** Strict: lockstep prints UTF-8, so equal strings are equal bytes, and anything else fails the test. */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError("lockstep printed bytes that are not UTF-8: " + e, e);
        }
    }

    public Path stateDir() {
        return stateDir;
    }
}
