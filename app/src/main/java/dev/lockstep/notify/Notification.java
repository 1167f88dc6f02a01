package dev.lockstep.notify;

import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.spi.MachineText;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a receiver is told, as the JSON document of docs/operator-guide.md ("Notifications"): a {@code schema}
 * version, the {@code event}, the run, the step, the reason and evidence, and a one-line {@code text} that a Slack
 * incoming webhook (or anything that reads {@code text}) shows as it is.
 */
public record Notification(String event, About run, String step, String reason, String evidence, java.time.Instant at, Long seq) {
    public static final String SCHEMA = "lockstep.notification/1";

    /** The run a notification is about. */
    public record About(String id, String runbook, String title, String host) {}

    /** The notification an event makes, or null when it is not one people are told of. */
    static Notification of(About run, Event e) {
        return switch (e.type()) {
            case STEP_HALTED -> {
                EventData.Halted h = (EventData.Halted) e.data();
                yield new Notification("halted", run, e.step(), h.reason(), h.evidence(), e.time(), e.seq());
            }
            case STEP_FAILED -> new Notification("failed", run, e.step(), ((EventData.Reason) e.data()).reason(), null, e.time(), e.seq());
            case STEP_IN_DOUBT -> new Notification("in-doubt", run, e.step(), ((EventData.Reason) e.data()).reason(), null, e.time(), e.seq());
            case STEP_AWAITING -> new Notification("awaiting-" + ((EventData.Awaiting) e.data()).gate(), run, e.step(), null, null, e.time(), e.seq());
            case STEP_ROLLBACK_FAILED ->
                    new Notification("rollback-failed", run, e.step(), ((EventData.Reason) e.data()).reason(), null, e.time(), e.seq());
            case RUN_FINISHED -> new Notification("finished", run, null, null, null, e.time(), e.seq());
            case ROLLBACK_FINISHED -> new Notification("rolled-back", run, null, null, null, e.time(), e.seq());
            default -> null;
        };
    }

    /** The window at risk, said before the next step starts (not a journal event: it is worked out from history). */
    static Notification windowAtRisk(About run, String text) {
        return new Notification("window-at-risk", run, null, text, null, java.time.Instant.now(), null);
    }

    /** One line a person reads in a chat: what happened to which run, and what it needs. */
    public String text() {
        String what = switch (event) {
            case "halted" -> "step " + step + " halted: " + reason + (evidence != null ? " (evidence: " + evidence + ")" : "");
            case "failed" -> "step " + step + " failed: " + reason;
            case "in-doubt" -> "step " + step + " is in doubt and needs a decision: " + reason;
            case "awaiting-confirmation" -> "step " + step + " waits for a typed confirmation";
            case "awaiting-decision" -> "step " + step + " waits for a decision on what it did";
            case "awaiting-approval" -> "step " + step + " waits for approval: lockstep approve " + run.id() + " " + step;
            case "rollback-failed" -> "the rollback of step " + step + " failed: " + reason;
            case "finished" -> "the run finished: every step done";
            case "rolled-back" -> "the run was rolled back";
            case "window-at-risk" -> reason;
            default -> event;
        };
        return MachineText.field("lockstep: " + run.title() + " (run " + run.id() + " on " + run.host() + "): " + what);
    }

    /** The JSON document, every value on one line and bounded. */
    Map<String, Object> document() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("schema", SCHEMA);
        d.put("event", event);
        d.put("text", text());
        d.put("run", run.id());
        d.put("runbook", run.runbook());
        d.put("title", MachineText.field(run.title()));
        d.put("host", run.host());
        d.put("step", step);
        d.put("reason", reason == null ? null : MachineText.field(reason));
        d.put("evidence", evidence == null ? null : MachineText.field(evidence));
        d.put("at", at.toString());
        d.put("seq", seq);
        return d;
    }
}
