package dev.lockstep.step;

import java.util.Map;

/**
 * How an execution ended. {@code data} is what {@code ${{ result.… }}} and a
 * check's {@code expect} see; {@code summary} is one line for the operator.
 */
public record StepResult(boolean ok, String summary, Map<String, Object> data) {
    public static StepResult ok(String summary, Map<String, Object> data) {
        return new StepResult(true, summary, data);
    }

    public static StepResult failed(String summary, Map<String, Object> data) {
        return new StepResult(false, summary, data);
    }
}
