package dev.lockstep.steps.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.spi.StepResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How ecs.run-task reads a stopped task; the emulator always reports exit code 0, so the other cases are here. */
class EcsRunTaskVerdictTest {
    @Test
    void exitZeroSucceeds() {
        assertTrue(EcsRunTaskStep.verdict(0, List.of("PENDING", "RUNNING", "STOPPED"), 12, "Essential container exited", Map.of()).ok());
    }

    @Test
    void aNonZeroExitFailsWithTheCodeAndTheReason() {
        StepResult r = EcsRunTaskStep.verdict(3, List.of("RUNNING", "STOPPED"), 40, "Essential container in task exited", Map.of());
        assertFalse(r.ok());
        assertEquals("the task stopped with exit code 3: Essential container in task exited", r.summary());
    }

    @Test
    void aTaskThatWentFromPendingToStoppedWithoutLogsIsSaidToHaveNeverRun() {
        StepResult r = EcsRunTaskStep.verdict(null, List.of("PROVISIONING", "PENDING", "STOPPED"), 0,
                "CannotPullContainerError: pull image manifest has been retried 5 time(s)", Map.of());
        assertFalse(r.ok());
        assertEquals("the task stopped before it ran (PROVISIONING → PENDING → STOPPED, no logs): "
                + "CannotPullContainerError: pull image manifest has been retried 5 time(s)", r.summary());
    }

    @Test
    void noExitCodeAfterRunningIsAFailureNotANeverRan() {
        StepResult r = EcsRunTaskStep.verdict(null, List.of("RUNNING", "STOPPED"), 5, "Task stopped by user", Map.of());
        assertEquals("the task stopped with no exit code: Task stopped by user", r.summary());
    }
}
