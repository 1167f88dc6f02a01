package dev.lockstep.spi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value that remembers where it was written, so that a problem found at
 * load or at run time (after expressions are resolved) points at the runbook line.
 */
public sealed interface Value {
    /** What opens a {@code ${{ }}} expression in a string. */
    String EXPRESSION_OPEN = "${{";

    Position position();

    /** Whether a string anywhere in this value holds an expression, to be resolved at run time. */
    default boolean holdsExpression() {
        if (this instanceof Scalar s) return s.value() instanceof String t && t.contains(EXPRESSION_OPEN);
        if (this instanceof Sequence seq) return seq.items().stream().anyMatch(Value::holdsExpression);
        return ((Mapping) this).entries().values().stream().anyMatch(Value::holdsExpression);
    }

    /** Plain Java form: Map, List, String, Long, BigDecimal, Double, Boolean or null. */
    Object plain();

    /**
     * A scalar. {@code text} is what was written; {@code value} its YAML 1.2 core
     * type (String, Long, BigDecimal for decimals, Double for infinity and NaN, Boolean
     * or null; see {@link YamlReader}).
     */
    record Scalar(String text, Object value, Position position) implements Value {
        public static Scalar of(Object value, Position at) {
            return new Scalar(value == null ? "" : String.valueOf(value), value, at);
        }

        @Override
        public Object plain() {
            return value;
        }
    }

    record Sequence(List<Value> items, Position position) implements Value {
        @Override
        public Object plain() {
            List<Object> out = new ArrayList<>();
            for (Value v : items) out.add(v.plain());
            return out;
        }
    }

    /** A mapping with string keys; {@code keys} holds where each key was written. */
    record Mapping(Map<String, Value> entries, Map<String, Position> keys, Position position) implements Value {
        public Value get(String key) {
            return entries.get(key);
        }

        @Override
        public Object plain() {
            Map<String, Object> out = new LinkedHashMap<>();
            entries.forEach((k, v) -> out.put(k, v.plain()));
            return out;
        }
    }

    /** Describes a value's YAML kind for messages: "a mapping", "a list", "the string 'x'". */
    static String describeOf(Value v) {
        if (v instanceof Mapping) return "a mapping";
        if (v instanceof Sequence) return "a list";
        Scalar s = (Scalar) v;
        if (s.value() == null) return "nothing";
        if (s.value() instanceof String) return "'" + s.text() + "'";
        return s.text();
    }
}
