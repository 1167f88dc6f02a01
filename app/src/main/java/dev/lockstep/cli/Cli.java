package dev.lockstep.cli;

import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.step.StepTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.Properties;

/** What every command shares: the environment, the streams, and the step types (found once, when first needed). */
final class Cli {
    final Map<String, String> env;
    final InputStream in;
    final PrintStream out;
    final PrintStream err;
    private StepTypes types;

    Cli(Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    StepTypes types() {
        if (types == null) types = StepTypes.discover();
        return types;
    }

    RunbookLoader loader() {
        return new RunbookLoader(types());
    }

    static String version() {
        Properties p = new Properties();
        try (var s = Cli.class.getResourceAsStream("/dev/lockstep/version.properties")) {
            if (s != null) p.load(s);
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }
}
