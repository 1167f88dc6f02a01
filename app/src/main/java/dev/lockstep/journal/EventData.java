package dev.lockstep.journal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.Map;

/**
 * The typed payload of a journal record: one record type per kind of event, written as a
 * JSON object with one key per component. Reading checks every key's type
 * ({@link EventCodec}), so a record that was forged or damaged with a valid checksum is
 * refused with its position, never half-understood.
 */
public sealed interface EventData {
    /** A component that older journals may lack, or that is absent when it has nothing to say. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    @interface Optional {}

    /** Ids, digests and names that structure the run: written as they are, never passed through secret masking. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    @interface Structural {}

    /**
     * RUN_STARTED: what was run, by whom, with which parameters, in which journal format.
     * Secrets are masked in {@code params}; {@code maskedParams} names the other parameters whose
     * value held a secret, so that a resume asks for them again instead of using the mask.
     */
    record RunStarted(@Optional Integer format, String runbook, @Structural String name, String title,
                      @Structural String checksum, @Structural List<String> steps,
                      @Structural Map<String, Map<String, String>> definitions, Map<String, Object> params,
                      @Structural List<String> secrets, @Optional @Structural List<String> maskedParams, String by,
                      String host, long pid, String version, String command,
                      @Optional Map<String, String> placeOptions, @Optional Map<String, Map<String, String>> place)
            implements EventData {
        /** Journals written before the format was recorded are format 1. */
        public int formatVersion() {
            return format == null ? 1 : format;
        }
    }

    /**
     * RUN_RESUMED: another process took the run over, possibly past changed definitions ({@code forced}).
     * {@code tookOver} names the holder whose lease it took: an expired one, or a live one the operator
     * confirmed by typing the run id. {@code placeOptions} and {@code place} say where it acts from here
     * on, as in RUN_STARTED: the same place, or another one the operator moved it to (--retarget).
     */
    record RunResumed(String by, @Optional String host, long pid, String command, @Structural String checksum,
                      @Structural List<String> steps, @Structural Map<String, Map<String, String>> definitions,
                      @Optional List<String> forced, @Optional String tookOver,
                      @Optional Map<String, String> placeOptions, @Optional Map<String, Map<String, String>> place) implements EventData {}

    /** Events that only say who: RUN_INTERRUPTED, RUN_FINISHED, STEP_RETRIED, STEP_MARKED_DONE, ROLLBACK_FINISHED. */
    record By(String by) implements EventData {}

    /** RUN_ABANDONED and STEP_SKIPPED: who, and why. */
    record ByReason(String by, String reason) implements EventData {}

    /** STEP_CHECKING and STEP_ROLLBACK_STARTED carry nothing. */
    record Nothing() implements EventData {}

    /** CHECK_PASSED and CHECK_FAILED: which precondition, and what was observed. */
    record CheckResult(int index, String check, String observed) implements EventData {}

    /** STEP_BLOCKED, STEP_RESET, STEP_FAILED, STEP_IN_DOUBT and STEP_ROLLBACK_FAILED. */
    record Reason(String reason) implements EventData {}

    /**
     * STEP_AWAITING: the driver waits for a person at a gate ("confirmation" before a step,
     * "decision" on an in-doubt step), journaled so that a watcher can see it too.
     */
    record Awaiting(String gate, @Optional List<String> plan, @Optional @Structural String digest, @Optional Integer count,
                    @Optional List<String> from, @Optional Boolean notDriver, @Optional String driver, @Optional String message)
            implements EventData {
        public static final String CONFIRMATION = "confirmation";
        public static final String DECISION = "decision";
        /**
         * "approval": the step's resolved plan (masked) and its {@code digest} wait for {@code count}
         * approvals from {@code from} (anyone when empty), not from {@code driver} when {@code notDriver}.
         */
        public static final String APPROVAL = "approval";

        public Awaiting(String gate) {
            this(gate, null, null, null, null, null, null, null);
        }
    }

    /**
     * STEP_APPROVED and STEP_REJECTED, journaled by the driver from the store's own record of them
     * ({@code id}): who (the database role, or the OS user owning the file), when, from which host,
     * the digest of the plan they saw, and a rejection's reason.
     */
    record Approval(@Structural String id, String by, String at, String host, @Structural String digest,
                    @Optional String reason) implements EventData {}

    /** STEP_CONFIRMED: by whom, and whether a text was typed. */
    record Confirmed(String by, boolean typed) implements EventData {}

    /** STEP_OVERRIDDEN: who accepted a halt, and what they typed. */
    record Overridden(String by, String typed) implements EventData {}

    /** STEP_STARTED: the attempt, what it does (resolved, masked), and the environment variable names values travel in. */
    record StepStarted(int attempt, @Optional List<String> plan, @Optional List<String> env) implements EventData {}

    /** STEP_EXTERNAL_ID: an id of outside work (a task ARN, a change set) to re-attach to. */
    record ExternalId(@Structural String key, String value) implements EventData {}

    /** STEP_ATTEMPT_FAILED: one attempt of several failed. */
    record AttemptFailed(int attempt, String reason) implements EventData {}

    /**
     * STEP_SUCCEEDED. {@code secretOutputs} names the outputs whose value held a secret: the journal
     * has them masked, so only the process that produced them knows their value.
     */
    record Succeeded(String summary, Map<String, Object> outputs, long durationMs,
                     @Optional @Structural List<String> secretOutputs) implements EventData {}

    /** STEP_HALTED: why, the line or finding that caused it, and the step's result when it gave one. */
    record Halted(String reason, String evidence, @Optional Map<String, Object> result) implements EventData {}

    /** ROLLBACK_STARTED: the steps to undo (last first), those without a rollback, and how many runbook actions follow. */
    record RollbackStarted(String by, @Structural List<String> steps, @Structural List<String> withoutRollback,
                           @Optional Integer runbookActions) implements EventData {}

    /** STEP_ROLLBACK_SUCCEEDED. */
    record Summary(String summary) implements EventData {}

    /** FINAL_ROLLBACK_STARTED: one action of the runbook-level rollback. */
    record RunbookAction(int index, @Structural String uses) implements EventData {}

    /** FINAL_ROLLBACK_SUCCEEDED. */
    record RunbookActionDone(int index) implements EventData {}

    /** FINAL_ROLLBACK_FAILED. */
    record RunbookActionFailed(int index, String reason) implements EventData {}

    /** FINAL_ROLLBACK_EXTERNAL_ID: an external id of a runbook-level rollback action, kept apart from every step's. */
    record RunbookActionExternalId(int index, @Structural String key, String value) implements EventData {}
}
