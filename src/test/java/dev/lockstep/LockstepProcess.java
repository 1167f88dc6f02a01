package dev.lockstep;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts the real CLI in its own JVM, as the launcher would, so tests can kill -9 it. */
public final class LockstepProcess {
    private LockstepProcess() {}

    public static String classpath() throws IOException {
        Path deps = Path.of("target/runtime-classpath.txt");
        if (!Files.exists(deps)) {
            throw new IllegalStateException("target/runtime-classpath.txt is missing: run the tests through Maven");
        }
        return Path.of("target/classes").toAbsolutePath() + File.pathSeparator + Files.readString(deps).trim();
    }

    public static Process start(Path output, String... args) throws IOException {
        return start(output, java.util.Map.of(), args);
    }

    /** Starts the CLI with extra environment variables (AWS endpoint and credentials, say). */
    public static Process start(Path output, java.util.Map<String, String> env, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().remove("LOCKSTEP_STATE_DIR");
        pb.environment().remove("LOCKSTEP_STATE");
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * The command line that starts the CLI. A signal ignored by whoever started the tests
     * (a CI runner, nohup, {@code trap "" INT}) stays ignored in every child, and a JVM that
     * starts with SIGINT ignored never sees Ctrl-C; so the CLI starts as from a terminal:
     * coreutils' env (8.31+) resets INT and TERM to their default, then execs java.
     */
    public static List<String> command(String... args) throws IOException {
        return command(List.of(), args);
    }

    /** The command line that starts the CLI with these JVM options (a heap limit, say). */
    public static List<String> command(List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT,TERM",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classpath(), "dev.lockstep.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs to the end and returns the exit code (fails the test after two minutes). */
    public static int run(Path output, String... args) throws IOException, InterruptedException {
        return run(output, java.util.Map.of(), args);
    }

    public static int run(Path output, java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        Process p = start(output, env, args);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("lockstep did not finish: " + Files.readString(output));
        }
        return p.exitValue();
    }
}
