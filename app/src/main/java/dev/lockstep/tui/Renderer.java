package dev.lockstep.tui;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.graphics.TextGraphics;
import dev.lockstep.engine.StepState;
import dev.lockstep.runbook.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Draws a {@link UiState}; a function of the state, the kept log lines and the screen size. */
final class Renderer {
    static final int MIN_COLUMNS = 80;
    static final int MIN_ROWS = 24;

    private final boolean color;

    Renderer(boolean color) {
        this.color = color;
    }

    static String glyph(StepState s) {
        return switch (s) {
            case PENDING -> "·";
            case CHECKING -> "?";
            case RUNNING -> "▶";
            case SUCCEEDED -> "✓";
            case FAILED, ROLLBACK_FAILED -> "✗";
            case HALTED -> "■";
            case SKIPPED -> "»";
            case IN_DOUBT -> "!";
            case ROLLING_BACK -> "↺";
            case ROLLED_BACK -> "↩";
        };
    }

    private static TextColor colour(StepState s) {
        return switch (s) {
            case PENDING -> TextColor.ANSI.DEFAULT;
            case CHECKING -> TextColor.ANSI.CYAN;
            case RUNNING, ROLLING_BACK -> TextColor.ANSI.YELLOW;
            case SUCCEEDED -> TextColor.ANSI.GREEN;
            case FAILED, HALTED, ROLLBACK_FAILED -> TextColor.ANSI.RED;
            case SKIPPED, ROLLED_BACK -> TextColor.ANSI.BLUE;
            case IN_DOUBT -> TextColor.ANSI.MAGENTA;
        };
    }

    void render(UiState s, LogStore logs, TextGraphics g, TerminalSize size, String nextStepId) {
        int w = size.getColumns();
        int h = size.getRows();
        reset(g);
        g.fill(' ');
        if (w < 30 || h < 8) {
            String[] words = {"lockstep:", "terminal", "too small", "(" + w + "x" + h + ");", "needs",
                    MIN_COLUMNS + "x" + MIN_ROWS};
            int row = 0;
            StringBuilder line = new StringBuilder();
            for (String word : words) {
                if (line.length() > 0 && line.length() + 1 + word.length() > w) {
                    put(g, 0, row++, line.toString(), w);
                    line.setLength(0);
                }
                line.append(line.length() > 0 ? " " : "").append(word);
            }
            put(g, 0, row, line.toString(), w);
            return;
        }
        header(s, g, w);
        int top = 1;
        if (s.watching) top = watchBanner(s, g, w, top);
        if (s.halt != null) top = haltBanner(s, g, w, top);
        int bottom = h - 2;
        String status = s.message != null ? s.message : s.busy != null ? s.busy + "…" : null;
        if (status != null) put(g, 0, bottom, status, w, SGR.BOLD);
        else bottom = h - 1;
        footer(s, g, w, h - 1);
        int bodyRows = bottom - top;
        if (s.fullLogs) {
            logPane(s, logs, g, 0, top, w, bodyRows);
        } else if (w < MIN_COLUMNS || h < MIN_ROWS) {
            int listRows = Math.max(3, Math.min(s.steps.size() + 1, bodyRows / 3));
            stepList(s, g, 0, top, w, listRows, nextStepId);
            logPane(s, logs, g, 0, top + listRows, w, bodyRows - listRows);
        } else {
            int listWidth = Math.min(36, w / 3);
            stepList(s, g, 0, top, listWidth, bodyRows, nextStepId);
            int detailRows = Math.max(6, bodyRows * 9 / 20);
            detail(s, g, listWidth + 1, top, w - listWidth - 1, detailRows);
            logPane(s, logs, g, listWidth + 1, top + detailRows, w - listWidth - 1, bodyRows - detailRows);
            for (int r = top; r < bottom; r++) put(g, listWidth, r, "│", 1);
        }
        if (s.overlay != null) overlay(s.overlay, g, w, h);
    }

