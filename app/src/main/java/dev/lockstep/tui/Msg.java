package dev.lockstep.tui;

import dev.lockstep.engine.DisplayedState;
import dev.lockstep.engine.Outcome;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** What {@link TuiUpdate} is told: keys, and what reaches the UI thread from the engine, the operator bridge and background work. */
sealed interface Msg {
    /** A key, and when it was pressed in ms since the epoch (a second Ctrl-C soon after the first quits). */
    record Keyed(Key key, long at) implements Msg {}

    /** A journaled event; {@code stepTook} is the step's duration when the event ends one (see RunListener). */
    record Journaled(Event event, Duration stepTook) implements Msg {}

    /**
     * Where the run stands, read from its snapshot after events were journaled (or a watched driver's lease changed):
     * the header's state, the gate it waits at, its clock, and whether a rollback has anything to undo.
     */
    record RunChanged(DisplayedState shown, String gateStep, EventData.Awaiting approval, Instant clockFrom, Instant clockTo,
            boolean finished, boolean canRollback) implements Msg {}

    record Notice(String text) implements Msg {}

    /** An engine action ended; a null outcome means one step finished and more remain. */
    record Finished(String action, Outcome outcome) implements Msg {}

    /** The engine asks the operator something and waits for the overlay's answer. */
    record Question(UiState.Overlay overlay) implements Msg {}

    record Checked(String stepId, List<String> results) implements Msg {}

    record PlanReady(List<String> lines) implements Msg {}

    /** What a rollback would run, in order, asked for by {@link Effect.PreviewRollback}. */
    record RollbackPreview(List<String> lines) implements Msg {}

    /** Steps logged new lines (kept in the LogStore, not here): only a redraw is owed. */
    record Output() implements Msg {}

    /** Another process took the run from this one (who, when): read-only from now on. */
    record TakenOver(String by, Instant at) implements Msg {}

    /** lockstep watch: who drives the run now. */
    record Driver(String text, boolean live) implements Msg {}

    /** The terminal's height changed (or is first known): log pages are a third of it. */
    record Resized(int rows) implements Msg {}
}
