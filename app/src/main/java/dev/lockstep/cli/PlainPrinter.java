package dev.lockstep.cli;

import dev.lockstep.engine.RunListener;
import dev.lockstep.expr.Resolver;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.LocalClock;
import dev.lockstep.output.TerminalText;
import dev.lockstep.spi.Durations;
import dev.lockstep.spi.MachineText;
import java.io.PrintStream;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The {@code --no-tui} view: one timestamped line per event and per output line. An event's line holds values
 * from steps and runbooks written on one line and bounded ({@link MachineText#field}); a step's output line is
 * bounded and shown as the full screen shows it ({@link TerminalText#sanitize}).
 */
final class PlainPrinter implements RunListener {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private final PrintStream out;
    /** Under GitHub Actions: each step's lines folded into a log group of their own; else null. */
    private final GithubActions github;
    private final boolean colour;
    private String openGroup;

    PlainPrinter(Cli cli) {
        this.out = cli.out;
        this.github = cli.github;
        this.colour = TerminalText.colour(cli.env);
    }

    @Override
    public synchronized void event(Event e) {
        event(e, null);
    }

    @Override
    public synchronized void event(Event e, Duration stepTook) {
        if (github != null) group(e);
        String text = describe(e, stepTook);
        if (text != null) print(text);
        if (e.type() == EventType.STEP_HALTED) {
            out.println("         evidence: " + MachineText.field(e.data(EventData.Halted.class).evidence()));
        }
    }

    /**
     * Opens a group when a step (or a rollback action) begins, and closes it before the line that
     * says how it ended, so that a failure stays visible with every group folded.
     */
    private void group(Event e) {
        String subject = switch (e.type()) {
            case STEP_CHECKING, STEP_STARTED -> "step " + e.step();
            case STEP_ROLLBACK_STARTED -> "rollback of step " + e.step();
            case FINAL_ROLLBACK_STARTED -> "runbook rollback action " + (e.data(EventData.RunbookAction.class).index() + 1);
            default -> null;
        };
        if (subject != null) {
            if (subject.equals(openGroup)) return;
            closeGroup();
            github.group(subject);
            openGroup = subject;
        } else if (e.type() != EventType.CHECK_PASSED && e.type() != EventType.CHECK_FAILED
                && e.type() != EventType.STEP_CONFIRMED && e.type() != EventType.STEP_AWAITING && e.type() != EventType.STEP_EXTERNAL_ID
                && e.type() != EventType.STEP_ATTEMPT_FAILED && e.type() != EventType.FINAL_ROLLBACK_EXTERNAL_ID) {
            closeGroup();
        }
    }

    private void closeGroup() {
        if (openGroup == null) return;
        github.endGroup();
        openGroup = null;
    }

    @Override
    public synchronized void line(String stepId, String text) {
        out.println(LocalClock.now().format(TIME) + "   | " + TerminalText.sanitize(MachineText.bounded(text, MachineText.FIELD_LIMIT), colour));
        out.flush();
    }

    @Override
    public synchronized void notice(String text) {
        print("note: " + text);
    }

    private void print(String text) {
        out.println(LocalClock.now().format(TIME) + " " + MachineText.field(text));
        out.flush();
    }

    private static String describe(Event e, Duration stepTook) {
        String s = e.step();
        EventData d = e.data();
        return switch (e.type()) {
            case RUN_STARTED -> "run started: " + e.data(EventData.RunStarted.class).title()
                    + " (runbook " + e.data(EventData.RunStarted.class).runbook() + ")";
            case RUN_RESUMED -> {
                EventData.RunResumed r = e.data(EventData.RunResumed.class);
                yield "run resumed by " + r.by() + (r.tookOver() != null ? ", taking over " + r.tookOver() : "")
                        + (r.forced() != null ? ", forced past: " + r.forced() : "");
            }
            case RUN_INTERRUPTED -> "run interrupted; it can be resumed";
            case RUN_FINISHED -> "run finished: all steps done";
            case STEP_CHECKING -> "checking " + s;
            case CHECK_PASSED -> "  " + check(e.data(EventData.CheckResult.class)) + " passed: "
                    + e.data(EventData.CheckResult.class).observed();
            case CHECK_FAILED -> "  " + check(e.data(EventData.CheckResult.class)) + " FAILED: "
                    + e.data(EventData.CheckResult.class).observed();
            case STEP_BLOCKED -> "step " + s + " not started: " + reason(d);
            case STEP_AWAITING -> {
                EventData.Awaiting a = e.data(EventData.Awaiting.class);
                if (!EventData.Awaiting.APPROVAL.equals(a.gate())) yield "step " + s + " awaits a " + a.gate() + " from its operator";
                yield "step " + s + " AWAITING APPROVAL (" + a.count() + " needed" + (a.from().isEmpty() ? "" : " from "
                        + String.join(" or ", a.from())) + (Boolean.TRUE.equals(a.notDriver()) ? ", not " + a.driver() : "")
                        + ") of its plan: " + String.join("; ", a.plan());
            }
            case STEP_APPROVED -> {
                EventData.Approval a = e.data(EventData.Approval.class);
                yield "step " + s + " approved by " + a.by() + " from " + a.host();
            }
            case STEP_REJECTED -> {
                EventData.Approval a = e.data(EventData.Approval.class);
                yield "REJECTED step " + s + " by " + a.by() + " from " + a.host() + ": " + a.reason();
            }
            case STEP_CONFIRMED -> "step " + s + " confirmed by " + e.data(EventData.Confirmed.class).by();
            case STEP_STARTED -> "> step " + s + " started (attempt " + e.data(EventData.StepStarted.class).attempt() + ")";
            case STEP_EXTERNAL_ID, FINAL_ROLLBACK_EXTERNAL_ID -> null;
            case STEP_ATTEMPT_FAILED -> "step " + s + " attempt " + e.data(EventData.AttemptFailed.class).attempt()
                    + " failed: " + e.data(EventData.AttemptFailed.class).reason();
            case STEP_SUCCEEDED -> {
                EventData.Succeeded ok = e.data(EventData.Succeeded.class);
                yield "ok step " + s + " succeeded" + (stepTook != null ? " in " + Durations.format(stepTook) : "") + ": "
                        + ok.summary() + outputs(ok.outputs());
            }
            case STEP_FAILED -> "FAILED step " + s + ": " + reason(d);
            case STEP_HALTED -> "HALTED step " + s + ": " + e.data(EventData.Halted.class).reason();
            case STEP_SKIPPED -> "step " + s + " skipped: " + e.data(EventData.ByReason.class).reason();
            case STEP_IN_DOUBT -> "step " + s + " is in doubt: " + reason(d);
            case STEP_RETRIED -> "step " + s + " will be retried";
            case STEP_OVERRIDDEN -> "halt of step " + s + " overridden by " + e.data(EventData.Overridden.class).by();
            case STEP_MARKED_DONE -> "step " + s + " marked done by " + e.data(EventData.By.class).by();
            case STEP_RESET -> "step " + s + " back to pending: " + reason(d);
            case ROLLBACK_STARTED -> {
                EventData.RollbackStarted r = e.data(EventData.RollbackStarted.class);
                yield "rollback started: " + r.steps() + (r.withoutRollback().isEmpty() ? "" : "; no rollback for "
                        + r.withoutRollback());
            }
            case STEP_ROLLBACK_STARTED -> "< rolling back " + s;
            case STEP_ROLLBACK_SUCCEEDED -> "ok " + s + " rolled back";
            case STEP_ROLLBACK_FAILED -> "FAILED rollback of " + s + ": " + reason(d);
            case FINAL_ROLLBACK_STARTED -> "< runbook rollback action " + (e.data(EventData.RunbookAction.class).index() + 1);
            case FINAL_ROLLBACK_SUCCEEDED -> "ok runbook rollback action " + (e.data(EventData.RunbookActionDone.class).index() + 1);
            case FINAL_ROLLBACK_FAILED -> "FAILED runbook rollback action "
                    + (e.data(EventData.RunbookActionFailed.class).index() + 1) + ": "
                    + e.data(EventData.RunbookActionFailed.class).reason();
            case ROLLBACK_FINISHED -> "rollback finished";
            case RUN_ABANDONED -> "run abandoned: " + e.data(EventData.ByReason.class).reason();
        };
    }

    /** "check 2 (source exists)": its number, and its name (or step type). */
    static String check(EventData.CheckResult c) {
        return "check " + (c.index() + 1) + " (" + c.check() + ")";
    }

    private static String reason(EventData d) {
        return ((EventData.Reason) d).reason();
    }

    private static String outputs(Object outputs) {
        if (!(outputs instanceof Map<?, ?> m) || m.isEmpty()) return "";
        StringBuilder b = new StringBuilder("; outputs:");
        m.forEach((k, v) -> b.append(' ').append(k).append('=').append(Resolver.render(v)));
        return b.toString();
    }
}
