package dev.lockstep.cli;

import dev.lockstep.engine.Run;
import dev.lockstep.engine.RunListener;
import dev.lockstep.engine.RunPlace;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.Runs;
import dev.lockstep.engine.Targets;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.store.StateStore;
import java.nio.file.Path;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;

/** What resume and rollback share: which run, where state lives, where it acts, its secrets, and --force. */
final class ReopenOptions {
    String runId;

    final StateOptions state;

    Path paramsFile;

    boolean force;

    String takeOver;

    Path runbook;

    boolean retarget;

    ReopenOptions(CommandSpec command) {
        CommandModel.positional(command, "0", "RUN_ID").arity("0..1").description("A run id or a unique start of one (default: the latest unfinished run).")
                .bind(String.class, () -> runId, v -> runId = v);
        state = new StateOptions(command);
        CommandModel.option(command, "--params-file").label("FILE")
                .description("Secrets for the run (non-secret values are kept from its start).")
                .bind(Path.class, () -> paramsFile, v -> paramsFile = v);
        CommandModel.option(command, "--force").description("Go on although started steps' definitions changed (recorded).")
                .bind(boolean.class, () -> force, v -> force = v);
        CommandModel.option(command, "--take-over").label("RUN_ID")
                .description("Take the run from a driver that is still alive: type its run id (recorded). An expired lease needs nothing.")
                .bind(String.class, () -> takeOver, v -> takeOver = v);
        CommandModel.option(command, "--runbook").label("FILE")
                .description("The runbook, when it is not where the run was started (another machine); its steps must match (see --force).")
                .bind(Path.class, () -> runbook, v -> runbook = v);
        CommandModel.option(command, "--retarget")
                .description("Act where this command's place options say (--namespace, --context, --region …) although the run "
                        + "acts elsewhere; the new place is recorded. Without it, the run acts where it was started, and another place is refused.")
                .bind(boolean.class, () -> retarget, v -> retarget = v);
    }

    /** A reopened run and where it acts, verified before the run records anything. */
    record Reopened(Run run, Targets targets) {}

    /** A run looked at before it is reopened: read, its runbook loaded, its place verified; nothing written yet. */
    record Looked(Runs runs, String runId, RunSnapshot snapshot, Runbook runbook, Targets targets, RunPlace place, Params params) {}

    /** {@code check} looks at the runbook (the step ids flags name) before anything is recorded. */
    Looked look(Cli cli, TargetOptions where, Consumer<Runbook> check) {
        Runs runs = state.runs(cli);
        String id = RunIds.orLatestUnfinished(runs, runId);
        if (takeOver != null) StateStore.requireTyped(id, takeOver, "--take-over");
        RunSnapshot snapshot = runs.read(id);
        Runbook book = Reopen.runbook(cli, runs, id, runbook);
        check.accept(book);
        TargetOptions.Reopened place = where.verified(cli, book, id, snapshot.place(), retarget);
        ParamOptions params = new ParamOptions();
        params.paramsFile = paramsFile;
        return new Looked(runs, id, snapshot, book, place.targets(), place.place(), Reopen.params(cli, book, snapshot, params));
    }

    /** Reopens a run looked at: from here on the run records what happens. */
    Reopened open(Looked looked, String command, boolean allowSucceeded, RunListener listener) {
        StateStore.Opening how = new StateStore.Opening(command, takeOver, false);
        Run run = looked.runs().reopen(looked.runId(), path -> looked.runbook(), (rb, snapshot) -> looked.params(), listener,
                how, force, allowSucceeded, looked.place());
        return new Reopened(run, looked.targets());
    }

    Reopened open(Cli cli, String command, boolean allowSucceeded, RunListener listener, TargetOptions where,
                  Consumer<Runbook> check) {
        return open(look(cli, where, check), command, allowSucceeded, listener);
    }
}
