package dev.lockstep.spi;

import java.nio.file.Path;
import java.util.Map;

/** What the engine gives a step while it executes. */
public interface StepContext {
    String stepId();

    /** The runbook's folder: relative paths in a step are relative to it. */
    Path workDir();

    /** The process environment, lockstep's options and the runbook's context (AWS account, region). */
    Settings settings();

    /** Extra environment for child processes (expression values, never pasted into scripts). */
    Map<String, String> env();

    /** Resolves {@code ${{ }}} expressions in text the step read itself (a task definition file); throws {@link ResolutionException}. */
    Object resolve(String template);

    /** Sends one line of output to the journal's step log, the screen and the haltOn/until/require patterns. */
    void line(String text);

    /**
     * Sends one line of lockstep's own about the step (what it follows, what it started or
     * stopped) to the step log and the screen as {@code [lockstep] text}. The log patterns
     * never see it: they judge what the watched work wrote, and a log group or task named
     * {@code relay-ready} must not end a step that waits for "ready".
     */
    void note(String text);

    /**
     * Why the step's own output halts it (a {@code haltOn} line), or null. The step is being
     * stopped then: it may stop the outside work it started (a task) and return a result
     * saying so, which the halt carries.
     */
    default String halting() {
        return null;
    }

    /**
     * Why the step is being stopped while it runs: its {@code haltOn} line ({@link #halting}) or its
     * timeout; null otherwise. A step may then stop the outside work it started and say so. The
     * operator stopping the run is not one of these: the step is left in doubt, its work as it is,
     * for resume to re-attach.
     */
    default String stopping() {
        return halting();
    }

    /** Journals an id of outside work (a task ARN, a stack update) before the step goes on, so resume can re-attach. */
    void recordExternalId(String key, String value);

    /** Ids recorded by an earlier attempt of this same step, for re-attaching on resume. */
    Map<String, String> externalIds();

    /** Evaluates a check (as {@code wait} does) and says whether it holds. */
    CheckOutcome evaluate(Check check) throws Exception;

    /** Asks the operator to do something by hand and confirm; false when declined or unavailable. */
    boolean askOperator(String instructions);

    /** The outcome of one check: whether it held, and what was observed. */
    record CheckOutcome(boolean holds, String observed) {}
}
