package dev.lockstep.runbook;

import dev.lockstep.spi.Action;
import dev.lockstep.spi.Check;
import dev.lockstep.spi.Position;
import dev.lockstep.spi.Value;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One step of a runbook as written (expressions unresolved).
 * {@code digests} hold a digest per top-level key so that resume can say
 * exactly which part of a completed step's definition changed.
 * {@code irreversible} is what the runbook says of the step's effect ({@code irreversible: true|false});
 * null when it says nothing and lockstep tells from the step's type and rollback.
 */
public record StepDef(
        String id,
        String title,
        String description,
        Action action,
        List<Check> checks,
        Map<String, Value.Scalar> outputs,
        Action rollback,
        Confirm confirm,
        Approve approve,
        Duration timeout,
        Retry retry,
        boolean idempotent,
        Boolean irreversible,
        LogPatterns logs,
        Position position,
        Lazy<Map<String, String>> digests) {

    /** A digest per top-level key of the step as written, computed when first asked for. */
    public Map<String, String> fieldDigests() {
        return digests.get();
    }

    public String displayTitle() {
        return title != null ? title : id;
    }

    /** An operator confirmation: a plain yes, or a value (template) that must be typed exactly. */
    public record Confirm(String typed) {
        public boolean isTyped() {
            return typed != null;
        }
    }

    /**
     * Four eyes: the step runs only once {@code count} people other than the gate's wait approved its
     * resolved plan; {@code from} names who may (database roles on a shared store, OS users on a folder;
     * empty: anyone), and {@code notDriver} refuses the driver's own identity.
     */
    public record Approve(int count, List<String> from, boolean notDriver, String message) {
        /** Whether {@code who} may approve, the driver's identity being {@code driver}. */
        public String refusal(String who, String driver) {
            if (notDriver && who.equals(driver)) return who + " drives the run, and this step needs an approval from someone else (notDriver)";
            if (!from.isEmpty() && !from.contains(who)) return who + " may not approve this step: it needs " + String.join(", ", from);
            return null;
        }
    }

    /** Attempts in all (1 = no retry) and the pause between them. */
    public record Retry(int attempts, Duration delay) {
        public static final Retry NONE = new Retry(1, Duration.ZERO);
    }

    /**
     * Regexes over each output line: a haltOn match halts the run, an until match ends the step
     * successfully, every require pattern must have matched some line before the step may
     * succeed (else it halts, naming what is missing), and a line matching an {@code every}
     * rule's {@code lines} that does not match its {@code must} halts the run.
     */
    public record LogPatterns(List<Pattern> haltOn, Pattern until, List<Pattern> require, List<Every> every) {
        public static final LogPatterns NONE = new LogPatterns(List.of(), null, List.of(), List.of());
    }

    /** Every output line of this shape ({@code lines}) must also match {@code must}: "every count line shows [OK]". */
    public record Every(Pattern lines, Pattern must) {}
}
