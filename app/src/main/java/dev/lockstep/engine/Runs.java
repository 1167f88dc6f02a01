package dev.lockstep.engine;

import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Identity;
import dev.lockstep.journal.Journal;
import dev.lockstep.journal.StateDir;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.store.Exclusion;
import dev.lockstep.store.HeldRun;
import dev.lockstep.store.LocalStore;
import dev.lockstep.store.RunHolder;
import dev.lockstep.store.StateStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Starts new runs and reopens existing ones in a store, enforcing the locks and the resume rules. */
public final class Runs {
    private final StateStore store;
    private final String version;

    public Runs(StateStore store, String version) {
        this.store = store;
        this.version = version;
    }

    public Runs(StateDir stateDir, String version) {
        this(new LocalStore(stateDir), version);
    }

    public StateStore store() {
        return store;
    }

    /**
     * One run as listed: its replayed state, or why its journal cannot be read; {@code movedTo} is set
     * when it was handed to another store and continues there.
     */
    public record Entry(String runId, RunSnapshot snapshot, String damage, String movedTo) {
        /** The runbook the run belongs to, when its first record says; null for a run that never started. */
        public String runbookName() {
            return snapshot != null ? snapshot.runbookName() : null;
        }
    }

    /** How {@code s} is shown: its journal, and whether a live driver holds it now. */
    public DisplayedState displayed(RunSnapshot s) {
        return DisplayedState.of(s, !s.status().isFinished()
                && store.holder(s.runId()).filter(dev.lockstep.store.RunHolder::live).isPresent());
    }

    /** Replays a run without locking or writing anything. */
    public RunSnapshot read(String runId) {
        StateStore.Stored s = store.read(runId);
        return RunSnapshot.replay(runId, s.source(), s.events());
    }

    /** Warnings from reading the run's journal (a torn last record). */
    public List<String> warnings(String runId) {
        return store.read(runId).warnings();
    }

    /** Every run, oldest first; a run whose journal cannot be read is listed with the reason, and blocks nothing. */
    public List<Entry> list() {
        List<Entry> out = new ArrayList<>();
        for (String id : store.runIds()) {
            String moved = store.movedTo(id).orElse(null);
            try {
                out.add(new Entry(id, read(id), null, moved));
            } catch (LockstepException e) {
                if (e.code() == ErrorCode.STATE_UNAVAILABLE) throw e;
                out.add(new Entry(id, null, e.getMessage(), moved));
            }
        }
        return out;
    }

    /** The runs that can be read, oldest first. */
    public List<RunSnapshot> all() {
        return list().stream().filter(e -> e.snapshot() != null).map(Entry::snapshot).toList();
    }

