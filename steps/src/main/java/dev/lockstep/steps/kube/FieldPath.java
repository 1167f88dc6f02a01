package dev.lockstep.steps.kube;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A field of a Kubernetes object as a dotted path, {@code spec.template.spec.containers[migrate].image}:
 * {@code [NAME]} picks the list item whose {@code name} is NAME (a container, an env variable), as
 * Kubernetes merges those lists. Values are read and written as API values, whole, never pasted into text.
 */
record FieldPath(String text, List<Segment> segments) {
    /** One step of the path: a key, and the name of the list item under it when it picks one. */
    record Segment(String key, String item) {}

    private static final Pattern SEGMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_-]*)(?:\\[([^\\[\\]]+)])?");

    static FieldPath parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("a field path is empty");
        List<Segment> segments = new ArrayList<>();
        for (String part : text.split("\\.", -1)) {
            Matcher m = SEGMENT.matcher(part);
            if (!m.matches()) {
                throw new IllegalArgumentException("field path '" + text + "': expected KEY or KEY[NAME] between dots, got '" + part + "'");
            }
            segments.add(new Segment(m.group(1), m.group(2)));
        }
        if (segments.get(segments.size() - 1).item() != null) {
            throw new IllegalArgumentException("field path '" + text + "': name a field of the item, not the item itself");
        }
        return new FieldPath(text, List.copyOf(segments));
    }

    boolean startsWith(String key) {
        return segments.get(0).key().equals(key) && segments.get(0).item() == null;
    }

    /** The value at this path, or null when any part of it is absent. */
    Object get(Map<String, Object> object) {
        Object at = object;
        for (Segment s : segments) {
            if (!(at instanceof Map<?, ?> m)) return null;
            at = m.get(s.key());
            if (s.item() != null) at = at instanceof List<?> l ? item(l, s.item()) : null;
        }
        return at;
    }

    /** Sets the value at this path, making the mappings and named list items on the way that are not there yet. */
    @SuppressWarnings("unchecked")
    void put(Map<String, Object> object, Object value) {
        Map<String, Object> at = object;
        for (Segment s : segments.subList(0, segments.size() - 1)) {
            if (s.item() == null) {
                if (!(at.get(s.key()) instanceof Map<?, ?>)) at.put(s.key(), new LinkedHashMap<String, Object>());
                at = (Map<String, Object>) at.get(s.key());
                continue;
            }
            List<Object> list = at.get(s.key()) instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>();
            at.put(s.key(), list);
            Object found = item(list, s.item());
            if (found == null) {
                found = new LinkedHashMap<String, Object>(Map.of("name", s.item()));
                list.add(found);
            }
            at = (Map<String, Object>) found;
        }
        at.put(segments.get(segments.size() - 1).key(), value);
    }

    private static Object item(List<?> list, String name) {
        return list.stream().filter(x -> x instanceof Map<?, ?> m && name.equals(m.get("name"))).findFirst().orElse(null);
    }

    @Override
    public String toString() {
        return text;
    }
}
