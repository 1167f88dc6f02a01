package dev.lockstep.engine;

import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A run's state, rebuilt by replaying its journal through the run and step state machines.
 * Resuming a run is exactly this replay; nothing else is consulted.
 */
public final class RunSnapshot {
    private final String runId;
    private final String source;
    private final EventData.RunStarted start;
    private final Map<String, StepRecord> steps = new LinkedHashMap<>();
    private final Map<Integer, String> finalRollback = new LinkedHashMap<>();
    private final Map<Integer, Map<String, String>> finalRollbackIds = new LinkedHashMap<>();
    private final List<Event> events = new ArrayList<>();
    private RunStateMachine.Phase phase = RunStateMachine.Phase.NEW;
    private EventData.RollbackStarted rollback;
    private EventData.RunResumed lastResume;
    private RunPlace place = RunPlace.UNRECORDED;
    private String awaiting;
    private Instant firstStepEventAt;
    private Instant finishedAt;
    private long undone;

    /** Everything known about one step, as the journal tells it. */
    public static final class StepRecord {
        private final String id;
        private StepState state = StepState.PENDING;
        private final Map<String, Object> outputs = new LinkedHashMap<>();
        private final List<String> secretOutputs = new ArrayList<>();
        private final Map<String, String> externalIds = new LinkedHashMap<>();
        private final List<String> notes = new ArrayList<>();
        private Instant startedAt;
        private Instant endedAt;
        private int attempts;
        private String reason;
        private String evidence;
        private EventData.Awaiting approvalGate;
        private final List<EventData.Approval> approvals = new ArrayList<>();
        private final Set<String> journaledApprovals = new HashSet<>();

        StepRecord(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public StepState state() {
            return state;
        }

        /** Outputs as journaled: values that held a secret are masked here (see {@link #secretOutputs}). */
        public Map<String, Object> outputs() {
            return Collections.unmodifiableMap(outputs);
        }

        /** Outputs whose value held a secret, so the journal has only their masked form. */
        public List<String> secretOutputs() {
            return Collections.unmodifiableList(secretOutputs);
        }

        public Map<String, String> externalIds() {
            return Collections.unmodifiableMap(externalIds);
        }

        /** Overrides, skips, confirmations and halts, as one line each, for show and report. */
        public List<String> notes() {
            return Collections.unmodifiableList(notes);
        }

        public int attempts() {
            return attempts;
        }

        /** Why the step last failed, halted, was blocked or skipped. */
        public String reason() {
            return reason;
        }

        /** What the step's last halt found, in one line (the line that matched, the differing tables); null if it did not halt. */
        public String evidence() {
            return evidence;
        }

        public Duration duration() {
            if (startedAt == null) return null;
            return Duration.between(startedAt, endedAt != null ? endedAt : Instant.now());
        }

        public Instant startedAt() {
            return startedAt;
        }

        /** The approval gate the step last waited at, until it starts, is rejected or skipped; null otherwise. */
        public EventData.Awaiting approvalGate() {
            return approvalGate;
        }

        /** The approvals journaled since the step's last rejection, of whatever plan digest. */
        public List<EventData.Approval> approvals() {
            return Collections.unmodifiableList(approvals);
        }

        /** Whether the store's record {@code id} of an approval or rejection is journaled already. */
        public boolean journaled(String approvalId) {
            return journaledApprovals.contains(approvalId);
        }

        /** The distinct approvers of the plan with {@code digest}. */
        public Set<String> approvers(String digest) {
            Set<String> who = new LinkedHashSet<>();
            for (EventData.Approval a : approvals) if (a.digest().equals(digest)) who.add(a.by());
            return who;
        }

        /** When the step last ended (succeeded, failed, halted, skipped); null while it runs or before it ran. */
        public Instant endedAt() {
            return endedAt;
        }
    }

    private RunSnapshot(String runId, String source, EventData.RunStarted start) {
        this.runId = runId;
        this.source = source;
        this.start = start;
    }

