package dev.lockstep.tui;

import com.googlecode.lanterna.TerminalTextUtils;
import dev.lockstep.expr.Resolver;
import dev.lockstep.output.TerminalText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Text measured in terminal columns, as Lanterna counts them: a CJK character or an emoji
 * takes two, an escape sequence none. Step output may hold colour codes (kept as colours,
 * or dropped under NO_COLOR) and any other escape (always dropped: it could move the cursor),
 * by the sanitizer plain lines use too ({@link TerminalText}).
 */
final class Text {
    static final String ELLIPSIS = "…";
    /** Starts a row that carries on the line above it. */
    static final String CONTINUED = "  ";

    private Text() {}

    static int width(String text) {
        return TerminalTextUtils.getColumnWidth(text);
    }

    /** Control characters shown as spaces, so that nothing but text reaches the terminal. */
    static String printable(String text) {
        StringBuilder b = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\t' || Character.isISOControl(c)) {
                if (b == null) b = new StringBuilder(text.substring(0, i));
                b.append(' ');
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? text : b.toString();
    }

    /**
     * Records (maps) as an aligned table: a header row of their keys, in the order first met, then
     * a row each; a column whose values are all numbers is aligned right. A missing value is empty.
     */
    static List<String> table(List<?> records) {
        List<String> columns = new ArrayList<>();
        for (Object r : records) {
            for (Object k : ((Map<?, ?>) r).keySet()) if (!columns.contains(String.valueOf(k))) columns.add(String.valueOf(k));
        }
        List<List<String>> cells = new ArrayList<>();
        int[] widths = new int[columns.size()];
        boolean[] numeric = new boolean[columns.size()];
        for (int c = 0; c < columns.size(); c++) {
            widths[c] = width(columns.get(c));
            numeric[c] = true;
        }
        for (Object r : records) {
            List<String> row = new ArrayList<>();
            for (int c = 0; c < columns.size(); c++) {
                Object v = ((Map<?, ?>) r).get(columns.get(c));
                String cell = v == null ? "" : printable(Resolver.render(v));
                numeric[c] &= v == null || v instanceof Number;
                widths[c] = Math.max(widths[c], width(cell));
                row.add(cell);
            }
            cells.add(row);
        }
        List<String> out = new ArrayList<>();
        out.add(row(columns, widths, numeric));
        for (List<String> row : cells) out.add(row(row, widths, numeric));
        return out;
    }

    private static String row(List<String> cells, int[] widths, boolean[] right) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            String pad = " ".repeat(widths[c] - width(cells.get(c)));
            b.append(c > 0 ? "  " : "").append(right[c] ? pad + cells.get(c) : cells.get(c) + pad);
        }
        return b.toString().stripTrailing();
    }

    /** At most {@code columns} columns; a cut shows as "…". */
    static String fit(String text, int columns) {
        if (columns <= 0) return "";
        String t = printable(text);
        if (width(t) <= columns) return t;
        return TerminalTextUtils.fitString(t, columns - 1) + ELLIPSIS;
    }

    /** Words wrapped to {@code columns}; continuation lines start with {@code indent}. A word longer than a line is cut. */
    static List<String> wrap(String text, int columns, String indent) {
        List<String> out = new ArrayList<>();
        String t = printable(text);
        if (columns < 10 || width(t) <= columns) {
            out.add(t);
            return out;
        }
        List<String> first = TerminalTextUtils.getWordWrappedText(columns, t);
        out.add(first.get(0));
        String rest = t.substring(Math.min(t.length(), consumed(t, first.get(0)))).stripLeading();
        if (!rest.isEmpty()) {
            for (String l : TerminalTextUtils.getWordWrappedText(Math.max(1, columns - width(indent)), rest)) out.add(indent + l);
        }
        return out;
    }

    /** How many characters of {@code text} its first wrapped line took (wrapping may drop spaces). */
    private static int consumed(String text, String firstLine) {
        int i = text.indexOf(firstLine);
        return i < 0 ? firstLine.length() : i + firstLine.length();
    }

    /**
     * A line of step output for {@code putCSIStyledString}, as {@link TerminalText#sanitize} leaves it
     * (colour codes kept when {@code colour}, every other escape sequence dropped, control characters
     * as spaces), in rows of at most {@code columns} columns: nothing is cut. A continued row starts
     * with {@link #CONTINUED} and the colour the row before it ended in.
     */
    static List<String> styledRows(String line, int columns, boolean colour) {
        String clean = TerminalText.sanitize(line, colour);
        List<String> rows = new ArrayList<>();
        StringBuilder row = new StringBuilder();
        String sgr = "";
        int used = 0;
        for (int i = 0; i < clean.length(); ) {
            char c = clean.charAt(i);
            if (c == 0x1b) {
                // Only colour sequences are left, each a whole CSI.
                int n = Math.max(1, TerminalTextUtils.getANSIControlSequenceLength(clean, i));
                sgr = clean.substring(i, i + n);
                row.append(sgr);
                i += n;
                continue;
            }
            int w = TerminalTextUtils.isCharDoubleWidth(c) ? 2 : 1;
            if (used + w > columns && used > width(CONTINUED)) {
                rows.add(row.toString());
                row = new StringBuilder(CONTINUED).append(sgr);
                used = width(CONTINUED);
            }
            row.append(c);
            used += w;
            i++;
        }
        rows.add(row.toString());
        return rows;
    }
}
