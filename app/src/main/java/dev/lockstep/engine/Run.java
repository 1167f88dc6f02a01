package dev.lockstep.engine;

import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Journal;
import dev.lockstep.journal.RunLock;
import dev.lockstep.journal.StateDir;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.secret.Redactor;
import java.util.Map;

/**
 * An open run: its runbook, parameters, journal and replayed state, held under the
 * runbook's lock. All changes go through {@link #append}, which journals first and
 * only then updates the in-memory state and tells the listeners.
 */
public final class Run implements AutoCloseable {
    private final String id;
    private final Runbook runbook;
    private final Params params;
    private final StateDir stateDir;
    private final Journal journal;
    private final RunSnapshot snapshot;
    private final RunLock lock;
    private final RunListener listener;

    Run(String id, Runbook runbook, Params params, StateDir stateDir, Journal journal, RunSnapshot snapshot,
        RunLock lock, RunListener listener) {
        this.id = id;
        this.runbook = runbook;
        this.params = params;
        this.stateDir = stateDir;
        this.journal = journal;
        this.snapshot = snapshot;
        this.lock = lock;
        this.listener = listener;
        journal.redactWith(params.redactor());
    }

    public synchronized Event append(EventType type, String step, Map<String, Object> data) {
        snapshot.requireAllowed(type, step);
        Event e = journal.append(type, step, data);
        snapshot.apply(e);
        listener.event(e);
        return e;
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

    public StateDir stateDir() {
        return stateDir;
    }

    public RunSnapshot snapshot() {
        return snapshot;
    }

    public RunListener listener() {
        return listener;
    }

    @Override
    public void close() {
        journal.close();
        lock.close();
    }
}
