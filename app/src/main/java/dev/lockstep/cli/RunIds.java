package dev.lockstep.cli;

import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.Runs;
import dev.lockstep.journal.StateDir;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.store.StateStore;
import java.util.List;
import java.util.Optional;

/**
 * The run a command line names: its whole id or a unique start of it ({@code tiny-2026} for
 * {@code tiny-20261207T053700Z-1a2b}), or, when it names none, the command's default run.
 */
final class RunIds {
    private RunIds() {}

    /** The RUN_ID parameter's help where the default is the latest run. */
    static final String LATEST = "A run id or a unique start of one (default: the most recently active run).";

    /**
     * The run whose id is {@code given} or starts with it. A start shared by several runs is usage (exit 2) listing
     * them; one that matches none is returned as typed, so the command says "no run" as for any id.
     */
    static String resolve(StateStore store, String given) {
        StateDir.requireRunId(given);
        if (store.exists(given)) return given;
        List<String> matches = store.runIds().stream().filter(id -> id.startsWith(given)).toList();
        if (matches.size() > 1) {
            throw new LockstepException(ErrorCode.USAGE, "run id '" + given + "' is the start of " + matches.size() + " runs: "
                    + String.join(", ", matches) + " (type more of it)");
        }
        return matches.isEmpty() ? given : matches.get(0);
    }

    /** {@code given} {@link #resolve resolved}, else the most recently active run. */
    static String orLatest(Runs runs, String given) {
        if (given != null) return resolve(runs.store(), given);
        List<String> ids = runs.store().runIds();
        if (ids.isEmpty()) throw new LockstepException(ErrorCode.NOT_FOUND, "no runs in " + runs.store().describe());
        return ids.get(ids.size() - 1);
    }

    /** {@code given} {@link #resolve resolved}, else the latest unfinished run, else the latest: what is worth watching. */
    static String orLatestUnfinishedElseLatest(Runs runs, String given) {
        if (given != null) return resolve(runs.store(), given);
        Optional<RunSnapshot> unfinished = runs.latestUnfinished(null);
        return unfinished.isPresent() ? unfinished.get().runId() : orLatest(runs, null);
    }

    /** {@code given} {@link #resolve resolved}, else the latest unfinished run: what resume and rollback go on with. */
    static String orLatestUnfinished(Runs runs, String given) {
        if (given != null) return resolve(runs.store(), given);
        return runs.latestUnfinished(null).map(RunSnapshot::runId).orElseThrow(() -> new LockstepException(
                ErrorCode.NOT_FOUND, "no unfinished run in " + runs.store().describe() + " (lockstep runs lists them)"));
    }
}
