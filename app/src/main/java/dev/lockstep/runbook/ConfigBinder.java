package dev.lockstep.runbook;

import dev.lockstep.expr.Template;
import dev.lockstep.reflect.RecordShape;
import dev.lockstep.spi.Action;
import dev.lockstep.spi.Check;
import dev.lockstep.spi.Durations;
import dev.lockstep.spi.Key;
import dev.lockstep.spi.Position;
import dev.lockstep.spi.Problems;
import dev.lockstep.spi.Suggest;
import dev.lockstep.spi.Value;
import dev.lockstep.spi.ValueProblem;
import dev.lockstep.spi.YamlReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Binds a step's {@code with} mapping to its configuration record: one record
 * component per key, typed. At load time values that hold expressions are only
 * checked for shape; at run time they are resolved and bound for real, with the
 * record's own constructor checks.
 */
public final class ConfigBinder {
    /** Gives a nested check (as in {@code wait}'s {@code until}): the loader parses it, a run takes the one parsed. */
    public interface CheckParser extends BiFunction<Value, Problems, Check> {}

    private final CheckParser checkParser;

    public ConfigBinder(CheckParser checkParser) {
        this.checkParser = checkParser;
    }

    /** At load: checks {@code with}; returns the record, or null when it has problems or holds expressions. */
    public <R extends Record> R check(Class<R> type, Value.Mapping with, Problems problems) {
        return bind(type, with, problems, true, "with");
    }

    /** At load, a mapping other than {@code with} (a runbook's {@code context.aws}): messages name it. */
    public <R extends Record> R check(Class<R> type, Value.Mapping mapping, Problems problems, String where) {
        return bind(type, mapping, problems, true, where);
    }

    /**
     * At run time, after expressions were resolved: every value is taken literally, and nested checks are those the
     * loader parsed ({@link Action#checks}). A value that became wrong through an expression is reported at its line.
     */
    public static <R extends Record> R bindResolved(Class<R> type, Action action, Value.Mapping resolvedWith) {
        Problems problems = new Problems();
        R config = new ConfigBinder((v, p) -> action.checks().get(v)).bind(type, resolvedWith, problems, false, "with");
        problems.throwIfAny();
        return config;
    }

    private <R extends Record> R bind(Class<R> type, Value.Mapping with, Problems problems, boolean deferExpressions,
                                      String where) {
        RecordShape shape = RecordShape.of(type);
        List<RecordComponent> components = shape.components();
        Map<String, RecordComponent> byName = shape.byName();
        int before = problems.count();
        with.entries().forEach((key, v) -> {
            if (!byName.containsKey(key)) {
                problems.add(with.keys().get(key), "unknown key '" + key + "' in " + where
                        + Suggest.didYouMean(key, byName.keySet()) + ": expected one of " + String.join(", ", byName.keySet()));
            }
        });
        Object[] args = new Object[components.size()];
        boolean deferred = false;
        for (int i = 0; i < components.size(); i++) {
            RecordComponent c = components.get(i);
            Value v = with.get(c.getName());
            Key key = c.getAnnotation(Key.class);
            if (v == null || (v instanceof Value.Scalar s && s.value() == null)) {
                if (key != null && key.required()) {
                    problems.add(with.position(), where + "." + c.getName() + " is required: " + key.value());
                }
                continue;
            }
            if (deferExpressions && v.holdsExpression() && c.getType() != Check.class) {
                deferred = true;
                continue;
            }
            args[i] = convert(c.getGenericType(), v, where + "." + c.getName(), problems);
        }
        if (deferred || problems.count() > before) return null;
        try {
            return type.cast(shape.constructor().newInstance(args));
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof ValueProblem p) {
                problems.add(p.position(), where + "." + p.getMessage());
                return null;
            }
            problems.add(with.position(), where + ": " + e.getCause().getMessage());
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }

