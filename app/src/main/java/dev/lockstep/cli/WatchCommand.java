package dev.lockstep.cli;

import dev.lockstep.engine.Runs;
import dev.lockstep.error.ErrorCode;
import dev.lockstep.journal.StateDir;
import dev.lockstep.tui.TuiApp;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "watch", description = "Follow a run from another terminal, read-only: its full-screen UI with a banner "
        + "naming who drives it (or, with --no-tui, the lines run --no-tui prints).")
final class WatchCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Parameters(index = "0", arity = "0..1", paramLabel = "RUN_ID", description = "Default: the latest unfinished run, else the latest.")
    String runId;

    @Mixin
    StateOptions state;

    @Option(names = "--no-tui", description = "Plain timestamped lines until the run ends.")
    boolean noTui;

    @Option(names = "--runbook", paramLabel = "FILE",
            description = "The runbook, when it is not where the run was started (another machine); without it, steps are shown by id.")
    Path runbook;

    @Override
    public Integer call() throws Exception {
        Cli cli = root.cli;
        Runs runs = state.runs(cli);
        String id = runId != null ? StateDir.requireRunId(runId) : Watch.latest(runs);
        Watch watch = new Watch(cli, runs.store(), id, cli.closeAtEnd(runs.store().follow(id)));
        try {
            return !noTui && Terminal.interactive(cli.env) ? watch.fullScreen(runbook, TuiApp.openTerminal()) : watch.plain();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ErrorCode.INTERRUPTED.exitCode();
        }
    }
}
