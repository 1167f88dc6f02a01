package dev.lockstep;

import dev.lockstep.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs the CLI in-process, as a user would, and keeps what it printed. */
public final class LockstepCli {
    private final Path stateDir;
    private final List<String> stateOptions;
    private final Map<String, String> env = new HashMap<>(System.getenv());

    public LockstepCli(Path stateDir) {
        this(stateDir, List.of("--state-dir", stateDir.toString()));
    }

    private LockstepCli(Path stateDir, List<String> stateOptions) {
        this.stateDir = stateDir;
        this.stateOptions = stateOptions;
        env.remove("LOCKSTEP_STATE_DIR");
        env.remove("LOCKSTEP_STATE");
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

    /** Runs a command; where state lives is added for commands that take it. */
    public Result run(String... args) {
        List<String> full = new ArrayList<>(List.of(args));
        if (args.length > 0 && List.of("plan", "run", "resume", "rollback", "runs", "show", "report", "watch").contains(args[0])
                && !full.contains("--state-dir") && !full.contains("--state")) {
            full.addAll(stateOptions);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(env, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                full.toArray(String[]::new));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    public Path stateDir() {
        return stateDir;
    }
}
