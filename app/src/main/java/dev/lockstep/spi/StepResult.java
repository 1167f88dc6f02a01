package dev.lockstep.spi;

import java.util.Map;

/**
 * How an execution ended. {@code data} is what {@code ${{ result.… }}} and a check's
 * {@code expect} see; {@code summary} is one line for the operator. A result with
 * {@code haltEvidence} HALTS the run (a mismatch found): nothing after it runs until
 * the operator retries, rolls back or overrides.
 */
public record StepResult(boolean ok, String summary, Map<String, Object> data, String haltEvidence) {
    public static StepResult ok(String summary, Map<String, Object> data) {
        return new StepResult(true, summary, data, null);
    }

    public static StepResult failed(String summary, Map<String, Object> data) {
        return new StepResult(false, summary, data, null);
    }

    public static StepResult halted(String summary, String evidence, Map<String, Object> data) {
        return new StepResult(false, summary, data, evidence);
    }

    public boolean halts() {
        return haltEvidence != null;
    }
}
