package dev.lockstep.engine;

import dev.lockstep.expr.Scope;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.secret.Redactor;
import dev.lockstep.store.Exclusion;
import dev.lockstep.store.HeldRun;
import dev.lockstep.store.StateStore;
import dev.lockstep.store.StepLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
        snapshot.apply(e);
        listener.event(e);
    }

    public synchronized Event append(EventType type, String step, EventData data) {
        snapshot.requireAllowed(type, step);
        Event e = journal.append(type, step, data);
        snapshot.apply(e);
        listener.event(e);
        return e;
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
        return e;
    }

    /**
     * What later steps see of earlier steps' outputs: journaled values, and for outputs that
     * held a secret the real value when this process produced it. One it did not produce
     * (the run was resumed since) is withheld with a message saying how to produce it again.
     */
    public synchronized Map<String, Map<String, Object>> outputs() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        snapshot.outputsByStep().forEach((step, journaled) -> {
            Map<String, Object> values = new LinkedHashMap<>(journaled);
            Map<String, Object> kept = secretOutputs.getOrDefault(step, Map.of());
            for (String name : snapshot.step(step).secretOutputs()) {
                values.put(name, kept.containsKey(name) ? kept.get(name) : new Scope.Withheld("steps." + step + ".outputs."
                        + name + " held a secret, which lockstep never writes down, and this process did not produce it "
                        + "(the run was resumed since): run step " + step + " again to produce it (lockstep resume " + id
                        + " --retry " + step + ")"));
            }
            out.put(step, values);
        });
        return out;
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
        try {
            journal.close();
        } finally {
            lock.close();
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
        public void event(Event e) {
            inner.event(e);
        }

        @Override
        public void line(String stepId, String text) {
            inner.line(stepId, redactor.redact(text));
        }

        @Override
        public void notice(String text) {
            inner.notice(redactor.redact(text));
        }
    }
}
