package dev.lockstep.cli;

import dev.lockstep.engine.Run;
import dev.lockstep.engine.RunListener;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.Runs;
import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reopens a run for resume or rollback: picks it, reloads its runbook, restores its parameters. */
final class Reopen {
    private Reopen() {}

    static String pick(Runs runs, String runId) {
        if (runId != null) return runId;
        return runs.latestUnfinished(null).map(RunSnapshot::runId).orElseThrow(() -> new LockstepException(
                ErrorCode.NOT_FOUND, "no unfinished run in " + runs.stateDir().root() + " (lockstep runs lists them)"));
    }

    static Run open(Cli cli, Runs runs, String runId, ParamOptions paramOptions, String command, boolean force,
                    boolean allowSucceeded, RunListener listener) {
        return runs.reopen(runId, path -> cli.loader().load(Path.of(path)),
                (runbook, snapshot) -> params(cli, runbook, snapshot, paramOptions), listener, command, force, allowSucceeded);
    }

    /** Non-secret values as recorded when the run started; secrets again from their environment variable or file. */
    @SuppressWarnings("unchecked")
    private static Params params(Cli cli, Runbook runbook, RunSnapshot snapshot, ParamOptions options) {
        Map<String, Object> recorded = (Map<String, Object>) snapshot.start().getOrDefault("params", Map.of());
        List<Object> secrets = (List<Object>) snapshot.start().getOrDefault("secrets", List.of());
        Map<String, String> values = new LinkedHashMap<>();
        recorded.forEach((k, v) -> {
            if (v != null && !secrets.contains(k) && runbook.params().containsKey(k)
                    && !runbook.params().get(k).secret()) {
                values.put(k, String.valueOf(v));
            }
        });
        return Params.resolve(runbook, values, options.fileValues(), cli.env, ParamOptions::promptSecret);
    }
}
