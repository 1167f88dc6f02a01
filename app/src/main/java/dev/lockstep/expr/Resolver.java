package dev.lockstep.expr;

import dev.lockstep.spi.Json;
import dev.lockstep.spi.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Replaces expressions in a value tree, keeping positions so later errors still point at the runbook. */
public final class Resolver {
    private Resolver() {}

    public static Value resolve(Value value, Scope scope) {
        if (value instanceof Value.Scalar s) {
            if (!(s.value() instanceof String text) || !Template.hasExpression(text)) return s;
            return tree(resolveText(text, scope), s.position());
        }
        if (value instanceof Value.Sequence seq) {
            List<Value> items = new ArrayList<>();
            for (Value v : seq.items()) items.add(resolve(v, scope));
            return new Value.Sequence(items, seq.position());
        }
        Value.Mapping m = (Value.Mapping) value;
        Map<String, Value> entries = new LinkedHashMap<>();
        m.entries().forEach((k, v) -> entries.put(k, resolve(v, scope)));
        return new Value.Mapping(entries, m.keys(), m.position());
    }

    /** A resolved value as a tree at the expression's place: a list (a step's list output) stays a list. */
    private static Value tree(Object v, dev.lockstep.spi.Position at) {
        if (v instanceof List<?> list) {
            List<Value> items = new ArrayList<>();
            for (Object x : list) items.add(tree(x, at));
            return new Value.Sequence(items, at);
        }
        if (v instanceof Map<?, ?> map) {
            Map<String, Value> entries = new LinkedHashMap<>();
            Map<String, dev.lockstep.spi.Position> keys = new LinkedHashMap<>();
            map.forEach((k, x) -> {
                entries.put(String.valueOf(k), tree(x, at));
                keys.put(String.valueOf(k), at);
            });
            return new Value.Mapping(entries, keys, at);
        }
        return Value.Scalar.of(v, at);
    }

    /** A lone expression keeps its value's type; text around expressions makes a string. */
    public static Object resolveText(String text, Scope scope) {
        Template t = Template.parse(text);
        if (t.isSingleExpression()) {
            return scope.lookup(t.parts().get(0).expression());
        }
        StringBuilder out = new StringBuilder();
        for (Template.Part p : t.parts()) {
            out.append(p.literal() != null ? p.literal() : render(scope.lookup(p.expression())));
        }
        return out.toString();
    }

    public static String render(Object value) {
        if (value == null) return "";
        if (value instanceof String s) return s;
        if (value instanceof Map<?, ?> || value instanceof List<?>) return Json.write(value);
        return String.valueOf(value);
    }
}
