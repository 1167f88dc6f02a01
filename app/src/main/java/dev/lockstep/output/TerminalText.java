package dev.lockstep.output;

import java.util.Map;

/**
 * What of a step's output may reach a terminal: colours (SGR) where colours are shown, nothing else that
 * the terminal would act on. One sanitizer for the full screen and for plain lines, so that a step that
 * sets the window title, clears the screen or plants a link is shown the same harmless way in both.
 */
public final class TerminalText {
    private static final char ESC = 0x1b;
    private static final char BEL = 0x07;
    /** C1 String Terminator, which ends an OSC or DCS as ESC \ does. */
    private static final char ST = 0x9c;

    private TerminalText() {}

    /** Colours are shown unless NO_COLOR is set to something (https://no-color.org). */
    public static boolean colour(Map<String, String> env) {
        String noColor = env.get("NO_COLOR");
        return noColor == null || noColor.isEmpty();
    }

    /**
     * The line with its colour sequences kept when {@code colour}, every other escape sequence (CSI, OSC such
     * as titles and links, DCS, two-character ESC commands) removed whole, and every other control character
     * shown as a space.
     */
    public static String sanitize(String line, boolean colour) {
        StringBuilder out = null;
        for (int i = 0; i < line.length(); ) {
            char c = line.charAt(i);
            if (c != ESC && !Character.isISOControl(c)) {
                if (out != null) out.append(c);
                i++;
                continue;
            }
            if (out == null) out = new StringBuilder(line.length()).append(line, 0, i);
            if (c != ESC) {
                out.append(' ');
                i++;
                continue;
            }
            int end = sequenceEnd(line, i);
            if (colour && isColour(line, i, end)) out.append(line, i, end);
            i = end;
        }
        return out == null ? line : out.toString();
    }

    /** The line without any escape sequence or control character: what a search sees. */
    public static String plain(String line) {
        return sanitize(line, false);
    }

    /** Where the escape sequence starting at {@code at} ends (exclusive); an unfinished string sequence runs to the end. */
    private static int sequenceEnd(String s, int at) {
        int i = at + 1;
        if (i >= s.length()) return i;
        char kind = s.charAt(i);
        if (kind == '[') {
            i++;
            while (i < s.length() && s.charAt(i) >= 0x30 && s.charAt(i) <= 0x3f) i++;
            while (i < s.length() && s.charAt(i) >= 0x20 && s.charAt(i) <= 0x2f) i++;
            return i < s.length() && s.charAt(i) >= 0x40 && s.charAt(i) <= 0x7e ? i + 1 : i;
        }
        if (kind == ']' || kind == 'P' || kind == 'X' || kind == '^' || kind == '_') {
            for (i++; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == BEL || c == ST) return i + 1;
                if (c == ESC) return i + 1 < s.length() && s.charAt(i + 1) == '\\' ? i + 2 : i;
            }
            return i;
        }
        while (i < s.length() && s.charAt(i) >= 0x20 && s.charAt(i) <= 0x2f) i++;
        return i < s.length() && s.charAt(i) >= 0x30 && s.charAt(i) <= 0x7e ? i + 1 : i;
    }

    /** ESC [ digits/;/: m — a colour or text attribute, nothing that moves or clears. */
    private static boolean isColour(String s, int start, int end) {
        if (end - start < 3 || s.charAt(start + 1) != '[' || s.charAt(end - 1) != 'm') return false;
        for (int i = start + 2; i < end - 1; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && c != ';' && c != ':') return false;
        }
        return true;
    }
}