    private void header(UiState s, TextGraphics g, int w) {
        g.setBackgroundColor(color ? TextColor.ANSI.BLUE : TextColor.ANSI.DEFAULT);
        g.setForegroundColor(color ? TextColor.ANSI.WHITE_BRIGHT : TextColor.ANSI.DEFAULT);
        g.fillRectangle(new com.googlecode.lanterna.TerminalPosition(0, 0), new TerminalSize(w, 1), ' ');
        String state = elapsed(s.startedAt) + " │ " + (s.busy != null ? "RUNNING" : s.runStatus.toUpperCase())
                + (s.auto ? " │ AUTO" : "") + " ";
        String right = w >= MIN_COLUMNS ? " run " + s.runId + " │ " + s.target + " │ " + state : " " + state;
        String left = " lockstep │ " + s.title;
        if (color) {
            put(g, 0, 0, left, Math.max(0, w - right.length()), SGR.BOLD);
        } else {
            put(g, 0, 0, left, Math.max(0, w - right.length()), SGR.BOLD, SGR.REVERSE);
        }
        put(g, Math.max(0, w - right.length()), 0, right, w, color ? SGR.BOLD : SGR.REVERSE);
        reset(g);
    }

    static String elapsed(Instant since) {
        if (since == null) return "00:00:00";
        long sec = Math.max(0, Duration.between(since, Instant.now()).getSeconds());
        return String.format("%02d:%02d:%02d", sec / 3600, (sec / 60) % 60, sec % 60);
    }

    private int watchBanner(UiState s, TextGraphics g, int w, int row) {
        if (color) {
            g.setBackgroundColor(TextColor.ANSI.CYAN);
            g.setForegroundColor(TextColor.ANSI.BLACK);
        }
        g.fillRectangle(new com.googlecode.lanterna.TerminalPosition(0, row), new TerminalSize(w, 1), ' ');
        put(g, 1, row, "WATCHING (read-only)  " + (s.driver != null ? s.driver : ""), w - 2, color ? SGR.BOLD : SGR.REVERSE);
        reset(g);
        return row + 1;
    }

    private int haltBanner(UiState s, TextGraphics g, int w, int row) {
        UiState.Halt halt = s.halt;
        if (color) {
            g.setBackgroundColor(TextColor.ANSI.RED);
            g.setForegroundColor(TextColor.ANSI.WHITE_BRIGHT);
        }
        g.fillRectangle(new com.googlecode.lanterna.TerminalPosition(0, row), new TerminalSize(w, 3), ' ');
        put(g, 1, row, "HALTED  step " + halt.stepId() + ": " + halt.reason(), w - 2, SGR.BOLD);
        put(g, 1, row + 1, "evidence: " + halt.evidence(), w - 2);
        put(g, 1, row + 2, s.watching ? "the driver decides: retry, roll back, or override (typed, recorded)"
                : "t retry the step   r roll back   o override (type the step id; recorded)", w - 2, SGR.BOLD);
        reset(g);
        return row + 3;
    }

    private void stepList(UiState s, TextGraphics g, int x, int y, int w, int rows, String nextStepId) {
        boolean focused = s.focus == UiState.Focus.STEPS;
        put(g, x, y, " Steps", w, focused ? SGR.BOLD : SGR.ITALIC);
        int first = Math.max(0, Math.min(s.selected - (rows - 2) / 2, s.steps.size() - (rows - 1)));
        for (int i = first; i < s.steps.size() && y + 1 + i - first < y + rows; i++) {
            UiState.StepView v = s.steps.get(i);
            int row = y + 1 + i - first;
            String marker = v.id.equals(nextStepId) ? "›" : " ";
            String time = v.duration != null ? Durations.format(v.duration)
                    : v.startedAt != null && v.state == StepState.RUNNING ? elapsedShort(v.startedAt) : "";
            String text = marker + glyph(v.state) + " " + v.id;
            int room = w - time.length() - 1;
            if (color) g.setForegroundColor(colour(v.state));
            if (i == s.selected) {
                g.enableModifiers(SGR.REVERSE);
                g.fillRectangle(new com.googlecode.lanterna.TerminalPosition(x, row), new TerminalSize(w, 1), ' ');
            }
            put(g, x, row, pad(text, room) + " " + time, w);
            reset(g);
        }
    }

    private static String elapsedShort(Instant since) {
        return Durations.format(Duration.between(since, Instant.now()));
    }

