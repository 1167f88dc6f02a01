package dev.lockstep.secret;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Masks secret values wherever text leaves the process: screen, journal, step logs,
 * reports, messages. A secret is found however it is written out: as is, in any letter case;
 * with any of its characters percent-encoded in either case (a password inside a connection
 * URL) or backslash-escaped as JSON writes them; line by line when it has several lines (a PEM
 * key printed by a script arrives one line at a time); hex-encoded in either case; and
 * base64-encoded whole. Other transformations (reversed, split, encrypted) cannot be promised.
 */
public final class Redactor {
    public static final String MASK = "******";
    /** Shorter values would mask ordinary text everywhere; such secrets are refused when parameters load. */
    public static final int MIN_SECRET_LENGTH = 4;
    private static final Redactor NONE = new Redactor(null);

    /** One alternation of every form of every secret, longest secrets first; null when there are none. */
    private final Pattern forms;

    private Redactor(Pattern forms) {
        this.forms = forms;
    }

    public static Redactor none() {
        return NONE;
    }

    public static Redactor of(Collection<String> secrets) {
        Set<String> texts = new LinkedHashSet<>();
        Set<String> literals = new LinkedHashSet<>();
        for (String s : secrets) {
            if (s == null || s.isEmpty()) continue;
            texts.add(s);
            if (s.contains("\n") || s.contains("\r")) {
                for (String line : s.split("\r?\n|\r")) {
                    if (line.strip().length() >= MIN_SECRET_LENGTH) texts.add(line);
                }
            }
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            for (Base64.Encoder b64 : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
                String encoded = b64.encodeToString(bytes);
                literals.add(encoded);
                literals.add(encoded.replace("=", ""));
            }
        }
        if (texts.isEmpty()) return NONE;
        // Longest form first, so that a form inside a longer one never leaves the rest of it in clear.
        Map<String, Integer> alternatives = new LinkedHashMap<>();
        for (String t : texts) {
            alternatives.put("(?iu:" + anyEncoding(t) + ")", t.length());
            String hex = HexFormat.of().formatHex(t.getBytes(StandardCharsets.UTF_8));
            alternatives.put("(?i:" + hex + ")", hex.length());
        }
        // Base64 is case-sensitive: another case is other bytes.
        for (String l : literals) alternatives.put(Pattern.quote(l), l.length());
        List<String> byLength = new ArrayList<>(alternatives.keySet());
        byLength.sort(Comparator.comparing(alternatives::get, Comparator.reverseOrder()));
        return new Redactor(Pattern.compile(String.join("|", byLength)));
    }

    /**
     * A pattern matching {@code text} with each character as is, percent-encoded or JSON-escaped; it is used
     * case-insensitively, so letters and hex digits match in either case.
     */
    private static String anyEncoding(String text) {
        StringBuilder p = new StringBuilder();
        text.codePoints().forEach(cp -> {
            List<String> ways = new ArrayList<>();
            ways.add(Pattern.quote(new String(Character.toChars(cp))));
            StringBuilder pct = new StringBuilder();
            for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                pct.append('%').append(HexFormat.of().toHexDigits(b));
            }
            ways.add(pct.toString());
            if (cp == ' ') ways.add("\\+");
            String json = switch (cp) {
                case '"' -> "\\\\\"";
                case '\\' -> "\\\\\\\\";
                case '/' -> "\\\\/";
                case '\n' -> "\\\\n";
                case '\r' -> "\\\\r";
                case '\t' -> "\\\\t";
                default -> null;
            };
            if (json != null) ways.add(json);
            if (cp < 0x10000) ways.add("\\\\u" + HexFormat.of().toHexDigits((char) cp));
            p.append("(?:").append(String.join("|", ways)).append(')');
        });
        return p.toString();
    }

    /** Masks what either masks. */
    public Redactor and(Redactor other) {
        if (other.forms == null) return this;
        if (forms == null) return other;
        return new Redactor(Pattern.compile(forms.pattern() + "|" + other.forms.pattern()));
    }

    public String redact(String text) {
        if (text == null || forms == null || text.isEmpty()) return text;
        return forms.matcher(text).replaceAll(MASK);
    }

    /**
     * Redacts every string inside maps and lists (journal records, outputs), keys included:
     * a secret can be the name of a JSON field as well as its value.
     */
    public Object redactTree(Object value) {
        if (forms == null) return value;
        if (value instanceof String s) return redact(s);
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> {
                String key = redact(String.valueOf(k));
                // Two keys can mask to the same text: keep both entries.
                for (int n = 2; out.containsKey(key); n++) key = redact(String.valueOf(k)) + "#" + n;
                out.put(key, redactTree(v));
            });
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
