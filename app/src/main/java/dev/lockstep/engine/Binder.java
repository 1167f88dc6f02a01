package dev.lockstep.engine;

import dev.lockstep.expr.Functions;
import dev.lockstep.expr.Resolver;
import dev.lockstep.expr.Scope;
import dev.lockstep.expr.Template;
import dev.lockstep.plugin.StepTypes;
import dev.lockstep.reflect.RecordShape;
import dev.lockstep.runbook.ConfigBinder;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.spi.Action;
import dev.lockstep.spi.Check;
import dev.lockstep.spi.CodeKey;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.lang.reflect.RecordComponent;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one path from an action as written to something that can run: resolve its
 * expressions, bind them to the step type's configuration record, and collect the
 * environment its values travel in. Steps, checks, wait's polled check, previews, plan,
 * reconcile, step rollbacks and the runbook-level rollback all come through here, so no
 * caller can paste a value into shell text.
 *
 * <p>In a shell key ({@link StepType#shellKeys()}) an expression becomes a reference to an
 * environment variable holding its value ({@code ${LS_PARAMS_X}}); in code ({@link StepType#codeKeys()})
 * only {@code ident(…)} may appear, and becomes a quoted identifier; elsewhere values are
 * data for an API field. A nested check (wait's {@code until}) stays unresolved here, as the loader
 * parsed it: it is bound through this same path each time it is evaluated.
 */
final class Binder {
    private final StepTypes types;

    Binder(StepTypes types) {
        this.types = types;
    }

    @SuppressWarnings("unchecked")
    Bound bind(Action action, Scope scope) {
        StepType<Record> type = (StepType<Record>) types.get(action.uses());
        Map<String, RecordComponent> components = RecordShape.of(type.configType()).byName();
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, Value> entries = new LinkedHashMap<>();
        action.with().entries().forEach((key, v) -> {
            RecordComponent c = components.get(key);
            if (c != null && c.getType() == Check.class) {
                entries.put(key, v);
            } else if (type.shellKeys().contains(key) && v instanceof Value.Scalar s && s.value() instanceof String text
                    && Template.hasExpression(text)) {
                entries.put(key, Value.Scalar.of(toShell(text, scope, env), s.position()));
            } else if (type.codeKeys().containsKey(key) && v instanceof Value.Scalar s && s.value() instanceof String text
                    && Template.hasExpression(text)) {
                entries.put(key, Value.Scalar.of(toCode(text, scope, type.codeKeys().get(key)), s.position()));
            } else {
                entries.put(key, Resolver.resolve(v, scope));
            }
        });
        Value.Mapping with = new Value.Mapping(entries, action.with().keys(), action.with().position());
        // Declaration order, never a hash order: the environment is part of the plan a reviewer signs.
        return new Bound(action, type, ConfigBinder.bindResolved(type.configType(), action, with), Collections.unmodifiableMap(env), with);
    }

    /**
     * The action bound for its type's built-in undo, or null when the type has none for these values or they cannot
     * be bound. Bound with placeholders, so that a step whose values come from steps not run yet is judged as the plan judges it.
     */
    Bound builtInUndo(Action action, Scope scope) {
        try {
            Bound bound = bind(action, scope.withPlaceholders());
            return bound.hasRollback() ? bound : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The text a step's typed confirmation asks for, resolved in {@code scope} and unmasked; null when it asks no typed text. */
    String typedConfirmation(StepDef step, Scope scope) {
        if (step.confirm() == null || !step.confirm().isTyped()) return null;
        return Resolver.render(Resolver.resolveText(step.confirm().typed(), scope));
    }

    /** Whether the action's type is one this lockstep has. */
    boolean knows(Action action) {
        return types.get(action.uses()) != null;
    }

    /** Whether the action's type reads only whatever its values: asked of an action that cannot be bound yet. */
    boolean readsOnly(Action action) {
        StepType<?> type = types.get(action.uses());
        return type != null && type.readsOnly();
    }

    /** Whether the action's type undoes itself whatever its values: asked of an action that cannot be bound yet. */
    boolean undoesItself(Action action) {
        StepType<?> type = types.get(action.uses());
        return type != null && type.undoesItself();
    }

    /** What an action will do, as the plan document holds it; no side effects. */
    ActionPlan describe(Action action, Scope scope) {
        return describe(bind(action, scope), scope);
    }

    /** What an action bound in {@code scope} will do, as the plan document holds it. */
    ActionPlan describe(Bound bound, Scope scope) {
        return bound.describe(bound.type().plan(bound.config()), polled(bound, scope));
    }

    /**
     * What dry-run shows: like {@link #describe}, but the type may ask the real systems (a change set),
     * leaving nothing behind.
     */
    ActionPlan preview(Action action, Scope scope, dev.lockstep.spi.StepContext ctx) throws Exception {
        Bound bound = bind(action, scope);
        return bound.describe(bound.type().preview(bound.config(), ctx), polled(bound, scope));
    }

    /** Builds what the action would build, reading only ({@link StepType#prepare}). */
    void prepare(Action action, Scope scope, dev.lockstep.spi.StepContext ctx) throws Exception {
        Bound bound = bind(action, scope);
        bound.type().prepare(bound.config(), ctx);
    }

    /** The checks an action polls (wait's {@code until}), each described as it would run now. */
    private Map<String, ActionPlan> polled(Bound bound, Scope scope) {
        Map<String, ActionPlan> out = new LinkedHashMap<>();
        bound.with().entries().forEach((key, v) -> {
            Check nested = bound.nestedCheck(key);
            if (nested != null) out.put(key, describe(nested.action(), scope));
        });
        return out;
    }

    private static String toShell(String text, Scope scope, Map<String, String> env) {
        Map<String, String> names = new LinkedHashMap<>();
        StringBuilder out = new StringBuilder();
        for (Template.Part p : Template.parse(text).parts()) {
            if (p.literal() != null) {
                out.append(p.literal());
                continue;
            }
            String expression = p.expression().toString();
            String name = names.computeIfAbsent(expression, e -> freeName(envName(p.expression()), env));
            env.put(name, Resolver.render(scope.lookup(p.expression())));
            out.append("${").append(name).append('}');
        }
        return out.toString();
    }

    /** Code with each {@code ident(…)} (the only expression the loader lets into code) quoted as an identifier. */
    private static String toCode(String text, Scope scope, CodeKey code) {
        StringBuilder out = new StringBuilder();
        for (Template.Part p : Template.parse(text).parts()) {
            if (p.literal() != null) {
                out.append(p.literal());
            } else if (p.expression().isCall() && p.expression().function().equals(Functions.IDENT)) {
                out.append(code.quoteIdentifier().apply(Resolver.render(scope.lookup(p.expression().args().get(0)))));
            } else {
                throw new IllegalArgumentException("${{ " + p.expression() + " }} cannot go into " + code.language()
                        + ": only " + Functions.IDENT + "(…) can");
            }
        }
        return out.toString();
    }

    /** steps.a-b.outputs.x and steps.a_b.outputs.x would share a name: the second gets a suffix. */
    private static String freeName(String name, Map<String, String> taken) {
        String candidate = name;
        for (int n = 2; taken.containsKey(candidate); n++) candidate = name + "_" + n;
        return candidate;
    }

    static String envName(Template.Expression e) {
        StringBuilder name = new StringBuilder("LS_");
        for (char ch : e.toString().toUpperCase(Locale.ROOT).toCharArray()) {
            name.append((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ? ch : '_');
        }
        return name.toString();
    }
}
