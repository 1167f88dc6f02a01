package dev.lockstep.engine;

import dev.lockstep.reflect.RecordShape;
import dev.lockstep.spi.Action;
import dev.lockstep.spi.Check;
import dev.lockstep.spi.Reconciliation;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An action resolved and bound ({@link Binder}): its type, its configuration, and the
 * environment variables its expression values travel in. The only way the engine runs
 * a step type, so that environment always reaches the process.
 */
record Bound(Action action, StepType<Record> type, Record config, Map<String, String> env, Value.Mapping with) {
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

    /**
     * The action for the plan document: the type's lines ({@code typeLines}) with each {@code ${LS_…}}
     * reference replaced by its value, for reading; the checks it polls; then, when values travel in the
     * environment, every line as it really runs (all of them: a reader must see the whole script) and
     * that environment.
     */
    ActionPlan describe(List<String> typeLines, Map<String, ActionPlan> polled) {
        List<String> lines = new ArrayList<>();
        for (String line : typeLines) lines.add(substituted(line));
        polled.forEach((key, check) -> {
            lines.add(key + ": " + check.uses());
            for (String l : check.lines()) lines.add("  " + l);
        });
        if (!env.isEmpty()) {
            lines.add("runs as written here, with the values in its environment, never pasted into the script:");
            for (String line : typeLines) lines.add("  " + line);
            env.forEach((k, v) -> lines.add("  env " + k + "=" + v));
        }
        Map<String, Object> shown = new LinkedHashMap<>();
        String script = null;
        for (Map.Entry<String, Value> e : with.entries().entrySet()) {
            if (type.shellKeys().contains(e.getKey()) && e.getValue() instanceof Value.Scalar s && s.value() instanceof String text) {
                script = text;
            } else {
                shown.put(e.getKey(), polled.containsKey(e.getKey()) ? polled.get(e.getKey()).json() : ActionPlan.jsonSafe(e.getValue().plain()));
            }
        }
        return new ActionPlan(action.uses(), shown, script, env, lines);
    }

    /** What the type's built-in undo will do, with the values its environment variables hold. */
    List<String> describeUndo() {
        List<String> lines = new ArrayList<>();
        for (String line : type.planRollback(config)) lines.add(substituted(line));
        return lines;
    }

    /** The check bound to {@code key} of the configuration, when that key holds one (wait's {@code until}). */
    Check nestedCheck(String key) {
        RecordComponent c = RecordShape.of(type.configType()).byName().get(key);
        if (c == null || c.getType() != Check.class) return null;
        try {
            return (Check) c.getAccessor().invoke(config);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + key + " of " + type.name(), e);
        }
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

    /** An action that changes nothing (read-only by its type, for this configuration) left no effect to doubt: it runs again. */
    Reconciliation reconcile(Map<String, String> externalIds, boolean idempotent) {
        if (type.readOnly(config)) return Reconciliation.RERUN;
        return type.reconcile(config, externalIds, idempotent);
    }
}