    private Object convert(Type type, Value v, String name, Problems problems) {
        Position at = v.position();
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (raw == Value.class) return v;
        if (raw == Check.class) return checkParser.apply(v, problems);
        if (raw == List.class || raw == Map.class) {
            Type element = ((ParameterizedType) type).getActualTypeArguments()[raw == List.class ? 0 : 1];
            if (raw == List.class) {
                List<Value> items = v instanceof Value.Sequence seq ? seq.items() : List.of(v);
                List<Object> out = new ArrayList<>();
                for (Value item : items) {
                    Object converted = convert(element, item, name, problems);
                    if (converted == null) return null; // the item's problem is reported
                    out.add(converted);
                }
                return List.copyOf(out);
            }
            if (!(v instanceof Value.Mapping m)) {
                problems.add(at, name + ": expected a mapping, got " + Value.describeOf(v));
                return null;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            m.entries().forEach((k, item) -> out.put(k, convert(element, item, name + "." + k, problems)));
            return out;
        }
        if (!(v instanceof Value.Scalar s)) {
            problems.add(at, name + ": expected " + expectedFor(raw) + ", got " + Value.describeOf(v));
            return null;
        }
        try {
            return scalar(raw, s);
        } catch (IllegalArgumentException e) {
            problems.add(at, name + ": expected " + e.getMessage());
            return null;
        }
    }

    private static Object scalar(Class<?> raw, Value.Scalar s) {
        Object value = s.value();
        if (raw == String.class) return s.text();
        if (raw == Boolean.class || raw == boolean.class) {
            if (value instanceof Boolean b) return b;
            if (value instanceof String t && (t.equals("true") || t.equals("false"))) return Boolean.valueOf(t);
            throw new IllegalArgumentException("true or false, got " + Value.describeOf(s));
        }
        if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) {
            boolean isLong = raw == Long.class || raw == long.class;
            long min = isLong ? Long.MIN_VALUE : Integer.MIN_VALUE;
            long max = isLong ? Long.MAX_VALUE : Integer.MAX_VALUE;
            // Text or a number of any Java type, as a value resolved from an expression may be.
            String written = value instanceof String t ? t.trim() : value instanceof Number ? value.toString() : null;
            Long n = written != null ? wholeNumber(written) : null;
            if (n == null && !(written != null && YamlReader.looksWhole(written))) {
                throw new IllegalArgumentException("a whole number, got " + Value.describeOf(s));
            }
            if (n == null || n < min || n > max) {
                throw new IllegalArgumentException("a whole number from " + min + " to " + max + ", got " + s.text().trim());
            }
            return isLong ? (Object) n : (Object) n.intValue();
        }
        if (raw == Duration.class) return Durations.parse(s.text());
        if (raw == Pattern.class) {
            try {
                return Pattern.compile(s.text());
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("a valid regular expression: " + e.getDescription()
                        + " near index " + e.getIndex() + " of '" + s.text() + "'");
            }
        }
        throw new IllegalStateException("unsupported configuration type " + raw);
    }

    /** The number a whole number's text stands for, when it fits 64 bits. */
    private static Long wholeNumber(String text) {
        Object typed = YamlReader.coreType(text);
        return typed instanceof Long l ? l : null;
    }

    private static String expectedFor(Class<?> raw) {
        if (raw == Boolean.class || raw == boolean.class) return "true or false";
        if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) return "a whole number";
        if (raw == Duration.class) return "a duration such as 30s";
        if (raw == Pattern.class) return "a regular expression";
        return "a string";
    }

    /** JSON Schema type name of a component, for {@code lockstep schema}. */
    public static String schemaType(RecordComponent c) {
        Class<?> raw = c.getType();
        if (raw == List.class) return "array";
        if (raw == Map.class || raw == Check.class || raw == Value.class) return "object";
        if (raw == Boolean.class || raw == boolean.class) return "boolean";
        if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) return "integer";
        return "string";
    }
}