    /**
     * Replays events; an event the state machines do not allow means the journal is not to
     * be trusted. {@code source} names the journal in messages (record N is its line N).
     */
    public static RunSnapshot replay(String runId, String source, List<Event> events) {
        if (events.isEmpty()) {
            throw new LockstepException(ErrorCode.STATE_CORRUPT, source + ":1: the journal has no complete first record "
                    + "(the process stopped, or the disk filled, while it was created): the run never started");
        }
        if (!(events.get(0).data() instanceof EventData.RunStarted rs)) {
            throw new LockstepException(ErrorCode.STATE_CORRUPT, source + ":1: the journal does not begin with RUN_STARTED");
        }
        RunSnapshot s = new RunSnapshot(runId, source, rs);
        for (String id : rs.steps()) s.steps.put(id, new StepRecord(id));
        for (Event e : events) s.apply(e);
        return s;
    }

    /** Why an event cannot be applied now, or null when both state machines allow it. */
    String refusal(EventType type, String step) {
        RunStateMachine.Phase next = RunStateMachine.next(phase, type).orElse(null);
        if (next == null) return type + " is not possible while the run is " + phase.name().toLowerCase().replace('_', '-');
        switch (RunStateMachine.guard(phase, type)) {
            case ALL_STEPS_DONE -> {
                for (StepRecord r : steps.values()) {
                    if (!r.state.isDone()) return type + " is not possible: step " + r.id + " is " + r.state.label();
                }
            }
            case ROLLBACK_COMPLETE -> {
                String missing = rollbackIncomplete();
                if (missing != null) return type + " is not possible: " + missing;
            }
            case NONE -> { }
        }
        if (type.isStepEvent()) {
            StepRecord r = steps.get(step);
            if (r == null) return type + " names step " + step + ", which the run does not have";
            if (StepStateMachine.next(r.state, type).isEmpty()) {
                return type + " is not possible for step " + step + " in state " + r.state.label();
            }
        }
        return null;
    }

    private String rollbackIncomplete() {
        for (String id : rollback.steps()) {
            StepRecord r = steps.get(id);
            if (r == null || r.state != StepState.ROLLED_BACK) {
                return "step " + id + " is " + (r == null ? "unknown" : r.state.label()) + ", not rolled back";
            }
        }
        int actions = rollback.runbookActions() == null ? finalRollback.size() : rollback.runbookActions();
        for (int i = 0; i < actions; i++) {
            if (!"succeeded".equals(finalRollback.get(i))) return "runbook rollback action " + (i + 1) + " has not succeeded";
        }
        return null;
    }

    /** Throws, before anything is written, when an event would not be a legal transition. */
    void requireAllowed(EventType type, String step) {
        String why = refusal(type, step);
        if (why != null) throw new IllegalStateException("run " + runId + ": " + why);
    }

    /** Applies one more event, as the engine appends it or replay reads it. */
    void apply(Event e) {
        String why = refusal(e.type(), e.step());
        if (why != null) {
            throw new LockstepException(ErrorCode.STATE_CORRUPT, source + ":" + e.seq() + ": " + why
                    + "; refusing to guess the run's state");
        }
        events.add(e);
        RunStateMachine.Phase before = phase;
        phase = RunStateMachine.next(phase, e.type()).orElseThrow();
        EventData d = e.data();
        // An approval journaled while more are needed leaves the driver waiting at its gate.
        awaiting = d instanceof EventData.Awaiting a ? a.gate() : e.type() == EventType.STEP_APPROVED ? awaiting : null;
        if (firstStepEventAt == null && e.type().isStepEvent()) firstStepEventAt = e.time();
        if (phase != before) finishedAt = status().isFinished() ? e.time() : null;
        if (d instanceof EventData.RunStarted rs && rs.placeOptions() != null) {
            place = new RunPlace(rs.placeOptions(), rs.place());
        }
        if (d instanceof EventData.RunResumed rr) {
            lastResume = rr;
            if (rr.placeOptions() != null) place = new RunPlace(rr.placeOptions(), rr.place());
            for (String id : rr.steps()) steps.putIfAbsent(id, new StepRecord(id));
        } else if (d instanceof EventData.RollbackStarted rs) {
            rollback = rs;
        } else if (d instanceof EventData.RunbookAction a) {
            finalRollback.put(a.index(), "running");
        } else if (d instanceof EventData.RunbookActionDone a) {
            finalRollback.put(a.index(), "succeeded");
        } else if (d instanceof EventData.RunbookActionFailed a) {
            finalRollback.put(a.index(), "failed");
        } else if (d instanceof EventData.RunbookActionExternalId a) {
            finalRollbackIds.computeIfAbsent(a.index(), k -> new LinkedHashMap<>()).put(a.key(), a.value());
        }
        if (e.step() != null) applyToStep(steps.get(e.step()), e);
    }

