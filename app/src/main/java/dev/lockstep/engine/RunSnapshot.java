package dev.lockstep.engine;

import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's state, rebuilt by replaying its journal through the step state machine.
 * Resuming a run is exactly this replay; nothing else is consulted.
 */
public final class RunSnapshot {
    private final String runId;
    private final Map<String, Object> start;
    private final Map<String, StepRecord> steps = new LinkedHashMap<>();
    private final Map<Integer, String> finalRollback = new LinkedHashMap<>();
    private final List<Event> events = new ArrayList<>();
    private boolean finished;
    private boolean abandoned;
    private boolean rollbackStarted;
    private boolean rollbackFinished;

    /** Everything known about one step, as the journal tells it. */
    public static final class StepRecord {
        private final String id;
        private StepState state = StepState.PENDING;
        private final Map<String, Object> outputs = new LinkedHashMap<>();
        private final Map<String, String> externalIds = new LinkedHashMap<>();
        private final List<String> notes = new ArrayList<>();
        private Instant startedAt;
        private Instant endedAt;
        private int attempts;
        private String reason;

        StepRecord(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public StepState state() {
            return state;
        }

        public Map<String, Object> outputs() {
            return Collections.unmodifiableMap(outputs);
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

        public Duration duration() {
            if (startedAt == null) return null;
            return Duration.between(startedAt, endedAt != null ? endedAt : Instant.now());
        }

        public Instant startedAt() {
            return startedAt;
        }
    }

    private RunSnapshot(String runId, Map<String, Object> start) {
        this.runId = runId;
        this.start = start;
    }

    /** Replays events; an event the state machine does not allow means the journal is not to be trusted. */
    @SuppressWarnings("unchecked")
    public static RunSnapshot replay(String runId, List<Event> events) {
        if (events.isEmpty() || events.get(0).type() != EventType.RUN_STARTED) {
            throw new LockstepException(ErrorCode.STATE_CORRUPT, "journal of run " + runId + " does not begin with RUN_STARTED");
        }
        RunSnapshot s = new RunSnapshot(runId, events.get(0).data());
        for (Object id : (List<Object>) s.start.get("steps")) s.steps.put((String) id, new StepRecord((String) id));
        for (Event e : events) s.apply(e);
        return s;
    }

    /** Throws, before anything is written, when an event would not be a legal transition. */
    void requireAllowed(EventType type, String step) {
        if (step == null) return;
        StepRecord r = steps.get(step);
        if (r == null || StepStateMachine.next(r.state, type).isEmpty()) {
            throw new IllegalStateException(type + " is not possible for step " + step + " in state "
                    + (r == null ? "(unknown step)" : r.state.label()));
        }
    }

    /** Applies one more event, as the engine appends it. */
    @SuppressWarnings("unchecked")
    void apply(Event e) {
        events.add(e);
        switch (e.type()) {
            case RUN_RESUMED -> {
                Object ids = e.data().get("steps");
                if (ids instanceof List<?> list) {
                    for (Object id : list) steps.putIfAbsent((String) id, new StepRecord((String) id));
                }
            }
            case RUN_STARTED, RUN_INTERRUPTED, CHECK_PASSED -> { }
            case RUN_FINISHED -> finished = true;
            case RUN_ABANDONED -> abandoned = true;
            case ROLLBACK_STARTED -> rollbackStarted = true;
            case ROLLBACK_FINISHED -> rollbackFinished = true;
            case FINAL_ROLLBACK_STARTED -> finalRollback.put(index(e), "running");
            case FINAL_ROLLBACK_SUCCEEDED -> finalRollback.put(index(e), "succeeded");
            case FINAL_ROLLBACK_FAILED -> finalRollback.put(index(e), "failed");
            default -> { }
        }
        if (e.step() == null) return;
        StepRecord r = steps.get(e.step());
        if (r == null) {
            throw new LockstepException(ErrorCode.STATE_CORRUPT,
                    "journal record " + e.seq() + " names step " + e.step() + ", which the run does not have");
        }
        StepState next = StepStateMachine.next(r.state, e.type()).orElseThrow(() -> new LockstepException(
                ErrorCode.STATE_CORRUPT, "journal record " + e.seq() + ": " + e.type() + " is not possible for step "
                + e.step() + " in state " + r.state.label()));
        switch (e.type()) {
            case STEP_STARTED -> {
                if (r.startedAt == null || r.state != StepState.IN_DOUBT) r.startedAt = e.time();
                r.endedAt = null;
                r.attempts++;
            }
            case STEP_EXTERNAL_ID -> r.externalIds.put(e.text("key"), e.text("value"));
            case STEP_SUCCEEDED -> {
                r.endedAt = e.time();
                Object outs = e.data().get("outputs");
                if (outs instanceof Map<?, ?> m) r.outputs.putAll((Map<String, Object>) m);
            }
            case STEP_FAILED, STEP_HALTED, STEP_IN_DOUBT, STEP_BLOCKED -> {
                r.endedAt = e.time();
                r.reason = e.text("reason");
                if (e.type() == EventType.STEP_HALTED) r.notes.add("halted: " + e.text("reason"));
            }
            case STEP_ATTEMPT_FAILED -> {
                r.attempts++;
                r.notes.add("attempt failed: " + e.text("reason"));
            }
            case STEP_SKIPPED -> {
                r.reason = e.text("reason");
                r.notes.add("skipped by " + e.text("by") + ": " + e.text("reason"));
            }
            case STEP_OVERRIDDEN -> r.notes.add("halt overridden by " + e.text("by") + " with typed confirmation '"
                    + e.text("typed") + "'");
            case STEP_MARKED_DONE -> r.notes.add("marked done by " + e.text("by") + " after in-doubt");
            case STEP_CONFIRMED -> r.notes.add("confirmed by " + e.text("by"));
            case STEP_RETRIED -> {
                r.reason = null;
                r.notes.add("retried by " + e.text("by"));
            }
            case STEP_ROLLBACK_FAILED -> r.reason = e.text("reason");
            default -> { }
        }
        r.state = next;
    }

    private static int index(Event e) {
        return ((Number) e.data().get("index")).intValue();
    }

    public String runId() {
        return runId;
    }

    public Map<String, Object> start() {
        return start;
    }

    public String runbookPath() {
        return (String) start.get("runbook");
    }

    public String runbookName() {
        return (String) start.get("name");
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

    public Map<Integer, String> finalRollback() {
        return Collections.unmodifiableMap(finalRollback);
    }

    public boolean rollbackStarted() {
        return rollbackStarted;
    }

    public Map<String, Map<String, Object>> outputsByStep() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        steps.forEach((id, r) -> {
            if (r.state == StepState.SUCCEEDED) out.put(id, r.outputs);
        });
        return out;
    }

    public RunStatus status() {
        if (abandoned) return RunStatus.ABANDONED;
        if (rollbackStarted) {
            boolean failed = steps.values().stream().anyMatch(r -> r.state == StepState.ROLLBACK_FAILED)
                    || finalRollback.containsValue("failed");
            if (failed) return RunStatus.ROLLBACK_FAILED;
            return rollbackFinished ? RunStatus.ROLLED_BACK : RunStatus.ROLLING_BACK;
        }
        if (finished) return RunStatus.SUCCEEDED;
        if (any(StepState.HALTED)) return RunStatus.HALTED;
        if (any(StepState.FAILED)) return RunStatus.FAILED;
        if (any(StepState.IN_DOUBT) || any(StepState.RUNNING) || any(StepState.CHECKING)) return RunStatus.IN_DOUBT;
        Event last = events.get(events.size() - 1);
        if (last.type() == EventType.STEP_BLOCKED) return RunStatus.BLOCKED;
        return RunStatus.PAUSED;
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
}
