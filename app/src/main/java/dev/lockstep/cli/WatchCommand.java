package dev.lockstep.cli;

import dev.lockstep.engine.Runs;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.tui.TuiApp;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class WatchCommand implements Callable<Integer> {
    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "watch", "Follow a run from another terminal, read-only: its full-screen "
            + "UI with a banner naming who drives it (or, with --no-tui, the lines run --no-tui prints).");

    String runId;
    final StateOptions state;
    boolean noTui;
    Path runbook;

    WatchCommand(Cli cli) {
        HelpSections.examples(spec,
                "lockstep watch",
                "lockstep watch demo --no-tui",
                "lockstep watch --state postgres://db.internal/lockstep");
        this.cli = cli;
        CommandModel.positional(spec, "0", "RUN_ID").arity("0..1").description("A run id or a unique start of one (default: the latest unfinished run, else the latest).")
                .bind(String.class, () -> runId, v -> runId = v);
        state = new StateOptions(spec);
        CommandModel.option(spec, "--no-tui").description("Plain timestamped lines until the run ends.")
                .bind(boolean.class, () -> noTui, v -> noTui = v);
        CommandModel.option(spec, "--runbook").label("FILE")
                .description("The runbook, when it is not where the run was started (another machine); without it, steps are shown by id.")
                .bind(Path.class, () -> runbook, v -> runbook = v);
    }

    @Override
    public Integer call() throws Exception {
        Runs runs = state.runs(cli);
        String id = RunIds.orLatestUnfinishedElseLatest(runs, runId);
        Watch watch = new Watch(cli, runs.store(), id, cli.closeAtEnd(runs.store().follow(id)));
        try {
            return !noTui && Terminal.interactive(cli.env) ? watch.fullScreen(runbook, TuiApp.openTerminal()) : watch.plain();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ErrorCode.INTERRUPTED.exitCode();
        }
    }
}
