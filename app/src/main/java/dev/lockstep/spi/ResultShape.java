package dev.lockstep.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a step type's result holds, declared by the type so that {@code ${{ result.… }}}
 * paths and a check's {@code expect} keys are checked when the runbook loads, not after
 * the step has had its effect.
 */
public sealed interface ResultShape {
    /** A single value: nothing below it can be named. */
    ResultShape VALUE = new Value();

    /** Anything below may be named: parsed JSON, a document the step passes on as it found it. */
    ResultShape ANY = new Any();

    /** Fixed keys, each with its own shape. */
    static ResultShape object(Map<String, ResultShape> fields) {
        return new Fields(java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields)), null);
    }

    /** Keys known only at run time (outputs of a stack, tables of a database), each value of one shape. */
    static ResultShape mapOf(ResultShape values) {
        return new Fields(Map.of(), values);
    }

    /** Items by index ({@code result.tasks.0}). */
    static ResultShape listOf(ResultShape items) {
        return new Items(items);
    }

    /** Builds an object shape from alternating names and shapes, in order. */
    static ResultShape object(Object... namesAndShapes) {
        Map<String, ResultShape> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndShapes.length; i += 2) fields.put((String) namesAndShapes[i], (ResultShape) namesAndShapes[i + 1]);
        return new Fields(java.util.Collections.unmodifiableMap(fields), null);
    }

    /** The same shape with more fixed keys (for instance {@code matched} when a step ends on a log line). */
    default ResultShape with(String key, ResultShape shape) {
        if (!(this instanceof Fields f)) return this;
        Map<String, ResultShape> fields = new LinkedHashMap<>(f.fields());
        fields.put(key, shape);
        return new Fields(java.util.Collections.unmodifiableMap(fields), f.others());
    }

    /**
     * Null when {@code path} names something this shape has; otherwise what was expected at the
     * first part that does not fit ("has no 'exitcode': expected one of exitCode, stdout").
     */
    default String problem(List<String> path) {
        ResultShape at = this;
        for (int i = 0; i < path.size(); i++) {
            String key = path.get(i);
            String where = i == 0 ? "the result" : "result." + String.join(".", path.subList(0, i));
            if (at instanceof Any) return null;
            if (at instanceof Value) return where + " is a single value: it has no '" + key + "'";
            if (at instanceof Items items) {
                if (!key.chars().allMatch(Character::isDigit)) return where + " is a list: expected an index, got '" + key + "'";
                at = items.items();
            } else {
                Fields f = (Fields) at;
                if (f.fields().containsKey(key)) {
                    at = f.fields().get(key);
                } else if (f.others() != null) {
                    at = f.others();
                } else {
                    return where + " has no '" + key + "': expected "
                            + (f.fields().isEmpty() ? "nothing" : "one of " + String.join(", ", f.fields().keySet()));
                }
            }
        }
        return null;
    }

    /**
     * Null when {@code value} (a result as a step returned it) fits this shape; otherwise where it does not: a key
     * the shape does not declare, or a list or an object where the shape has something else. A declared key may be
     * missing: a type leaves out what it did not find.
     */
    default String misfit(Object value) {
        return misfit(value, "result");
    }

    private String misfit(Object value, String where) {
        if (this instanceof Any || value == null) return null;
        if (this instanceof Value) {
            return value instanceof java.util.Map || value instanceof List ? where + " is declared a single value, got " + kind(value) : null;
        }
        if (this instanceof Items items) {
            if (!(value instanceof List<?> list)) return where + " is declared a list, got " + kind(value);
            for (int i = 0; i < list.size(); i++) {
                String m = items.items().misfit(list.get(i), where + "." + i);
                if (m != null) return m;
            }
            return null;
        }
        Fields f = (Fields) this;
        if (!(value instanceof Map<?, ?> map)) return where + " is declared an object, got " + kind(value);
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = String.valueOf(e.getKey());
            ResultShape shape = f.fields().containsKey(key) ? f.fields().get(key) : f.others();
            if (shape == null) {
                return where + "." + key + " is not declared: expected "
                        + (f.fields().isEmpty() ? "nothing" : "one of " + String.join(", ", f.fields().keySet()));
            }
            String m = shape.misfit(e.getValue(), where + "." + key);
            if (m != null) return m;
        }
        return null;
    }

    private static String kind(Object value) {
        return value instanceof Map ? "an object" : value instanceof List ? "a list" : "a single value";
    }

    record Value() implements ResultShape {}

    record Any() implements ResultShape {}

    /** Named fields, and for keys known only at run time the shape of every other value (null: none). */
    record Fields(Map<String, ResultShape> fields, ResultShape others) implements ResultShape {}

    record Items(ResultShape items) implements ResultShape {}
}
