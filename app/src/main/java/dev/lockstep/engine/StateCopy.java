package dev.lockstep.engine;

import dev.lockstep.journal.Event;
import dev.lockstep.journal.Records;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.store.HeldRun;
import dev.lockstep.store.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Hands a run from one store to another ({@code lockstep state copy}): its records exactly as
 * stored (checksums and masking unchanged) and its logs. Only one of the two copies can be
 * driven: the destination is marked as handed over until the records are in, then the source is
 * marked, then the destination's mark is cleared. A copy cut short is finished by running it again.
 */
public final class StateCopy {
    private StateCopy() {}

    /** Copies one run; returns what was done. Both copies are held while it works, so nobody drives either. */
    public static String copy(StateStore from, StateStore to, String runId, String command) {
        if (from.describe().equals(to.describe())) {
            throw new LockstepException(ErrorCode.USAGE, "--from and --to are the same store (" + from.describe() + ")");
        }
        try (HeldRun source = from.open(runId, new StateStore.Opening(command, null, true))) {
            Optional<String> sourceMoved = from.movedTo(runId);
            if (sourceMoved.isPresent() && !sourceMoved.get().startsWith(to.describe())) {
                throw new LockstepException(ErrorCode.NOT_FOUND, "run " + runId + " in " + from.describe()
                        + " was handed over to " + sourceMoved.get() + ": copy it from there");
            }
            List<String> records = source.records();
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                events.add(Records.decodeWhole(records.get(i), source.source() + ":" + (i + 1) + ": "));
            }
            RunSnapshot.replay(runId, source.source(), events);
            boolean existed = to.exists(runId);
            try (HeldRun target = existed ? to.open(runId, new StateStore.Opening(command, null, true)) : to.create(runId, command)) {
                Optional<String> targetMoved = existed ? to.movedTo(runId) : Optional.empty();
                if (existed && targetMoved.isEmpty()) {
                    if (sourceMoved.isPresent() && target.records().equals(records)) {
                        return "run " + runId + " is already in " + to.describe() + " and continues there";
                    }
                    throw new LockstepException(ErrorCode.UNFINISHED_RUN, "run " + runId + " is in " + to.describe()
                            + " already, and goes on there: not copied over it");
                }
                List<String> have = target.records();
                if (have.size() > records.size() || !records.subList(0, have.size()).equals(have)) {
                    throw new LockstepException(ErrorCode.STATE_CORRUPT, "run " + runId + " in " + to.describe() + " differs from "
                            + "the one in " + from.describe() + " at record " + firstDifference(have, records) + ": not copied");
                }
                target.markMoved(from.describe());
                target.appendRecords(records.subList(have.size(), records.size()));
                List<String> logs = from.logNames(runId);
                for (String log : logs) target.replaceLog(log, from.readLog(runId, log));
                source.markMoved(to.describe());
                target.markMoved(null);
                return "copied run " + runId + " (" + records.size() + " records, " + logs.size() + " logs) to " + to.describe()
                        + "; it continues there, and " + from.describe() + " keeps a read-only copy";
            }
        }
    }

    private static int firstDifference(List<String> a, List<String> b) {
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) i++;
        return i + 1;
    }
}
