package dev.lockstep.secret;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Masks secret values wherever text leaves the process: screen, journal, step logs,
 * reports. A secret is also masked URL-encoded, the form it takes inside connection URLs.
 */
public final class Redactor {
    public static final String MASK = "******";
    /** Shorter values would mask ordinary text everywhere; such secrets are refused when parameters load. */
    public static final int MIN_SECRET_LENGTH = 4;
    private static final Redactor NONE = new Redactor(List.of());

    private final List<String> forms;

    private Redactor(List<String> forms) {
        this.forms = forms;
    }

    public static Redactor none() {
        return NONE;
    }

    public static Redactor of(Collection<String> secrets) {
        Set<String> forms = new LinkedHashSet<>();
        for (String s : secrets) {
            if (s == null || s.isEmpty()) continue;
            forms.add(s);
            forms.add(URLEncoder.encode(s, StandardCharsets.UTF_8));
        }
        List<String> longestFirst = new ArrayList<>(forms);
        longestFirst.sort(Comparator.comparingInt(String::length).reversed());
        return new Redactor(List.copyOf(longestFirst));
    }

    public String redact(String text) {
        if (text == null || forms.isEmpty()) return text;
        String out = text;
        for (String f : forms) {
            if (out.contains(f)) out = out.replace(f, MASK);
        }
        return out;
    }

    /** Redacts every string inside maps and lists (journal records, outputs). */
    public Object redactTree(Object value) {
        if (forms.isEmpty()) return value;
        if (value instanceof String s) return redact(s);
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), redactTree(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object v : l) out.add(redactTree(v));
            return out;
        }
        return value;
    }
}
