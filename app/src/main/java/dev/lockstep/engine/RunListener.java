package dev.lockstep.engine;

import dev.lockstep.journal.Event;
import dev.lockstep.store.TakenOver;
import java.time.Duration;

/** Observes a run: journal events as they are written, output lines, notices. The plain printer and the TUI are listeners. */
public interface RunListener {
    default void event(Event e) {}

    /**
     * An event as journaled, with {@code stepTook} set when it ends a step (succeeded, failed,
     * halted, in doubt): how long the step took by its journaled start and this event, the one
     * measure that {@code show}, reports and every screen give, before and after a resume.
     */
    default void event(Event e, Duration stepTook) {
        event(e);
    }

    /** One line of a step's output (or a check's), secrets already masked. */
    default void line(String stepId, String text) {}

    /** Something the operator should read that is not an event: warnings, hints. */
    default void notice(String text) {}

    /**
     * The steps left in the downtime took longer in earlier runs (p90) than the window has left: said before the
     * next step starts. Shown as a notice unless a listener does more (notifications send it).
     */
    default void windowAtRisk(String text) {
        notice(text);
    }

    /** Another process took the run from this one: from now on this process may only show it. */
    default void takenOver(TakenOver by) {}
}
