package dev.lockstep.cli;

import dev.lockstep.expr.Resolver;
import dev.lockstep.journal.Event;
import dev.lockstep.runbook.Durations;
import dev.lockstep.engine.RunListener;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** The {@code --no-tui} view: one timestamped line per event and per output line. */
final class PlainPrinter implements RunListener {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final PrintStream out;

    PlainPrinter(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void event(Event e) {
        String text = describe(e);
        if (text != null) print(text);
    }

    @Override
    public synchronized void line(String stepId, String text) {
        print("  | " + text);
    }

    @Override
    public synchronized void notice(String text) {
        print("note: " + text);
    }

    private void print(String text) {
        out.println(LocalTime.now().format(TIME) + " " + text);
        out.flush();
    }

    private static String describe(Event e) {
        String s = e.step();
        Map<String, Object> d = e.data();
        return switch (e.type()) {
            case RUN_STARTED -> "run started: " + d.get("title") + " (runbook " + d.get("runbook") + ")";
            case RUN_RESUMED -> "run resumed by " + d.get("by") + (d.containsKey("forced") ? ", forced past: " + d.get("forced") : "");
            case RUN_INTERRUPTED -> "run interrupted; it can be resumed";
            case RUN_FINISHED -> "run finished: all steps done";
            case STEP_CHECKING -> "checking " + s;
            case CHECK_PASSED -> "  check " + (((Number) d.get("index")).intValue() + 1) + " passed: " + d.get("observed");
            case CHECK_FAILED -> "  check " + (((Number) d.get("index")).intValue() + 1) + " FAILED: " + d.get("observed");
            case STEP_BLOCKED -> "step " + s + " not started: precondition not met";
            case STEP_CONFIRMED -> "step " + s + " confirmed by " + d.get("by");
            case STEP_STARTED -> "> step " + s + " started (attempt " + d.get("attempt") + ")";
            case STEP_EXTERNAL_ID -> null;
            case STEP_ATTEMPT_FAILED -> "step " + s + " attempt " + d.get("attempt") + " failed: " + d.get("reason");
            case STEP_SUCCEEDED -> "ok step " + s + " succeeded in " + Durations.format(Duration.ofMillis(
                    ((Number) d.get("durationMs")).longValue())) + ": " + d.get("summary") + outputs(d.get("outputs"));
            case STEP_FAILED -> "FAILED step " + s + ": " + d.get("reason");
            case STEP_HALTED -> "HALTED step " + s + ": " + d.get("reason") + "\n         evidence: " + d.get("evidence");
            case STEP_SKIPPED -> "step " + s + " skipped: " + d.get("reason");
            case STEP_IN_DOUBT -> "step " + s + " is in doubt: " + d.get("reason");
            case STEP_RETRIED -> "step " + s + " will be retried";
            case STEP_OVERRIDDEN -> "halt of step " + s + " overridden by " + d.get("by");
            case STEP_MARKED_DONE -> "step " + s + " marked done by " + d.get("by");
            case STEP_RESET -> "step " + s + " back to pending: " + d.get("reason");
            case ROLLBACK_STARTED -> "rollback started: " + d.get("steps") + (((java.util.List<?>) d.get("withoutRollback")).isEmpty()
                    ? "" : "; no rollback for " + d.get("withoutRollback"));
            case STEP_ROLLBACK_STARTED -> "< rolling back " + s;
            case STEP_ROLLBACK_SUCCEEDED -> "ok " + s + " rolled back";
            case STEP_ROLLBACK_FAILED -> "FAILED rollback of " + s + ": " + d.get("reason");
            case FINAL_ROLLBACK_STARTED -> "< runbook rollback action " + (((Number) d.get("index")).intValue() + 1);
            case FINAL_ROLLBACK_SUCCEEDED -> "ok runbook rollback action " + (((Number) d.get("index")).intValue() + 1);
            case FINAL_ROLLBACK_FAILED -> "FAILED runbook rollback action " + (((Number) d.get("index")).intValue() + 1)
                    + ": " + d.get("reason");
            case ROLLBACK_FINISHED -> "rollback finished";
            case RUN_ABANDONED -> "run abandoned";
        };
    }

    private static String outputs(Object outputs) {
        if (!(outputs instanceof Map<?, ?> m) || m.isEmpty()) return "";
        StringBuilder b = new StringBuilder("; outputs:");
        m.forEach((k, v) -> b.append(' ').append(k).append('=').append(Resolver.render(v)));
        return b.toString();
    }
}
