package dev.lockstep.spi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Text from a step or a runbook on its way into a stream that machines read (CI logs, GitHub's runner,
 * the job summary, JUnit, JSON, reports): one line where one line is printed, bounded in size, and never
 * a workflow command. Every such stream takes its text through here.
 */
public final class MachineText {
    /** The most a printed line or a report field keeps of one value (the journal and the step's log keep all). */
    public static final int FIELD_LIMIT = 16 * 1024;

    private MachineText() {}

    /**
     * Line breaks, escapes and every other control character written visibly ({@code \n}, {@code \e},
     * {@code \x07}), and what no encoder can carry (a lone surrogate, U+FFFE, U+FFFF) as {@code \}{@code uXXXX}.
     */
    public static String oneLine(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String shown = visible(text, i, c);
            if (shown == null) {
                if (out != null) out.append(c);
                continue;
            }
            if (out == null) out = new StringBuilder(text.length() + 16).append(text, 0, i);
            out.append(shown);
        }
        return out == null ? text : out.toString();
    }

    private static String visible(String text, int i, char c) {
        switch (c) {
            case '\n': return "\\n";
            case '\r': return "\\r";
            case '\t': return "\\t";
            case 0x1b: return "\\e";
            default:
        }
        if (Character.isISOControl(c)) return c < 0x80 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c);
        if (c == 0xfffe || c == 0xffff || c == 0x2028 || c == 0x2029) return String.format("\\u%04x", (int) c);
        if (Character.isHighSurrogate(c) && !(i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1)))
                || Character.isLowSurrogate(c) && !(i > 0 && Character.isHighSurrogate(text.charAt(i - 1)))) {
            return String.format("\\u%04x", (int) c);
        }
        return null;
    }

    /** At most {@code max} characters (a surrogate pair is never split), saying how many were cut. */
    public static String bounded(String text, int max) {
        if (text.length() <= max) return text;
        int cut = Character.isLowSurrogate(text.charAt(max)) ? max - 1 : max;
        return text.substring(0, cut) + "… [" + (text.length() - cut) + " more characters cut]";
    }

    /** A value printed on one line: {@link #oneLine} and {@link #bounded} to {@link #FIELD_LIMIT}. */
    public static String field(Object value) {
        return bounded(oneLine(String.valueOf(value)), FIELD_LIMIT);
    }

    /** A document (maps, lists, scalars) with each string {@link #bounded} to {@link #FIELD_LIMIT}; the shape unchanged. */
    public static Object boundedStrings(Object value) {
        if (value instanceof String s) return bounded(s, FIELD_LIMIT);
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, boundedStrings(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object v : l) out.add(boundedStrings(v));
            return out;
        }
        return value;
    }

    /**
     * One physical line as GitHub's runner may read it, made inert: it reads a command from {@code ::} at the
     * start after any white space, from the legacy {@code ##[} anywhere, and ends a line at CR. So CR is
     * written {@code \r}, a leading {@code ::} gets a backslash before it, and {@code ##[} becomes {@code ##\[}.
     */
    public static String inertForGithub(String line) {
        String s = line.indexOf('\r') < 0 ? line : line.replace("\r", "\\r");
        if (s.contains("##[")) s = s.replace("##[", "##\\[");
        int i = 0;
        while (i < s.length() && dotNetWhiteSpace(s.charAt(i))) i++;
        return s.startsWith("::", i) ? s.substring(0, i) + "\\" + s.substring(i) : s;
    }

    /** .NET's Char.IsWhiteSpace, which the runner's TrimStart uses (wider than Java's: no-break spaces, U+0085, C0 separators). */
    private static boolean dotNetWhiteSpace(char c) {
        return Character.isSpaceChar(c) || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f) || c == 0x85;
    }
}
