package dev.lockstep.cli;

import dev.lockstep.context.Targets;
import dev.lockstep.engine.Run;
import dev.lockstep.engine.RunListener;
import dev.lockstep.engine.Runs;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.store.StateStore;
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

    @Option(names = "--take-over", paramLabel = "RUN_ID",
            description = "Take the run from a driver that is still alive: type its run id (recorded). An expired lease needs nothing.")
    String takeOver;

    @Option(names = "--runbook", paramLabel = "FILE",
            description = "The runbook, when it is not where the run was started (another machine); its steps must match (see --force).")
    Path runbook;

    /** A reopened run and where it acts, verified before the run records anything. */
    record Reopened(Run run, Targets targets) {}

    /** {@code check} looks at the runbook (the step ids flags name) before the run is opened and anything recorded. */
    Reopened open(Cli cli, String command, boolean allowSucceeded, RunListener listener, TargetOptions where,
                  java.util.function.Consumer<Runbook> check) {
        Runs runs = state.runs(cli);
        ParamOptions params = new ParamOptions();
        params.paramsFile = paramsFile;
        String id = Reopen.pick(runs, runId);
        if (takeOver != null) StateStore.requireTyped(id, takeOver, "--take-over");
        Runbook book = Reopen.runbook(cli, runs, id, runbook);
        check.accept(book);
        Targets targets = where.verified(cli, book);
        StateStore.Opening how = new StateStore.Opening(command, takeOver, false);
        return new Reopened(Reopen.open(cli, runs, id, params, how, force, allowSucceeded, listener, book), targets);
    }
}
