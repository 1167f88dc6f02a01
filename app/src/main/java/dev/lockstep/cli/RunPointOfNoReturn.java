package dev.lockstep.cli;

import dev.lockstep.engine.PointOfNoReturn;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.RunTiming;
import dev.lockstep.engine.Runs;
import dev.lockstep.runbook.Runbook;
import java.nio.file.Path;

/**
 * The point of no return of a run, and its times against earlier runs, for the views that read only its journal
 * (show, report): computed from the run's runbook file while it is still the one the run started with; else
 * unknown (null), and not shown.
 */
final class RunPointOfNoReturn {
    private RunPointOfNoReturn() {}

    static PointOfNoReturn of(Cli cli, RunSnapshot s) {
        Runbook runbook = runbook(cli, s);
        return runbook == null ? null : PointOfNoReturn.of(runbook, cli.types());
    }

    /** The run's times against the earlier runs in {@code runs}, and its downtime; null when the runbook is not known. */
    static RunTiming timing(Cli cli, RunSnapshot s, Runs runs) {
        Runbook runbook = runbook(cli, s);
        return runbook == null ? null : RunTiming.of(runbook, s, runs.all());
    }

    private static Runbook runbook(Cli cli, RunSnapshot s) {
        try {
            Runbook runbook = cli.loader().load(Path.of(s.runbookPath()));
            return runbook.checksum().equals(s.start().checksum()) ? runbook : null;
        } catch (RuntimeException e) {
            // Moved, changed or unreadable since the run started: its journal still shows everything else.
            return null;
        }
    }
}
