package dev.lockstep.engine;

import dev.lockstep.expr.Scope;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.secret.Redactor;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.store.Exclusion;
import dev.lockstep.store.HeldRun;
import dev.lockstep.store.RunHolder;
import dev.lockstep.store.StateStore;
import dev.lockstep.store.StepLog;
import dev.lockstep.store.TakenOver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An open run: its runbook, parameters, journal and replayed state, held in its store (the
 * journal's lock, or the lease). All changes go through {@link #append}, which
 * checks the run and step state machines, journals, and only then updates the in-memory
 * state and tells the listeners.
 */
public final class Run implements AutoCloseable {
    private final String id;
    private final Runbook runbook;
    private final Params params;
    private final StateStore store;
    private final HeldRun journal;
    private final RunSnapshot snapshot;
    private final Exclusion lock;
    private final RunListener listener;
    /** Real values of outputs that held a secret (the journal has them masked), by step and output name. */
    private final Map<String, Map<String, Object>> secretOutputs = new HashMap<>();
    /** How long the farewell after a take-over waits for the taker to record it. */
    private static final long TAKER_PATIENCE_SECONDS = 5;
    /** What stops this process acting once the run is taken from it (the engine's interrupt). */
    private final List<Runnable> whenTakenOver = new CopyOnWriteArrayList<>();
    /** Set once the hold is let go: the run was taken over, or closed. */
    private boolean released;
    /** What expressions see of the steps, kept as events are applied (see {@link #stepValues}). */
    private final StepValues stepValues = new StepValues();
    /** Events applied to the snapshot, the ones it was replayed from included. */
    private long applied;

    Run(String id, Runbook runbook, Params params, StateStore store, HeldRun journal, RunSnapshot snapshot,
        Exclusion lock, RunListener listener) {
        this.id = id;
        this.runbook = runbook;
        this.params = params;
        this.store = store;
        this.journal = journal;
        this.snapshot = snapshot;
        this.lock = lock;
        this.listener = new MaskingListener(listener, params.redactor());
        journal.redactWith(params.redactor());
        journal.onNotice(this.listener::notice);
        journal.onTakenOver(this::takenOver);
        applied = snapshot.events().size();
        for (String step : snapshot.steps().keySet()) refreshStepValues(step);
    }

    /**
     * Another process took the run: the screen says so at once, what this process was doing is
     * stopped (a step in flight is recorded in doubt while the hold still allows it), and the hold
     * is let go, which the local store's taker waits for.
     */
    private void takenOver(TakenOver by) {
        listener.takenOver(by);
        whenTakenOver.forEach(Runnable::run);
        release();
    }

    /**
     * The run as stored, once the process that took it has recorded so (RUN_RESUMED, written
     * right after it took the hold): until then its hold may still name this process. Waits a
     * few seconds at most; a taker that died before recording anything is not waited for longer.
     */
    private RunSnapshot afterTakeOver() {
        long known = snapshot.events().size();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TAKER_PATIENCE_SECONDS);
        while (true) {
            StateStore.Stored stored = store.read(id);
            boolean recorded = stored.events().stream().anyMatch(e -> e.seq() > known && e.type() == EventType.RUN_RESUMED);
            if (recorded || System.nanoTime() > deadline) return RunSnapshot.replay(id, stored.source(), stored.events());
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return RunSnapshot.replay(id, stored.source(), stored.events());
            }
        }
    }

    /** {@code stop} is done when another process takes the run, before this process lets it go. */
    public void whenTakenOver(Runnable stop) {
        whenTakenOver.add(stop);
    }

    /** Who took the run from this process, once another took it. */
    public Optional<TakenOver> takenOver() {
        return journal.lostTo();
    }

    /**
     * After a take-over, one line: by whom and when, and where the run stands now by its records
     * (the new driver's doing), with the way on that fits: none for a finished run, watching for
     * one that is driven, resuming for one that was let go since.
     */
    public String takenOverFarewell(TakenOver by) {
        RunSnapshot now = afterTakeOver();
        Optional<RunHolder> driver = now.status().isFinished() ? Optional.empty() : store.holder(id).filter(RunHolder::live);
        DisplayedState state = DisplayedState.of(now, driver.isPresent());
        return "run " + id + " was " + by.describe() + "; its state now: " + state.label()
                + (state.isFinished() ? "" : driver.isPresent() ? ", driven by " + driver.get().who() + " (follow it: `lockstep watch "
                + id + "`)" : ". Continue with: `lockstep resume " + id + "`");
    }

    /**
     * A run another process drives, seen from here ({@code lockstep watch}): nothing can be appended;
     * its events arrive through {@link #observed}.
     */
    public static Run watching(String id, Runbook runbook, Params params, StateStore store, RunSnapshot snapshot,
                               RunListener listener) {
        return new Run(id, runbook, params, store, new Watched(id, store), snapshot, Exclusion.NONE, listener);
    }

    /** An event the driver wrote, as a watcher reads it: applied through the same state machines, then shown. */
    public synchronized void observed(Event e) {
        applied(e);
        listener.event(e, tookIfEnded(e));
    }

    public synchronized Event append(EventType type, String step, EventData data) {
        if (released) {
            throw new LockstepException(ErrorCode.LOCK_HELD, "run " + id + takenOver().map(t -> " was " + t.describe())
                    .orElse(" is no longer held by this process") + "; this process records nothing more");
        }
        snapshot.requireAllowed(type, step);
        Event e = journal.append(type, step, data);
        CrashPoint.journaled(e);
        applied(e);
        listener.event(e, tookIfEnded(e));
        return e;
    }

    private void applied(Event e) {
        snapshot.apply(e);
        applied++;
        if (e.step() != null) refreshStepValues(e.step());
    }

    /** Brings what expressions see of {@code step} up to date with the snapshot and the secret outputs kept here. */
    private void refreshStepValues(String step) {
        RunSnapshot.StepRecord r = snapshot.step(step);
        stepValues.set(step, applied, r.state() == StepState.SUCCEEDED ? outputsOf(step, r) : null, r.startedAt());
    }

    /** The step's duration by the snapshot, when {@code e} (just applied) ends the step; else null. */
    private Duration tookIfEnded(Event e) {
        return switch (e.type()) {
            case STEP_SUCCEEDED, STEP_FAILED, STEP_HALTED, STEP_IN_DOUBT -> snapshot.step(e.step()).duration();
            default -> null;
        };
    }

    /**
     * Journals a step's success. Outputs whose value holds a secret are journaled masked and
     * named as such; their real value stays in this process for the steps that follow.
     */
    synchronized Event succeed(String step, String summary, Map<String, Object> outputs, long durationMs) {
        Map<String, Object> kept = new LinkedHashMap<>();
        List<String> secret = new ArrayList<>();
        Redactor r = params.redactor();
        outputs.forEach((name, value) -> {
            if (!Objects.equals(r.redactTree(value), value)) {
                secret.add(name);
                kept.put(name, value);
            }
        });
        Event e = append(EventType.STEP_SUCCEEDED, step, new EventData.Succeeded(summary, outputs, durationMs, secret));
        secretOutputs.put(step, kept);
        refreshStepValues(step);
        return e;
    }

    /**
     * What later steps see of earlier steps' outputs: journaled values, and for outputs that
     * held a secret the real value when this process produced it. One it did not produce
     * (the run was resumed since) is withheld with a message saying how to produce it again.
     */
    public synchronized Map<String, Map<String, Object>> outputs() {
        Scope.Steps now = stepValues();
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (String step : snapshot.steps().keySet()) {
            Map<String, Object> values = now.outputs(step);
            if (values != null) out.put(step, values);
        }
        return out;
    }

    /**
     * What expressions see of the steps now ({@code steps.ID.outputs} as {@link #outputs} gives them, and
     * {@code steps.ID.startedAt}): it stays as it is while the run goes on, and costs nothing to take.
     */
    public synchronized Scope.Steps stepValues() {
        return stepValues.asOf(applied);
    }

    private Map<String, Object> outputsOf(String step, RunSnapshot.StepRecord r) {
        Map<String, Object> values = new LinkedHashMap<>(r.outputs());
        Map<String, Object> kept = secretOutputs.getOrDefault(step, Map.of());
        for (String name : r.secretOutputs()) {
            values.put(name, kept.containsKey(name) ? kept.get(name) : new Scope.Withheld("steps." + step + ".outputs."
                    + name + " held a secret, which lockstep never writes down, and this process did not produce it "
                    + "(the run was resumed since): run step " + step + " again to produce it (lockstep resume " + id
                    + " --retry " + step + ")"));
        }
        return values;
    }

    /** Whether a succeeded step has secret outputs this process does not know: retrying it is the way to get them. */
    public synchronized boolean hasWithheldOutputs(String step) {
        RunSnapshot.StepRecord r = snapshot.step(step);
        return r != null && r.state() == StepState.SUCCEEDED
                && !secretOutputs.getOrDefault(step, Map.of()).keySet().containsAll(r.secretOutputs());
    }

    public String id() {
        return id;
    }

    public Runbook runbook() {
        return runbook;
    }

    public Params params() {
        return params;
    }

    public Redactor redactor() {
        return params.redactor();
    }

    public StateStore store() {
        return store;
    }

    /** Opens one of the run's logs (a step's, or the runbook rollback's) to append output to it. */
    public StepLog openLog(String name) throws IOException {
        return journal.openLog(name);
    }

    public RunSnapshot snapshot() {
        return snapshot;
    }

    public RunListener listener() {
        return listener;
    }

    @Override
    public void close() {
        release();
    }

    private synchronized void release() {
        if (released) return;
        released = true;
        // The runbook's lock first: a local taker waits for the journal's, then takes the runbook's at once.
        try {
            lock.close();
        } finally {
            journal.close();
        }
    }

    /** The hold of a watcher: none. */
    private record Watched(String runId, StateStore store) implements HeldRun {
        @Override
        public String source() {
            return store.describe() + " (watched)";
        }

        @Override
        public List<Event> events() {
            return List.of();
        }

        @Override
        public List<String> records() {
            return List.of();
        }

        @Override
        public List<String> warnings() {
            return List.of();
        }

        @Override
        public void redactWith(Redactor redactor) {}

        @Override
        public Event append(EventType type, String step, EventData data) {
            throw new IllegalStateException("a watched run is read-only");
        }

        @Override
        public StepLog openLog(String log) throws IOException {
            throw new IOException("a watched run is read-only");
        }

        @Override
        public void appendRecords(List<String> records) {
            throw new IllegalStateException("a watched run is read-only");
        }

        @Override
        public void replaceLog(String log, List<String> lines) {
            throw new IllegalStateException("a watched run is read-only");
        }

        @Override
        public void markMoved(String to) {
            throw new IllegalStateException("a watched run is read-only");
        }

        @Override
        public void close() {}
    }

    /** Masks notices on their way out; events are masked when journaled and lines by their step. */
    private record MaskingListener(RunListener inner, Redactor redactor) implements RunListener {
        @Override
        public void event(Event e, Duration stepTook) {
            inner.event(e, stepTook);
        }

        @Override
        public void line(String stepId, String text) {
            inner.line(stepId, redactor.redact(text));
        }

        @Override
        public void notice(String text) {
            inner.notice(redactor.redact(text));
        }

        @Override
        public void windowAtRisk(String text) {
            inner.windowAtRisk(redactor.redact(text));
        }

        @Override
        public void takenOver(TakenOver by) {
            inner.takenOver(by);
        }
    }
}
