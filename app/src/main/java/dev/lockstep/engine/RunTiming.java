package dev.lockstep.engine;

import dev.lockstep.runbook.Runbook;
import java.util.Collection;

/**
 * A run's times against its runbook's earlier runs at the same place ({@link History}) and, when the runbook marks
 * one, its downtime against the window, as of the run's last event: what a report puts beside each step's duration.
 */
public record RunTiming(History history, DowntimeClock downtime) {
    public static RunTiming of(Runbook runbook, RunSnapshot run, Collection<RunSnapshot> all) {
        History history = History.of(all, runbook.name(), run.place(), run.runId());
        return new RunTiming(history, DowntimeClock.of(runbook.steps(), runbook.downtime(), run, history, run.lastEventAt()));
    }
}