    private void detail(UiState s, TextGraphics g, int x, int y, int w, int rows) {
        UiState.StepView v = s.selectedStep();
        if (v == null) return;
        List<String> lines = new ArrayList<>();
        lines.add(v.title + "  [" + v.uses + "]  " + v.state.label()
                + (v.reason != null ? ": " + v.reason : ""));
        if (v.description != null) {
            for (String l : v.description.strip().split("\n")) lines.addAll(wrap(markdown(l), w - 1));
        }
        lines.add("Rollback: " + (v.hasRollback ? "yes" : "none") + (v.confirm != null ? "   Confirm: " + v.confirm : ""));
        if (!v.checks.isEmpty() || v.state == StepState.PENDING) {
            lines.add("Preconditions:" + (v.checks.isEmpty() ? " none checked yet" + (s.busy == null ? " (c to check)" : "") : ""));
            for (String c : v.checks) lines.addAll(wrap("  " + c, w - 1));
        }
        if (!v.outputs.isEmpty()) {
            StringBuilder b = new StringBuilder("Outputs:");
            v.outputs.forEach((k, val) -> b.append(' ').append(k).append('=').append(val));
            lines.addAll(wrap(b.toString(), w - 1));
        }
        lines.add("Will do:");
        for (String p : v.preview) lines.addAll(wrap("  " + p, w - 1));
        for (int i = 0; i < Math.min(rows, lines.size()); i++) {
            String l = lines.get(i);
            if (i == 0) {
                put(g, x, y + i, l, w, SGR.BOLD);
            } else if (color && l.startsWith("  ✓")) {
                g.setForegroundColor(TextColor.ANSI.GREEN);
                put(g, x, y + i, l, w);
                reset(g);
            } else if (color && l.startsWith("  ✗")) {
                g.setForegroundColor(TextColor.ANSI.RED);
                put(g, x, y + i, l, w);
                reset(g);
            } else {
                put(g, x, y + i, l, w);
            }
        }
    }

    /** Markdown shown as readable text: emphasis and code marks dropped, headings and bullets kept plain. */
    static String markdown(String line) {
        return line.replaceAll("^#+\\s*", "").replaceAll("^\\s*[*-]\\s+", "• ")
                .replaceAll("\\*\\*(.+?)\\*\\*", "$1").replaceAll("`([^`]*)`", "$1").replaceAll("(?<!\\*)\\*([^*]+)\\*", "$1");
    }

