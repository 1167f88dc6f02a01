package dev.lockstep.engine;

import dev.lockstep.runbook.Action;
import dev.lockstep.step.Reconciliation;
import dev.lockstep.step.StepContext;
import dev.lockstep.step.StepResult;
import dev.lockstep.step.StepType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An action resolved and bound ({@link Binder}): its type, its configuration, and the
 * environment variables its expression values travel in. The only way the engine runs
 * a step type, so that environment always reaches the process.
 */
record Bound(Action action, StepType<Record> type, Record config, Map<String, String> env) {
    StepResult execute(StepContext ctx) throws Exception {
        ctx.env().putAll(env);
        return type.execute(config, ctx);
    }

    StepResult rollback(StepContext ctx) throws Exception {
        ctx.env().putAll(env);
        return type.rollback(config, ctx);
    }

    /** What it will do, with the values its environment variables hold; no side effects. */
    List<String> plan() {
        List<String> lines = envLines();
        lines.addAll(type.plan(config));
        return lines;
    }

    /** What dry-run shows: the type may ask the real systems (a change set), leaving nothing behind. */
    List<String> preview(StepContext ctx) throws Exception {
        List<String> lines = envLines();
        lines.addAll(type.preview(config, ctx));
        return lines;
    }

    private List<String> envLines() {
        List<String> lines = new ArrayList<>();
        env.forEach((k, v) -> lines.add("env " + k + "=" + v));
        return lines;
    }

    boolean readOnly() {
        return type.readOnly(config);
    }

    boolean hasRollback() {
        return type.hasRollback(config);
    }

    Reconciliation reconcile(Map<String, String> externalIds, boolean idempotent) {
        return type.reconcile(config, externalIds, idempotent);
    }
}