    /** The most recently active unfinished run, of one runbook or of any. */
    public Optional<RunSnapshot> latestUnfinished(String runbookName) {
        List<RunSnapshot> runs = all();
        for (int i = runs.size() - 1; i >= 0; i--) {
            RunSnapshot s = runs.get(i);
            if (!s.status().isFinished() && (runbookName == null || runbookName.equals(s.runbookName()))
                    && store.movedTo(s.runId()).isEmpty()) {
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
        return start(runbook, params, listener, command, abandonUnfinished, RunPlace.UNRECORDED, runId -> { });
    }

    /**
     * Starts a run as {@link #start(Runbook, Params, RunListener, String, boolean)} does, recording where it
     * acts; {@code claim} gets the new run's id before anything of it is recorded, and may refuse (a saved
     * plan that another run used).
     */
    public Run start(Runbook runbook, Params params, RunListener listener, String command, boolean abandonUnfinished,
                     RunPlace place, java.util.function.Consumer<String> claim) {
        Exclusion lock = store.exclude(runbook.name(), command);
        try {
            lock.note().ifPresent(listener::notice);
            StateTargets.warnings(runbook, params, store).forEach(listener::notice);
            for (Entry old : list()) {
                if (old.snapshot() == null && old.runId().startsWith(runbook.name() + "-")) {
                    listener.notice("run " + old.runId() + " cannot be read and is left as it is: " + old.damage());
                }
                if (!runbook.name().equals(old.runbookName()) || old.snapshot().status().isFinished()) continue;
                if (old.movedTo() != null) {
                    listener.notice("run " + old.runId() + " of this runbook was handed over to " + old.movedTo()
                            + " and continues there");
                    continue;
                }
                Optional<RunHolder> driver = store.holder(old.runId()).filter(RunHolder::live);
                if (driver.isPresent()) throw drivenElsewhere(runbook.name(), old.runId(), driver.get());
                if (!abandonUnfinished) {
                    throw new LockstepException(ErrorCode.UNFINISHED_RUN, "runbook " + runbook.name()
                            + " has an unfinished run " + old.runId() + " (" + old.snapshot().status().label()
                            + "): continue it with `lockstep resume " + old.runId() + "`, undo it with `lockstep rollback "
                            + old.runId() + "`, or start over with `lockstep run " + ShellWords.quote(runbook.file().toString())
                            + " --new` (which marks it abandoned)");
                }
                abandon(old.runId(), command);
                listener.notice("marked unfinished run " + old.runId() + " abandoned");
            }
            String id = store.newRunId(runbook.name());
            claim.accept(id);
            HeldRun journal = store.create(id, command);
            try {
                journal.redactWith(params.redactor());
                EventData.RunStarted started = new EventData.RunStarted(Journal.FORMAT, runbook.file().toString(),
                        runbook.name(), runbook.displayTitle(), runbook.checksum(),
                        runbook.steps().stream().map(StepDef::id).toList(), definitions(runbook), params.redacted(),
                        params.secretNames(), params.maskedNames(), Identity.operator(), Identity.host(), ProcessHandle.current().pid(), version,
                        command, place.options(), place.where());
                RunSnapshot snapshot = RunSnapshot.replay(id, journal.source(),
                        List.of(journal.append(EventType.RUN_STARTED, null, started)));
                Run run = new Run(id, runbook, params, store, journal, snapshot, lock.whileDriving(), listener);
                listener.event(snapshot.events().get(0));
                refuseIfStartedTwice(run, command);
                return run;
            } catch (RuntimeException e) {
                journal.close();
                throw e;
            }
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static LockstepException drivenElsewhere(String runbook, String runId, RunHolder driver) {
        return new LockstepException(ErrorCode.LOCK_HELD, "another lockstep process is driving runbook " + runbook
                + " (run " + runId + "): " + driver.describe() + "; wait for it to finish or stop it");
    }

    /**
     * The runbook lock keeps two processes from starting runs of one runbook, unless its file
     * was deleted while held. Then two starts can pass it at the same moment; each checks,
     * once its own journal is held, for another unfinished run of the runbook that a live
     * process drives, and gives way. At least one of two simultaneous starts sees the other.
     */
    private void refuseIfStartedTwice(Run mine, String command) {
        for (Entry other : list()) {
            if (other.runId().equals(mine.id()) || !mine.runbook().name().equals(other.runbookName())
                    || other.snapshot().status().isFinished()) {
                continue;
            }
            Optional<RunHolder> driver = store.holder(other.runId()).filter(RunHolder::live);
            if (driver.isPresent()) {
                mine.append(EventType.RUN_ABANDONED, null, new EventData.ByReason(Identity.operator(),
                        "another process started run " + other.runId() + " of this runbook at the same moment"));
                throw drivenElsewhere(mine.runbook().name(), other.runId(), driver.get());
            }
        }
    }

    /** Marks an unfinished run abandoned, through its own journal's lock and state machine. */
    private void abandon(String runId, String command) {
        try (HeldRun j = store.open(runId, StateStore.Opening.of(command))) {
            RunSnapshot s = RunSnapshot.replay(runId, j.source(), j.events());
            s.requireAllowed(EventType.RUN_ABANDONED, null);
            s.apply(j.append(EventType.RUN_ABANDONED, null, new EventData.ByReason(Identity.operator(), "lockstep run --new")));
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
        return reopen(runId, source, paramsFor, listener, StateStore.Opening.of(command), force, allowSucceeded, RunPlace.UNRECORDED);
    }

    /**
     * Reopens a run as {@code how} says: {@code takeOver} takes it from a driver that is still alive (recorded).
     * {@code place} is where it acts from here on (recorded), checked by the caller against {@link RunSnapshot#place}.
     */
    public Run reopen(String runId, RunbookSource source, ParamsSource paramsFor, RunListener listener,
                      StateStore.Opening how, boolean force, boolean allowSucceeded, RunPlace place) {
        String command = how.command();
        RunSnapshot peek = read(runId);
        if (how.takeOver() != null) store.askDriverToLetGo(runId, how);
        Exclusion lock = store.exclude(peek.runbookName(), command);
        try {
            lock.note().ifPresent(listener::notice);
            HeldRun journal = store.open(runId, how);
            try {
                journal.warnings().forEach(listener::notice);
                RunSnapshot snapshot = RunSnapshot.replay(runId, journal.source(), journal.events());
                if (snapshot.status().isFinished() && !(allowSucceeded && snapshot.status() == RunStatus.SUCCEEDED)) {
                    throw new LockstepException(ErrorCode.NOT_FOUND, "run " + runId + " has " + snapshot.status().label()
                            + "; there is nothing to continue");
                }
                Runbook runbook = source.load(snapshot.runbookPath());
                List<String> changes = Drift.changes(snapshot, runbook);
                if (!changes.isEmpty() && !force) {
                    throw new LockstepException(ErrorCode.RUNBOOK_CHANGED, "the runbook changed since run " + runId
                            + " started: " + String.join("; ", changes)
                            + ". Restore it, or pass --force to go on with the new definition (recorded in the journal)");
                }
                Params params = paramsFor.params(runbook, snapshot);
                StateTargets.warnings(runbook, params, store).forEach(listener::notice);
                Run run = new Run(runId, runbook, params, store, journal, snapshot, lock.whileDriving(), listener);
                run.append(EventType.RUN_RESUMED, null, new EventData.RunResumed(Identity.operator(), Identity.host(),
                        ProcessHandle.current().pid(), command, runbook.checksum(),
                        runbook.steps().stream().map(StepDef::id).toList(), definitions(runbook), force ? changes : null,
                        journal.tookOver().orElse(null), place.options(), place.where()));
                for (RunSnapshot.StepRecord r : new ArrayList<>(snapshot.steps().values())) {
                    if (r.state() == StepState.RUNNING) {
                        run.append(EventType.STEP_IN_DOUBT, r.id(), new EventData.Reason(
                                "the process driving the run stopped while this step was running"));
                    } else if (r.state() == StepState.CHECKING) {
                        run.append(EventType.STEP_RESET, r.id(), new EventData.Reason("checks were interrupted; they run again"));
                    }
                }
                return run;
            } catch (RuntimeException e) {
                journal.close();
                throw e;
            }
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Ends another process's hold of a run ({@code lockstep lock break}): an expired lease is simply
     * taken; a living holder needs the run id typed, and loses the run as to a takeover (the local
     * store's holder is asked to stop). Either way the run records who took it from whom, and is
     * then left free for whoever resumes it.
     */
    public String breakLock(String runId, String typed, String command) {
        Optional<RunHolder> holder = store.holder(runId);
        if (holder.isEmpty()) {
            if (!store.exists(runId)) throw new LockstepException(ErrorCode.NOT_FOUND, "no run " + runId + " in " + store.describe());
            return "nobody holds run " + runId + "; there is nothing to break";
        }
        boolean live = holder.get().live();
        if (live && typed == null) {
            throw new LockstepException(ErrorCode.NEEDS_OPERATOR, "run " + runId + " is held by " + holder.get().describe()
                    + ", which is alive: breaking the lock takes the run from it (its next step is refused). Type the run "
                    + "id to do so: lockstep lock break " + runId + " --confirm " + runId);
        }
        if (typed != null) StateStore.requireTyped(runId, typed, "--confirm");
        String from;
        try (HeldRun j = store.open(runId, new StateStore.Opening(command, live ? typed : null, true))) {
            from = j.tookOver().orElse(holder.get().describe());
            RunSnapshot s = RunSnapshot.replay(runId, j.source(), j.events());
            if (s.refusal(EventType.RUN_RESUMED, null) == null) {
                s.apply(j.append(EventType.RUN_RESUMED, null, new EventData.RunResumed(Identity.operator(), Identity.host(),
                        ProcessHandle.current().pid(), command, s.checksum(), new ArrayList<>(s.steps().keySet()),
                        s.definitions(), null, from, null, null)));
                s.apply(j.append(EventType.RUN_INTERRUPTED, null, new EventData.By(Identity.operator())));
            }
        }
        return "took run " + runId + " from " + from + " (recorded in the run) and let it go: resume it with lockstep resume "
                + runId;
    }

    private static Map<String, Map<String, String>> definitions(Runbook runbook) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
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