    private void applyToStep(StepRecord r, Event e) {
        StepState next = StepStateMachine.next(r.state, e.type()).orElseThrow();
        if (r.state.isDone() && !next.isDone()) undone++;
        EventData d = e.data();
        if (d instanceof EventData.Awaiting a && EventData.Awaiting.APPROVAL.equals(a.gate())) r.approvalGate = a;
        if (e.type() == EventType.STEP_STARTED || e.type() == EventType.STEP_SKIPPED) r.approvalGate = null;
        if (d instanceof EventData.Approval a) {
            r.journaledApprovals.add(a.id());
            if (e.type() == EventType.STEP_APPROVED) {
                r.approvals.add(a);
                r.notes.add("approved by " + a.by() + " from " + a.host() + " at " + a.at() + " (plan " + shortDigest(a.digest()) + ")");
            } else {
                r.approvals.clear();
                r.approvalGate = null;
                r.endedAt = e.time();
                r.reason = "rejected by " + a.by() + ": " + a.reason();
                r.notes.add("rejected by " + a.by() + " from " + a.host() + " at " + a.at() + " (plan " + shortDigest(a.digest())
                        + "): " + a.reason());
            }
        }
        if (d instanceof EventData.StepStarted) {
            r.evidence = null;
            if (r.startedAt == null || r.state != StepState.IN_DOUBT) r.startedAt = e.time();
            r.endedAt = null;
            r.attempts++;
        } else if (d instanceof EventData.ExternalId x) {
            r.externalIds.put(x.key(), x.value());
        } else if (d instanceof EventData.Succeeded s) {
            r.endedAt = e.time();
            r.outputs.clear();
            r.outputs.putAll(s.outputs());
            r.secretOutputs.clear();
            if (s.secretOutputs() != null) r.secretOutputs.addAll(s.secretOutputs());
        } else if (d instanceof EventData.Halted h) {
            r.endedAt = e.time();
            r.reason = h.reason();
            r.evidence = h.evidence() == null || h.evidence().isBlank() ? null : h.evidence();
            r.notes.add("halted: " + h.reason());
        } else if (d instanceof EventData.Reason why && e.type() != EventType.STEP_RESET) {
            r.reason = why.reason();
            if (e.type() != EventType.STEP_ROLLBACK_FAILED) r.endedAt = e.time();
        } else if (d instanceof EventData.AttemptFailed a) {
            r.attempts++;
            r.notes.add("attempt failed: " + a.reason());
        } else if (d instanceof EventData.ByReason skipped) {
            r.reason = skipped.reason();
            r.notes.add("skipped by " + skipped.by() + ": " + skipped.reason());
        } else if (d instanceof EventData.Overridden o) {
            r.notes.add("halt overridden by " + o.by() + " with typed confirmation '" + o.typed() + "'");
        } else if (d instanceof EventData.Confirmed c) {
            r.notes.add("confirmed by " + c.by());
        } else if (d instanceof EventData.By by && e.type() == EventType.STEP_MARKED_DONE) {
            r.notes.add("marked done by " + by.by() + " after in-doubt");
        } else if (d instanceof EventData.By by && e.type() == EventType.STEP_RETRIED) {
            r.reason = null;
            r.notes.add("retried by " + by.by());
        }
        r.state = next;
    }

    private static String shortDigest(String digest) {
        return digest.length() > 12 ? digest.substring(0, 12) : digest;
    }

    public String runId() {
        return runId;
    }

