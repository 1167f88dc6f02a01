package dev.lockstep.journal;

import dev.lockstep.reflect.RecordShape;
import dev.lockstep.secret.Redactor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns event payloads into JSON-ready maps and back. Writing masks secrets in every
 * component that is not {@link EventData.Structural}; reading checks the type of every
 * key against the record, so a wrong or missing value is a described error, not a
 * ClassCastException later.
 */
final class EventCodec {
    private EventCodec() {}

    /** A payload that does not have the shape its event type declares. */
    static final class BadPayload extends RuntimeException {
        BadPayload(String message) {
            super(message);
        }
    }

    static Map<String, Object> write(EventData data, Redactor redactor) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : RecordShape.of(data.getClass()).components()) {
            Object v;
            try {
                v = c.getAccessor().invoke(data);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName() + " of " + data.getClass().getSimpleName(), e);
            }
            if (v == null) continue;
            out.put(c.getName(), c.isAnnotationPresent(EventData.Structural.class) ? v : redactor.redactTree(v));
        }
        return out;
    }

    static EventData read(EventType type, Object data) {
        if (!(data instanceof Map<?, ?> map)) throw new BadPayload("data: expected an object, got " + kind(data));
        Class<? extends EventData> record = type.payload();
        RecordShape shape = RecordShape.of(record);
        List<RecordComponent> components = shape.components();
        for (Object key : map.keySet()) {
            if (!shape.byName().containsKey(key)) throw new BadPayload("data." + key + ": not a field of " + type);
        }
        Object[] args = new Object[components.size()];
        for (int i = 0; i < components.size(); i++) {
            RecordComponent c = components.get(i);
            Object v = map.get(c.getName());
            if (v == null) {
                if (!c.isAnnotationPresent(EventData.Optional.class)) {
                    throw new BadPayload("data." + c.getName() + ": required by " + type + ", missing");
                }
                args[i] = null;
            } else {
                args[i] = convert(c.getGenericType(), v, "data." + c.getName());
            }
        }
        try {
            return record.cast(shape.constructor().newInstance(args));
        } catch (InvocationTargetException e) {
            throw new BadPayload(type + ": " + e.getCause().getMessage());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + record.getSimpleName(), e);
        }
    }

    private static Object convert(Type type, Object v, String path) {
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (raw == String.class) {
            if (v instanceof String s) return s;
        } else if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
            Long n = whole(v);
            if (n != null && (raw == long.class || raw == Long.class)) return n;
            if (n != null && n >= Integer.MIN_VALUE && n <= Integer.MAX_VALUE) return n.intValue();
        } else if (raw == boolean.class || raw == Boolean.class) {
            if (v instanceof Boolean b) return b;
        } else if (raw == List.class) {
            if (v instanceof List<?> list) {
                Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) == null) throw new BadPayload(path + "[" + i + "]: expected a value, got null");
                    out.add(convert(element, list.get(i), path + "[" + i + "]"));
                }
                return Collections.unmodifiableList(out);
            }
        } else if (raw == Map.class) {
            if (v instanceof Map<?, ?> m) {
                Type element = ((ParameterizedType) type).getActualTypeArguments()[1];
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    String key = String.valueOf(e.getKey());
                    out.put(key, element == Object.class ? e.getValue() : convert(element, e.getValue(), path + "." + key));
                }
                return Collections.unmodifiableMap(out);
            }
        } else if (raw == Object.class) {
            return v;
        }
        throw new BadPayload(path + ": expected " + expected(raw) + ", got " + kind(v));
    }

    private static Long whole(Object v) {
        if (v instanceof Long l) return l;
        if (v instanceof Integer i) return i.longValue();
        if (v instanceof BigDecimal d) {
            try {
                return d.longValueExact();
            } catch (ArithmeticException e) {
                return null;
            }
        }
        return null;
    }

    private static String expected(Class<?> raw) {
        if (raw == String.class) return "a string";
        if (raw == int.class || raw == Integer.class) return "a whole number (32-bit)";
        if (raw == long.class || raw == Long.class) return "a whole number";
        if (raw == boolean.class || raw == Boolean.class) return "true or false";
        if (raw == List.class) return "a list";
        return "an object";
    }

    private static String kind(Object v) {
        if (v == null) return "null";
        if (v instanceof String) return "a string";
        if (v instanceof Boolean) return v.toString();
        if (v instanceof Number) return "the number " + v;
        if (v instanceof List<?>) return "a list";
        if (v instanceof Map<?, ?>) return "an object";
        return v.getClass().getSimpleName();
    }
}
