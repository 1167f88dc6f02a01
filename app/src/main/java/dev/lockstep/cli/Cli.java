package dev.lockstep.cli;

import dev.lockstep.engine.ShellWords;
import dev.lockstep.plugin.Contexts;
import dev.lockstep.plugin.StepTypes;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.secret.Redactor;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What every command shares: the environment, the streams, and the step types (found once, when first needed). */
final class Cli {
    final Map<String, String> env;
    final InputStream in;
    final PrintStream out;
    final PrintStream err;
    /** Under GitHub Actions, the only way to give the runner a command (out and err are guarded); else null. */
    final GithubActions github;
    private StepTypes types;
    private Contexts contexts;
    /** Masks the parameters' secrets in whatever the central error handler prints; set once they are known. */
    private Redactor redactor = Redactor.none();
    private Path hintStateDir;
    /** The demo's own resume and rollback, named instead of lockstep's: those would ask for its database's password. */
    private Pattern demoRunCommand;
    private String demoCommand;
    /** A lockstep command that reads the state folder, as messages suggest them. */
    private static final Pattern SUGGESTED_COMMAND = Pattern.compile("\\blockstep (resume|rollback|show|report|runs|run|plan)\\b");
    /** The state store's password, masked in every message too. */
    private final List<String> storeSecrets = new ArrayList<>();
    /** What the command opened that must be closed when it ends (state store connections). */
    private final List<AutoCloseable> opened = new ArrayList<>();

    Cli(Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        this(env, in, out, err, null);
    }

    Cli(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, GithubActions github) {
        this.github = github;
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    StepTypes types() {
        if (types == null) types = StepTypes.discover();
        return types;
    }

    /** Records a run's parameters, so that any message printed from now on masks their secrets. */
    Params masking(Params params) {
        redactor = params.redactor();
        return params;
    }

    Redactor redactor() {
        return storeSecrets.isEmpty() ? redactor : redactor.and(Redactor.of(storeSecrets));
    }

    /** Masks a state store's password in whatever is printed from now on. */
    void maskStoreSecret(String secret) {
        if (secret != null && secret.length() >= Redactor.MIN_SECRET_LENGTH) storeSecrets.add(secret);
    }

    /** Closes {@code resource} when the command ends, however it ends. */
    <T extends AutoCloseable> T closeAtEnd(T resource) {
        opened.add(resource);
        return resource;
    }

    void closeAll() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                err.println("lockstep: warning: could not close " + opened.get(i) + ": " + redactor().redact(String.valueOf(e)));
            }
        }
        opened.clear();
    }

    /**
     * The state folder to name in every hint printed from now on ("lockstep resume RUN"), so that a
     * hint works as printed when the runs are not in the default folder (--state-dir, the demo's).
     */
    void hintStateDir(Path dir) {
        hintStateDir = dir;
    }

    /**
     * Hints from the demo: "lockstep resume RUN" and "lockstep rollback RUN" become {@code demoCommand} (which
     * reopens the demo's unfinished run with the password it keeps) and {@code demoCommand --rollback}; the
     * commands that only read the runs name the demo's state folder.
     */
    void hintDemo(String runbookName, String demoCommand, Path stateDir) {
        this.demoRunCommand = Pattern.compile("\\blockstep (resume|rollback)(?: " + Pattern.quote(runbookName) + "-[0-9a-z-]+)?\\b");
        this.demoCommand = demoCommand;
        hintStateDir = stateDir;
    }

    /** {@code text} with the state folder added to each lockstep command it suggests, when one was chosen. */
    String hint(String text) {
        if (demoRunCommand != null) {
            text = demoRunCommand.matcher(text).replaceAll(m -> Matcher.quoteReplacement(
                    demoCommand + (m.group(1).equals("rollback") ? " --rollback" : "")));
        }
        if (hintStateDir == null) return text;
        String quoted = ShellWords.quote(hintStateDir.toString());
        return SUGGESTED_COMMAND.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group() + " --state-dir " + quoted));
    }

    Contexts contexts() {
        if (contexts == null) contexts = Contexts.discover();
        return contexts;
    }

    RunbookLoader loader() {
        return new RunbookLoader(types(), contexts());
    }

    static String version() {
        return Release.VERSION;
    }
}