    private void logPane(UiState s, LogStore logs, TextGraphics g, int x, int y, int w, int rows) {
        if (rows < 2) return;
        UiState.StepView v = s.selectedStep();
        if (v == null) return;
        int total = logs.size(v.id);
        int visible = rows - 1;
        int top = s.follow ? Math.max(0, total - visible) : Math.max(0, Math.min(s.logTop, Math.max(0, total - visible)));
        String title = " Logs: " + v.id + "  " + (s.follow ? "[following]" : "[line " + (top + 1) + "-"
                + Math.min(total, top + visible) + " of " + total + "]")
                + (s.search != null ? "  search: " + s.search : "");
        put(g, x, y, title, w, s.focus == UiState.Focus.LOGS ? SGR.BOLD : SGR.ITALIC);
        List<String> lines = logs.window(v.id, top, visible);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            // A haltOn line, or a line a step marks loud ("!! REPLACED", a broken guard): red and bold.
            boolean halt = matches(v.haltOn, l) || l.contains("!! ");
            boolean found = s.search != null && !s.search.isEmpty() && l.contains(s.search);
            if (halt && color) g.setForegroundColor(TextColor.ANSI.RED);
            if (halt) g.enableModifiers(SGR.BOLD);
            if (found) g.enableModifiers(SGR.REVERSE);
            put(g, x, y + 1 + i, l, w);
            reset(g);
        }
    }

    private static boolean matches(List<Pattern> patterns, String line) {
        for (Pattern p : patterns) if (p.matcher(line).find()) return true;
        return false;
    }

    private void footer(UiState s, TextGraphics g, int w, int row) {
        UiState.StepView v = s.selectedStep();
        List<String> keys = new ArrayList<>();
        if (s.overlay != null) {
            keys.add(s.overlay.input != null ? "Enter accept" : "y/n answer");
            keys.add("Esc close");
        } else if (s.watching) {
            keys.add("↑↓ step");
            keys.add("l logs");
            keys.add("f follow");
            keys.add("Tab pane");
            keys.add("/ search");
            keys.add("? help");
            keys.add("q quit");
        } else {
            if (s.busy == null) keys.add("Enter run next");
            keys.add("a auto " + (s.auto ? "off" : "on"));
            if (v != null && v.state == StepState.PENDING) keys.add("c check");
            if (v != null && (v.state == StepState.FAILED || v.state == StepState.HALTED)) keys.add("t retry");
            if (v != null && v.state == StepState.HALTED) keys.add("o override");
            if (v != null && (v.state == StepState.PENDING || v.state == StepState.FAILED || v.state == StepState.IN_DOUBT)) {
                keys.add("s skip");
            }
            keys.add("r roll back");
            keys.add("p plan");
            keys.add("l logs");
            keys.add("Tab pane");
            keys.add("/ search");
            keys.add("? help");
            keys.add("q quit");
        }
        put(g, 0, row, " " + String.join("  ", keys), w, SGR.REVERSE);
    }

    private void overlay(UiState.Overlay o, TextGraphics g, int w, int h) {
        int longest = o.title.length() + 4;
        for (String l : o.lines) longest = Math.max(longest, l.length() + 4);
        int bw = Math.min(w - 2, Math.max(50, longest));
        int room = h - 4 - (o.input != null ? 2 : 0);
        int shown = Math.min(o.lines.size(), Math.max(1, room - 2));
        int bh = shown + 3 + (o.input != null ? 2 : 0);
        int bx = (w - bw) / 2;
        int by = Math.max(0, (h - bh) / 2);
        reset(g);
        if (color) {
            g.setBackgroundColor(o.kind == UiState.Kind.QUESTION_TYPED || o.kind == UiState.Kind.OVERRIDE
                    || o.kind == UiState.Kind.ROLLBACK ? TextColor.ANSI.RED : TextColor.ANSI.BLACK_BRIGHT);
            g.setForegroundColor(TextColor.ANSI.WHITE_BRIGHT);
        }
        g.fillRectangle(new com.googlecode.lanterna.TerminalPosition(bx, by), new TerminalSize(bw, bh), ' ');
        put(g, bx, by, "┌" + "─".repeat(bw - 2) + "┐", bw);
        put(g, bx + 2, by, " " + o.title + " ", bw - 4, SGR.BOLD);
        for (int r = by + 1; r < by + bh - 1; r++) {
            put(g, bx, r, "│", 1);
            put(g, bx + bw - 1, r, "│", 1);
        }
        put(g, bx, by + bh - 1, "└" + "─".repeat(bw - 2) + "┘", bw);
        int first = Math.max(0, Math.min(o.scroll, o.lines.size() - shown));
        for (int i = 0; i < shown; i++) put(g, bx + 2, by + 1 + i, o.lines.get(first + i), bw - 4);
        if (o.input != null) {
            put(g, bx + 2, by + 2 + shown, "> " + o.input + "█", bw - 4, SGR.BOLD);
        }
        reset(g);
    }

    private static List<String> wrap(String text, int width) {
        List<String> out = new ArrayList<>();
        if (width < 10) {
            out.add(text);
            return out;
        }
        String rest = text;
        while (rest.length() > width) {
            int cut = rest.lastIndexOf(' ', width);
            if (cut < width / 2) cut = width;
            out.add(rest.substring(0, cut));
            rest = "    " + rest.substring(cut).stripLeading();
        }
        out.add(rest);
        return out;
    }

    private static String pad(String text, int width) {
        if (width <= 0) return "";
        if (text.length() >= width) return text.substring(0, Math.max(0, width - 1)) + "…";
        return text + " ".repeat(width - text.length());
    }

    private void reset(TextGraphics g) {
        g.setForegroundColor(TextColor.ANSI.DEFAULT);
        g.setBackgroundColor(TextColor.ANSI.DEFAULT);
        g.clearModifiers();
    }

    private static void put(TextGraphics g, int x, int y, String text, int maxWidth, SGR... sgr) {
        if (maxWidth <= 0) return;
        String t = text.replace('\t', ' ');
        t = t.chars().anyMatch(c -> c < 0x20) ? t.replaceAll("\\p{Cntrl}", " ") : t;
        if (t.length() > maxWidth) t = t.substring(0, Math.max(0, maxWidth - 1)) + "…";
        if (sgr.length == 0) {
            g.putString(x, y, t);
        } else {
            g.putString(x, y, t, sgr[0], java.util.Arrays.copyOfRange(sgr, 1, sgr.length));
        }
    }
}
