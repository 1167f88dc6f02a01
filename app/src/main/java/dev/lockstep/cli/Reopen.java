package dev.lockstep.cli;

import dev.lockstep.engine.Run;
import dev.lockstep.engine.RunListener;
import dev.lockstep.engine.RunPlace;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.Runs;
import dev.lockstep.journal.EventData;
import dev.lockstep.runbook.ParamDef;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.store.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reopens a run for resume or rollback: picks it, reloads its runbook, restores its parameters. */
final class Reopen {
    private Reopen() {}

    /** Reopens a run of {@code runbook}, loaded from the path the run recorded (see {@link #runbook}). */
    static Run open(Cli cli, Runs runs, String runId, ParamOptions paramOptions, String command, boolean force,
                    boolean allowSucceeded, RunListener listener, Runbook runbook, RunPlace place) {
        return runs.reopen(runId, path -> runbook, (rb, snapshot) -> params(cli, rb, snapshot, paramOptions), listener,
                StateStore.Opening.of(command), force, allowSucceeded, place);
    }

    /**
     * The runbook to go on with: {@code given} (--runbook), else the file the run was started from, as it
     * is on disk now. On another machine that file may not be there: then it must be given.
     */
    static Runbook runbook(Cli cli, Runs runs, String runId, Path given) {
        if (given != null) return cli.loader().load(given);
        Path recorded = Path.of(runs.read(runId).runbookPath());
        if (!Files.exists(recorded)) {
            throw new LockstepException(ErrorCode.USAGE, "run " + runId + " was started from " + recorded
                    + ", which is not on this machine: give the runbook with --runbook FILE");
        }
        return cli.loader().load(recorded);
    }

    /**
     * Non-secret values as recorded when the run started; secrets again from their environment
     * variable or file, and so are values the journal has masked because they held a secret.
     */
    static Params params(Cli cli, Runbook runbook, RunSnapshot snapshot, ParamOptions options) {
        EventData.RunStarted start = snapshot.start();
        List<String> masked = start.maskedParams() == null ? List.of() : start.maskedParams();
        Map<String, Object> fromFile = options.fileValues();
        Map<String, String> values = new LinkedHashMap<>();
        start.params().forEach((k, v) -> {
            if (v != null && !start.secrets().contains(k) && !masked.contains(k) && runbook.params().containsKey(k)
                    && !runbook.params().get(k).secret()) {
                values.put(k, String.valueOf(v));
            }
        });
        for (String k : masked) {
            ParamDef def = runbook.params().get(k);
            if (def != null && !fromFile.containsKey(k) && (def.env() == null || !cli.env.containsKey(def.env()))) {
                throw new LockstepException(ErrorCode.USAGE, "parameter " + k + " held a secret when run " + snapshot.runId()
                        + " started, so the journal has it masked: give it again in --params-file"
                        + (def.env() != null ? " or $" + def.env() : ""));
            }
        }
        return cli.masking(Params.resolve(runbook, values, fromFile, cli.env, ParamOptions::promptSecret));
    }
}
