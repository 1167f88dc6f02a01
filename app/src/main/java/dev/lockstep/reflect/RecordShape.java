package dev.lockstep.reflect;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A record type's components (in declaration order, and by name) and canonical constructor, read once per type. Each call of
 * {@link Class#getRecordComponents} makes new components, whose annotations and generic types
 * are then parsed again: for the step configurations and journal payloads bound at every step,
 * most of the time a runbook took to load.
 */
public record RecordShape(List<RecordComponent> components, Map<String, RecordComponent> byName, Constructor<?> constructor) {
    private static final ClassValue<RecordShape> SHAPES = new ClassValue<>() {
        @Override
        protected RecordShape computeValue(Class<?> type) {
            RecordComponent[] components = type.getRecordComponents();
            if (components == null) throw new IllegalArgumentException("not a record: " + type.getName());
            Class<?>[] types = new Class<?>[components.length];
            Map<String, RecordComponent> byName = new LinkedHashMap<>();
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                byName.put(components[i].getName(), components[i]);
            }
            try {
                return new RecordShape(List.of(components), Collections.unmodifiableMap(byName), type.getDeclaredConstructor(types));
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("a record without its canonical constructor: " + type.getName(), e);
            }
        }
    };

    public static RecordShape of(Class<?> type) {
        return SHAPES.get(type);
    }
}
