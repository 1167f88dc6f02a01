package dev.lockstep.engine;

import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Identity;
import dev.lockstep.journal.Journal;
import dev.lockstep.journal.RunLock;
import dev.lockstep.journal.StateDir;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.StepDef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Starts new runs and reopens existing ones, enforcing the lock and the resume rules. */
public final class Runs {
    private final StateDir stateDir;
    private final String version;

    public Runs(StateDir stateDir, String version) {
        this.stateDir = stateDir;
        this.version = version;
    }

    public StateDir stateDir() {
        return stateDir;
    }

    /** Replays a run without locking or writing anything. */
    public RunSnapshot read(String runId) {
        if (!stateDir.exists(runId)) {
            throw new LockstepException(ErrorCode.NOT_FOUND, "no run " + runId + " in " + stateDir.root());
        }
        return RunSnapshot.replay(runId, Journal.read(stateDir.journal(runId)).events());
    }

    /** Warnings from reading the run's journal (a torn last record). */
    public List<String> warnings(String runId) {
        return Journal.read(stateDir.journal(runId)).warnings();
    }

    public List<RunSnapshot> all() {
        List<RunSnapshot> out = new ArrayList<>();
        for (String id : stateDir.runIds()) out.add(read(id));
        return out;
    }

    /** The most recently active unfinished run, of one runbook or of any. */
    public Optional<RunSnapshot> latestUnfinished(String runbookName) {
        List<RunSnapshot> runs = all();
        for (int i = runs.size() - 1; i >= 0; i--) {
            RunSnapshot s = runs.get(i);
            if (!s.status().isFinished() && (runbookName == null || runbookName.equals(s.runbookName()))) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * Starts a run. An unfinished run of the same runbook stops this unless
     * {@code abandonUnfinished}, which marks it abandoned in its own journal.
     */
    public Run start(Runbook runbook, Params params, RunListener listener, String command, boolean abandonUnfinished) {
        RunLock lock = RunLock.acquire(stateDir.lockFile(runbook.name()), command);
        try {
            lock.staleNote().ifPresent(listener::notice);
            for (RunSnapshot old : all()) {
                if (old.status().isFinished() || !runbook.name().equals(old.runbookName())) continue;
                if (!abandonUnfinished) {
                    throw new LockstepException(ErrorCode.UNFINISHED_RUN, "runbook " + runbook.name()
                            + " has an unfinished run " + old.runId() + " (" + old.status().label()
                            + "): continue it with `lockstep resume " + old.runId() + "`, undo it with `lockstep rollback "
                            + old.runId() + "`, or start over with `lockstep run --new` (which marks it abandoned)");
                }
                try (Journal j = Journal.openForAppend(stateDir.journal(old.runId()))) {
                    j.append(EventType.RUN_ABANDONED, null, Map.of("by", Identity.operator(), "reason", "lockstep run --new"));
                }
                listener.notice("marked unfinished run " + old.runId() + " abandoned");
            }
            String id = stateDir.newRunId(runbook.name());
            Journal journal = Journal.create(stateDir.journal(id));
            journal.redactWith(params.redactor());
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("runbook", runbook.file().toString());
            data.put("name", runbook.name());
            data.put("title", runbook.displayTitle());
            data.put("checksum", runbook.checksum());
            data.put("steps", runbook.steps().stream().map(StepDef::id).toList());
            data.put("definitions", definitions(runbook));
            data.put("params", params.redacted());
            data.put("secrets", params.secretNames());
            data.put("by", Identity.operator());
            data.put("host", Identity.host());
            data.put("pid", ProcessHandle.current().pid());
            data.put("version", version);
            data.put("command", command);
            RunSnapshot snapshot = RunSnapshot.replay(id, List.of(journal.append(EventType.RUN_STARTED, null, data)));
            Run run = new Run(id, runbook, params, stateDir, journal, snapshot, lock, listener);
            listener.event(snapshot.events().get(0));
            return run;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Reopens a run to go on with it (resume or rollback). Steps that were in flight
     * become in-doubt; checks that were in flight are simply checked again.
     *
     * @param paramsFor rebuilds parameters for the reloaded runbook from the recorded, redacted ones
     */
    public Run reopen(String runId, RunbookSource source, ParamsSource paramsFor, RunListener listener,
                      String command, boolean force, boolean allowSucceeded) {
        RunSnapshot peek = read(runId);
        RunLock lock = RunLock.acquire(stateDir.lockFile(peek.runbookName()), command);
        try {
            lock.staleNote().ifPresent(listener::notice);
            Journal journal = Journal.openForAppend(stateDir.journal(runId));
            journal.warnings().forEach(listener::notice);
            RunSnapshot snapshot = RunSnapshot.replay(runId, journal.events());
            if (snapshot.status().isFinished()
                    && !(allowSucceeded && snapshot.status() == RunStatus.SUCCEEDED)) {
                journal.close();
                throw new LockstepException(ErrorCode.NOT_FOUND, "run " + runId + " has " + snapshot.status().label()
                        + "; there is nothing to continue");
            }
            Runbook runbook = source.load(snapshot.runbookPath());
            List<String> changes = Drift.changes(snapshot, runbook);
            if (!changes.isEmpty() && !force) {
                journal.close();
                throw new LockstepException(ErrorCode.RUNBOOK_CHANGED, "the runbook changed since run " + runId
                        + " started: " + String.join("; ", changes)
                        + ". Restore it, or pass --force to go on with the new definition (recorded in the journal)");
            }
            Params params = paramsFor.params(runbook, snapshot);
            Run run = new Run(runId, runbook, params, stateDir, journal, snapshot, lock, listener);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("by", Identity.operator());
            data.put("pid", ProcessHandle.current().pid());
            data.put("command", command);
            data.put("checksum", runbook.checksum());
            data.put("steps", runbook.steps().stream().map(StepDef::id).toList());
            data.put("definitions", definitions(runbook));
            if (force) data.put("forced", changes);
            run.append(EventType.RUN_RESUMED, null, data);
            for (RunSnapshot.StepRecord r : new ArrayList<>(snapshot.steps().values())) {
                if (r.state() == StepState.RUNNING) {
                    run.append(EventType.STEP_IN_DOUBT, r.id(), Map.of("reason",
                            "the process driving the run stopped while this step was running"));
                } else if (r.state() == StepState.CHECKING) {
                    run.append(EventType.STEP_RESET, r.id(), Map.of("reason", "checks were interrupted; they run again"));
                }
            }
            return run;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static Map<String, Object> definitions(Runbook runbook) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (StepDef s : runbook.steps()) out.put(s.id(), s.fieldDigests());
        return out;
    }

    /** Loads the runbook a run was started from. */
    public interface RunbookSource {
        Runbook load(String path);
    }

    /** Supplies parameters when a run is reopened. */
    public interface ParamsSource {
        Params params(Runbook runbook, RunSnapshot snapshot);
    }
}
