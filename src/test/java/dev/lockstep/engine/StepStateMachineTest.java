package dev.lockstep.engine;

import static dev.lockstep.engine.StepState.FAILED;
import static dev.lockstep.engine.StepState.HALTED;
import static dev.lockstep.engine.StepState.IN_DOUBT;
import static dev.lockstep.engine.StepState.PENDING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.journal.EventType;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** What an operator may do to a step, as the table says: retry, override and skip are asked of it, not restated. */
class StepStateMachineTest {
    @Test
    void anOperatorRetriesAFailedOrHaltedStepOnly() {
        assertEquals(EnumSet.of(FAILED, HALTED), StepStateMachine.retryable());
        assertTrue(StepStateMachine.allows(StepState.SUCCEEDED, EventType.STEP_RETRIED),
                "a succeeded step is retried only to produce again an output withheld from this process");
    }

    @Test
    void onlyAHaltIsOverridden() {
        assertEquals(EnumSet.of(HALTED), StepStateMachine.statesAllowing(EventType.STEP_OVERRIDDEN));
        assertFalse(StepStateMachine.allows(FAILED, EventType.STEP_OVERRIDDEN));
    }

    @Test
    void aPendingFailedOrInDoubtStepIsSkippedButNeverAHaltedOne() {
        assertEquals(EnumSet.of(PENDING, FAILED, IN_DOUBT), StepStateMachine.statesAllowing(EventType.STEP_SKIPPED));
        assertFalse(StepStateMachine.allows(HALTED, EventType.STEP_SKIPPED), "a halt is retried, overridden or rolled back");
    }
}
