package dev.lockstep.engine;

import dev.lockstep.runbook.Action;
import dev.lockstep.step.Reconciliation;
import dev.lockstep.step.StepContext;
import dev.lockstep.step.StepResult;
import dev.lockstep.step.StepType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An action resolved and bound ({@link Binder}): its type, its configuration, and the
 * environment variables its expression values travel in. The only way the engine runs
 * a step type, so that environment always reaches the process.
 */
record Bound(Action action, StepType<Record> type, Record config, Map<String, String> env) {
    /** How {@link Binder} refers to a value in shell text. */
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(LS_[A-Z0-9_]+)\\}");

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
        return describe(type.plan(config));
    }

    /** What dry-run shows: the type may ask the real systems (a change set), leaving nothing behind. */
    List<String> preview(StepContext ctx) throws Exception {
        return describe(type.preview(config, ctx));
    }

    /**
     * The type's lines with each {@code ${LS_…}} reference replaced by its value, for reading; then
     * the lines as they really run and the environment that carries the values into them.
     */
    private List<String> describe(List<String> typeLines) {
        if (env.isEmpty()) return typeLines;
        List<String> lines = new ArrayList<>();
        List<String> asRun = new ArrayList<>();
        for (String line : typeLines) {
            String read = substituted(line);
            lines.add(read);
            if (!read.equals(line)) asRun.add("  " + line);
        }
        lines.add("runs with the values in its environment, never pasted into the script:");
        lines.addAll(asRun);
        env.forEach((k, v) -> lines.add("  env " + k + "=" + v));
        return lines;
    }

    private String substituted(String line) {
        Matcher m = REFERENCE.matcher(line);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(out);
        return out.toString();
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
