package dev.lockstep.engine;

import static dev.lockstep.engine.RunStateMachine.Phase.*;
import static dev.lockstep.journal.EventType.*;

import dev.lockstep.journal.EventType;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The transition table of a whole run, beside {@link StepStateMachine} for its steps: which
 * journal event moves the run from which phase to which. Every append goes through it (and
 * the step table) before it is written, and replay applies the same tables, so a journal
 * that claims an impossible history (finished twice, started twice, rolled back without a
 * rollback) is refused instead of being reported as a state it never reached.
 */
public final class RunStateMachine {
    /** Where a run stands as a whole; {@link RunStatus} refines ACTIVE by its steps. */
    public enum Phase { NEW, ACTIVE, SUCCEEDED, ROLLING_BACK, ROLLED_BACK, ABANDONED }

    /** Conditions on the run's steps that a transition needs besides its phase. */
    enum Guard { NONE, ALL_STEPS_DONE, ROLLBACK_COMPLETE }

    private record Transition(Phase to, Guard guard) {}

    private static final Map<Phase, Map<EventType, Transition>> TABLE = new EnumMap<>(Phase.class);
    /** Step events that move a run forward; allowed while it is ACTIVE. */
    private static final Set<EventType> FORWARD = EnumSet.of(STEP_CHECKING, CHECK_PASSED, CHECK_FAILED, STEP_BLOCKED,
            STEP_RESET, STEP_AWAITING, STEP_CONFIRMED, STEP_APPROVED, STEP_REJECTED, STEP_STARTED, STEP_EXTERNAL_ID, STEP_ATTEMPT_FAILED, STEP_SUCCEEDED, STEP_FAILED,
            STEP_HALTED, STEP_SKIPPED, STEP_IN_DOUBT, STEP_RETRIED, STEP_OVERRIDDEN, STEP_MARKED_DONE);
    /** Events of a rollback; allowed while it is ROLLING_BACK. */
    private static final Set<EventType> BACKWARD = EnumSet.of(STEP_ROLLBACK_STARTED, STEP_ROLLBACK_SUCCEEDED,
            STEP_ROLLBACK_FAILED, STEP_EXTERNAL_ID, STEP_MARKED_DONE, FINAL_ROLLBACK_STARTED, FINAL_ROLLBACK_EXTERNAL_ID,
            FINAL_ROLLBACK_SUCCEEDED, FINAL_ROLLBACK_FAILED);

    static {
        on(NEW, RUN_STARTED, ACTIVE);

        on(ACTIVE, RUN_RESUMED, ACTIVE);
        on(ACTIVE, RUN_INTERRUPTED, ACTIVE);
        for (EventType e : FORWARD) on(ACTIVE, e, ACTIVE);
        on(ACTIVE, RUN_FINISHED, SUCCEEDED, Guard.ALL_STEPS_DONE);
        on(ACTIVE, ROLLBACK_STARTED, ROLLING_BACK);
        on(ACTIVE, RUN_ABANDONED, ABANDONED);

        // A finished run can still be rolled back; reopening it for that is journaled.
        on(SUCCEEDED, RUN_RESUMED, SUCCEEDED);
        on(SUCCEEDED, RUN_INTERRUPTED, SUCCEEDED);
        on(SUCCEEDED, ROLLBACK_STARTED, ROLLING_BACK);

        on(ROLLING_BACK, RUN_RESUMED, ROLLING_BACK);
        on(ROLLING_BACK, RUN_INTERRUPTED, ROLLING_BACK);
        for (EventType e : BACKWARD) on(ROLLING_BACK, e, ROLLING_BACK);
        on(ROLLING_BACK, ROLLBACK_FINISHED, ROLLED_BACK, Guard.ROLLBACK_COMPLETE);
        on(ROLLING_BACK, RUN_ABANDONED, ABANDONED);
    }

    private RunStateMachine() {}

    private static void on(Phase from, EventType event, Phase to) {
        on(from, event, to, Guard.NONE);
    }

    private static void on(Phase from, EventType event, Phase to, Guard guard) {
        TABLE.computeIfAbsent(from, k -> new EnumMap<>(EventType.class)).put(event, new Transition(to, guard));
    }

    /** The phase an event leads to, if the table has the transition at all. */
    public static Optional<Phase> next(Phase from, EventType event) {
        return transition(from, event).map(Transition::to);
    }

    static Guard guard(Phase from, EventType event) {
        return transition(from, event).map(Transition::guard).orElse(Guard.NONE);
    }

    private static Optional<Transition> transition(Phase from, EventType event) {
        return Optional.ofNullable(TABLE.getOrDefault(from, Map.of()).get(event));
    }

    /** The events the table allows in a phase, for tests and documentation. */
    public static Set<EventType> from(Phase phase) {
        return TABLE.getOrDefault(phase, Map.of()).keySet();
    }
}
