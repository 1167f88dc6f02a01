package dev.lockstep.journal;

/**
 * The kinds of record a run's journal holds, each with the type of its payload. The run
 * and step state machines are driven by them.
 */
public enum EventType {
    RUN_STARTED(EventData.RunStarted.class),
    RUN_RESUMED(EventData.RunResumed.class),
    RUN_INTERRUPTED(EventData.By.class),
    RUN_FINISHED(EventData.By.class),
    RUN_ABANDONED(EventData.ByReason.class),
    STEP_CHECKING(EventData.Nothing.class),
    CHECK_PASSED(EventData.CheckResult.class),
    CHECK_FAILED(EventData.CheckResult.class),
    STEP_BLOCKED(EventData.Reason.class),
    STEP_RESET(EventData.Reason.class),
    STEP_AWAITING(EventData.Awaiting.class),
    STEP_CONFIRMED(EventData.Confirmed.class),
    STEP_APPROVED(EventData.Approval.class),
    STEP_REJECTED(EventData.Approval.class),
    STEP_STARTED(EventData.StepStarted.class),
    STEP_EXTERNAL_ID(EventData.ExternalId.class),
    STEP_ATTEMPT_FAILED(EventData.AttemptFailed.class),
    STEP_SUCCEEDED(EventData.Succeeded.class),
    STEP_FAILED(EventData.Reason.class),
    STEP_HALTED(EventData.Halted.class),
    STEP_SKIPPED(EventData.ByReason.class),
    STEP_IN_DOUBT(EventData.Reason.class),
    STEP_RETRIED(EventData.By.class),
    STEP_OVERRIDDEN(EventData.Overridden.class),
    STEP_MARKED_DONE(EventData.By.class),
    ROLLBACK_STARTED(EventData.RollbackStarted.class),
    STEP_ROLLBACK_STARTED(EventData.Nothing.class),
    STEP_ROLLBACK_SUCCEEDED(EventData.Summary.class),
    STEP_ROLLBACK_FAILED(EventData.Reason.class),
    FINAL_ROLLBACK_STARTED(EventData.RunbookAction.class),
    FINAL_ROLLBACK_EXTERNAL_ID(EventData.RunbookActionExternalId.class),
    FINAL_ROLLBACK_SUCCEEDED(EventData.RunbookActionDone.class),
    FINAL_ROLLBACK_FAILED(EventData.RunbookActionFailed.class),
    ROLLBACK_FINISHED(EventData.By.class);

    private final Class<? extends EventData> payload;

    EventType(Class<? extends EventData> payload) {
        this.payload = payload;
    }

    /** The record type of this event's data. */
    public Class<? extends EventData> payload() {
        return payload;
    }

    /** Whether the event belongs to one step (it names it) or to the run as a whole. */
    public boolean isStepEvent() {
        return name().startsWith("STEP_") || name().startsWith("CHECK_");
    }
}
