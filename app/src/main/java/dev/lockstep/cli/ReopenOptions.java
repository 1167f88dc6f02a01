package dev.lockstep.cli;

import dev.lockstep.engine.Run;
import dev.lockstep.engine.RunListener;
import dev.lockstep.engine.Runs;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What resume and rollback share: which run, where state lives, its secrets, and --force. */
final class ReopenOptions {
    @Parameters(index = "0", arity = "0..1", paramLabel = "RUN_ID", description = "Default: the latest unfinished run.")
    String runId;

    @Mixin
    StateOptions state;

    @Option(names = "--params-file", paramLabel = "FILE",
            description = "Secrets for the run (non-secret values are kept from its start).")
    Path paramsFile;

    @Option(names = "--force", description = "Go on although started steps' definitions changed (recorded).")
    boolean force;

    Run open(Cli cli, String command, boolean allowSucceeded, RunListener listener) {
        Runs runs = state.runs(cli);
        ParamOptions params = new ParamOptions();
        params.paramsFile = paramsFile;
        return Reopen.open(cli, runs, Reopen.pick(runs, runId), params, command, force, allowSucceeded, listener);
    }
}
