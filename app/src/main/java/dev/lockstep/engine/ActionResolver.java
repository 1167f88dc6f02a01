package dev.lockstep.engine;

import dev.lockstep.expr.Resolver;
import dev.lockstep.expr.Scope;
import dev.lockstep.expr.Template;
import dev.lockstep.runbook.Value;
import dev.lockstep.step.StepType;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Resolves an action's {@code with} for execution. In shell text an expression is
 * replaced by {@code ${LS_PARAMS_X}} and its value travels in the environment, so a
 * value can never become shell syntax.
 */
final class ActionResolver {
    private ActionResolver() {}

    record Resolved(Value.Mapping with, Map<String, String> env) {}

    static Resolved resolve(Value.Mapping with, StepType<?> type, Scope scope) {
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, Value> entries = new LinkedHashMap<>();
        with.entries().forEach((key, v) -> {
            if (type.shellKeys().contains(key) && v instanceof Value.Scalar s && s.value() instanceof String text
                    && Template.hasExpression(text)) {
                entries.put(key, Value.Scalar.of(toShell(text, scope, env), s.position()));
            } else {
                entries.put(key, Resolver.resolve(v, scope));
            }
        });
        return new Resolved(new Value.Mapping(entries, with.keys(), with.position()), env);
    }

    private static String toShell(String text, Scope scope, Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        for (Template.Part p : Template.parse(text).parts()) {
            if (p.literal() != null) {
                out.append(p.literal());
                continue;
            }
            String name = envName(p.expression());
            env.put(name, Resolver.render(scope.lookup(p.expression())));
            out.append("${").append(name).append('}');
        }
        return out.toString();
    }

    static String envName(Template.Expression e) {
        return "LS_" + e.toString().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }
}
