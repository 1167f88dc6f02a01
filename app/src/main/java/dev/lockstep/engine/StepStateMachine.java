package dev.lockstep.engine;

import static dev.lockstep.engine.StepState.*;
import static dev.lockstep.journal.EventType.*;

import dev.lockstep.journal.EventType;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The transition table of a step: which journal event moves it from which state
 * to which. The engine only appends events this table allows, and replay applies
 * the same table, so a journal always describes a reachable state.
 */
public final class StepStateMachine {
    private static final Map<StepState, Map<EventType, StepState>> TABLE = new EnumMap<>(StepState.class);

    static {
        on(PENDING, STEP_CHECKING, CHECKING);
        on(PENDING, STEP_AWAITING, PENDING);
        on(PENDING, STEP_CONFIRMED, PENDING);
        on(PENDING, STEP_APPROVED, PENDING);
        on(PENDING, STEP_REJECTED, HALTED);
        on(PENDING, STEP_STARTED, RUNNING);
        on(PENDING, STEP_SKIPPED, SKIPPED);
        on(PENDING, STEP_BLOCKED, PENDING);

        on(CHECKING, CHECK_PASSED, CHECKING);
        on(CHECKING, CHECK_FAILED, CHECKING);
        on(CHECKING, STEP_BLOCKED, PENDING);
        on(CHECKING, STEP_RESET, PENDING);
        on(CHECKING, STEP_AWAITING, CHECKING);
        on(CHECKING, STEP_CONFIRMED, CHECKING);
        on(CHECKING, STEP_APPROVED, CHECKING);
        on(CHECKING, STEP_REJECTED, HALTED);
        on(CHECKING, STEP_STARTED, RUNNING);

        on(RUNNING, STEP_EXTERNAL_ID, RUNNING);
        on(RUNNING, STEP_ATTEMPT_FAILED, RUNNING);
        on(RUNNING, STEP_SUCCEEDED, SUCCEEDED);
        on(RUNNING, STEP_FAILED, FAILED);
        on(RUNNING, STEP_HALTED, HALTED);
        on(RUNNING, STEP_IN_DOUBT, IN_DOUBT);

        on(IN_DOUBT, STEP_AWAITING, IN_DOUBT);
        on(IN_DOUBT, STEP_STARTED, RUNNING);
        on(IN_DOUBT, STEP_MARKED_DONE, SUCCEEDED);
        on(IN_DOUBT, STEP_SKIPPED, SKIPPED);
        on(IN_DOUBT, STEP_ROLLBACK_STARTED, ROLLING_BACK);

        on(FAILED, STEP_RETRIED, PENDING);
        on(FAILED, STEP_SKIPPED, SKIPPED);
        on(FAILED, STEP_ROLLBACK_STARTED, ROLLING_BACK);

        on(HALTED, STEP_RETRIED, PENDING);
        on(HALTED, STEP_OVERRIDDEN, SUCCEEDED);
        on(HALTED, STEP_ROLLBACK_STARTED, ROLLING_BACK);

        on(SUCCEEDED, STEP_ROLLBACK_STARTED, ROLLING_BACK);
        // Only to produce again an output that held a secret and that this process never saw (Engine#retry).
        on(SUCCEEDED, STEP_RETRIED, PENDING);

        on(ROLLING_BACK, STEP_ROLLBACK_STARTED, ROLLING_BACK);
        on(ROLLING_BACK, STEP_EXTERNAL_ID, ROLLING_BACK);
        on(ROLLING_BACK, STEP_ROLLBACK_SUCCEEDED, ROLLED_BACK);
        on(ROLLING_BACK, STEP_ROLLBACK_FAILED, ROLLBACK_FAILED);
        on(ROLLING_BACK, STEP_MARKED_DONE, ROLLED_BACK);

        on(ROLLBACK_FAILED, STEP_ROLLBACK_STARTED, ROLLING_BACK);
    }

    private StepStateMachine() {}

    private static void on(StepState from, EventType event, StepState to) {
        TABLE.computeIfAbsent(from, k -> new EnumMap<>(EventType.class)).put(event, to);
    }

    public static Optional<StepState> next(StepState from, EventType event) {
        return Optional.ofNullable(TABLE.getOrDefault(from, Map.of()).get(event));
    }

    public static Map<EventType, StepState> from(StepState state) {
        return TABLE.getOrDefault(state, Map.of());
    }

    /** Whether {@code event} may move a step that is in state {@code from}. */
    public static boolean allows(StepState from, EventType event) {
        return next(from, event).isPresent();
    }

    /** The states {@code event} may move a step from. */
    public static Set<StepState> statesAllowing(EventType event) {
        Set<StepState> states = EnumSet.noneOf(StepState.class);
        TABLE.forEach((from, events) -> {
            if (events.containsKey(event)) states.add(from);
        });
        return states;
    }

    /**
     * The states an operator retries a step from. A done step is retried only to produce again an output that
     * held a secret this process never saw (Engine#retry), so it is not among them.
     */
    public static Set<StepState> retryable() {
        Set<StepState> states = statesAllowing(STEP_RETRIED);
        states.removeIf(StepState::isDone);
        return states;
    }
}
