package dev.lockstep.tui;

import dev.lockstep.engine.Outcome;
import dev.lockstep.journal.Event;
import java.time.Duration;
import java.util.List;

/** What reaches the UI thread from elsewhere: the engine, the operator bridge, background work. */
sealed interface UiEvent {
    /** A journaled event; {@code stepTook} is the step's duration when the event ends one (see RunListener). */
    record Journaled(Event event, Duration stepTook) implements UiEvent {}

    record Notice(String text) implements UiEvent {}

    /** An engine action ended; a null outcome means one step finished and more remain. */
    record Finished(String action, Outcome outcome) implements UiEvent {}

    /** The engine asks the operator something and waits for the overlay's answer. */
    record Question(UiState.Overlay overlay) implements UiEvent {}

    record Checked(String stepId, List<String> results) implements UiEvent {}

    record PlanReady(List<String> lines) implements UiEvent {}

    record LogsChanged() implements UiEvent {}

    /** Another process took the run from this one: read-only from now on. */
    record Lost(dev.lockstep.store.TakenOver by) implements UiEvent {}

    /** lockstep watch: who drives the run now. */
    record Driver(String text, boolean live) implements UiEvent {}
}