    /** Where the run acts: as it was started, or as the last resume that moved it recorded. */
    public RunPlace place() {
        return place;
    }

    public EventData.RunStarted start() {
        return start;
    }

    public String runbookPath() {
        return start.runbook();
    }

    public String runbookName() {
        return start.name();
    }

    /** The runbook's checksum as last recorded (at start or at the latest resume). */
    public String checksum() {
        return lastResume != null ? lastResume.checksum() : start.checksum();
    }

    /** The step definitions' digests as last recorded (at start or at the latest resume). */
    public Map<String, Map<String, String>> definitions() {
        return lastResume != null ? lastResume.definitions() : start.definitions();
    }

    public Map<String, StepRecord> steps() {
        return Collections.unmodifiableMap(steps);
    }

    public StepRecord step(String id) {
        return steps.get(id);
    }

    public List<Event> events() {
        return Collections.unmodifiableList(events);
    }

    /** How many times a step went from done (succeeded or skipped) back to not done: retried, or rolled back. */
    long undone() {
        return undone;
    }

    public RunStateMachine.Phase phase() {
        return phase;
    }

    /** Each runbook-level rollback action's state by index: running, succeeded or failed. */
    public Map<Integer, String> finalRollback() {
        return Collections.unmodifiableMap(finalRollback);
    }

    /** External ids of one runbook-level rollback action, kept apart from every step's. */
    public Map<String, String> finalRollbackIds(int index) {
        return Collections.unmodifiableMap(finalRollbackIds.getOrDefault(index, Map.of()));
    }

    public boolean rollbackStarted() {
        return rollback != null;
    }

    public Map<String, Map<String, Object>> outputsByStep() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        steps.forEach((id, r) -> {
            if (r.state == StepState.SUCCEEDED) out.put(id, r.outputs);
        });
        return out;
    }

    public RunStatus status() {
        switch (phase) {
            case ABANDONED:
                return RunStatus.ABANDONED;
            case ROLLED_BACK:
                return RunStatus.ROLLED_BACK;
            case ROLLING_BACK:
                boolean failed = any(StepState.ROLLBACK_FAILED) || finalRollback.containsValue("failed");
                return failed ? RunStatus.ROLLBACK_FAILED : RunStatus.ROLLING_BACK;
            case SUCCEEDED:
                return RunStatus.SUCCEEDED;
            default:
                break;
        }
        if (any(StepState.HALTED)) return RunStatus.HALTED;
        if (any(StepState.FAILED)) return RunStatus.FAILED;
        if (any(StepState.IN_DOUBT) || running()) return RunStatus.IN_DOUBT;
        Event last = events.get(events.size() - 1);
        if (last.type() == EventType.STEP_BLOCKED) return RunStatus.BLOCKED;
        if (events.stream().noneMatch(e -> e.type().isStepEvent())) return RunStatus.READY;
        return RunStatus.PAUSED;
    }

    /**
     * The gate the driver waits at for a person ({@link EventData.Awaiting#CONFIRMATION} or
     * {@link EventData.Awaiting#DECISION}) when that is the last thing journaled, else null.
     */
    public String awaitingGate() {
        return awaiting;
    }

    /** When the run's clock starts: its first step event (setting up before that is not the run's time), or null. */
    public Instant clockStartedAt() {
        return firstStepEventAt;
    }

    /** When the run finished (succeeded, rolled back or abandoned), or null while it has not. */
    public Instant finishedAt() {
        return finishedAt;
    }

    private boolean any(StepState s) {
        return steps.values().stream().anyMatch(r -> r.state == s);
    }

    public Instant startedAt() {
        return events.get(0).time();
    }

    public Instant lastEventAt() {
        return events.get(events.size() - 1).time();
    }

    /** A step is running or being checked, as far as the journal says (its driver may have died meanwhile). */
    boolean running() {
        return any(StepState.RUNNING) || any(StepState.CHECKING);
    }

    /** Who last started or resumed the run, with the pid it recorded. */
    public long driverPid() {
        return lastResume != null ? lastResume.pid() : start.pid();
    }
}
