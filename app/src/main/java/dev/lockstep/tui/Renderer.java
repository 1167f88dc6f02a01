package dev.lockstep.tui;

import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.graphics.TextGraphics;
import dev.lockstep.engine.DisplayedState;
import dev.lockstep.engine.StepState;
import dev.lockstep.engine.StepStateMachine;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.output.TerminalText;
import dev.lockstep.spi.Durations;
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
            List<String> words = Text.wrap("lockstep: terminal too small (" + w + "x" + h + "); needs " + MIN_COLUMNS + "x"
                    + MIN_ROWS, Math.max(1, w), "");
            for (int row = 0; row < Math.min(h, words.size()); row++) put(g, 0, row, words.get(row), w);
            return;
        }
        header(s, g, w);
        int top = 1;
        if (s.watching) top = watchBanner(s, g, w, top);
        if (s.takenOver != null) top = takenOverBanner(s, g, w, top);
        if (s.halt != null) top = haltBanner(s, g, w, h, top);
        if (s.approval != null && s.gateStep != null) top = approvalBanner(s, g, w, h, top);
        int bottom = h - 2;
        String status = s.message != null || s.takenOver != null ? s.message : s.runState.awaitsAPerson() ? "waiting for "
                + (s.runState == DisplayedState.AWAITING_APPROVAL ? "the approvers" : s.watching ? "the driver's operator" : "you")
                + ": " + s.runState.label().replace('-', ' ')
                + (s.gateStep != null ? " at step " + s.gateStep : "")
                : s.busy != null ? s.busy + "…" : null;
        if (status != null) put(g, 0, bottom, status, w, SGR.BOLD);
        else bottom = h - 1;
        put(g, 0, h - 1, " " + String.join("  ", footerKeys(s)), w, SGR.REVERSE);
        int bodyRows = bottom - top;
        if (s.fullLogs) {
            logPane(s, logs, g, 0, top, w, bodyRows);
        } else if (w < MIN_COLUMNS || h < MIN_ROWS) {
            int listRows = Math.max(3, Math.min(s.steps.size() + 1, bodyRows / 3));
            stepList(s, g, 0, top, w, listRows, nextStepId);
            logPane(s, logs, g, 0, top + listRows, w, bodyRows - listRows);
        } else {
            int listWidth = Math.min(44, w * 2 / 5);
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
        g.fillRectangle(new TerminalPosition(0, 0), new TerminalSize(w, 1), ' ');
        String cell = " " + (s.takenOver != null ? "TAKEN OVER" : s.runState.heading()) + " ";
        String state = elapsed(s.clockFrom, s.takenOverAt != null ? s.takenOverAt : s.clockTo) + " │" + cell
                + (s.auto ? "│ AUTO " : "");
        String right = w >= MIN_COLUMNS ? " run " + s.runId + " │ " + s.target + " │ " + state : " " + state;
        // The downtime before the title: when the title must be cut, the clock the call is watching stays.
        String left = " lockstep │ " + (s.downtime != null ? s.downtime + " │ " : "") + s.title;
        int rightWidth = Text.width(right);
        if (color) {
            put(g, 0, 0, left, Math.max(0, w - rightWidth), SGR.BOLD);
        } else {
            put(g, 0, 0, left, Math.max(0, w - rightWidth), SGR.BOLD, SGR.REVERSE);
        }
        put(g, Math.max(0, w - rightWidth), 0, right, w, color ? SGR.BOLD : SGR.REVERSE);
        if (color) {
            // The state in a cell of its own colour, readable at a glance from across the room.
            int at = Math.max(0, w - rightWidth) + Text.width(right) - Text.width(cell) - (s.auto ? Text.width("│ AUTO ") : 0);
            g.setBackgroundColor(stateColour(s.runState));
            g.setForegroundColor(TextColor.ANSI.BLACK);
            put(g, at, 0, cell, w, SGR.BOLD);
        }
        reset(g);
    }

    private static TextColor stateColour(DisplayedState s) {
        return switch (s) {
            case READY, PAUSED -> TextColor.ANSI.WHITE;
            case RUNNING, ROLLING_BACK -> TextColor.ANSI.YELLOW_BRIGHT;
            case AWAITING_CONFIRMATION, AWAITING_DECISION, AWAITING_APPROVAL -> TextColor.ANSI.MAGENTA_BRIGHT;
            case BLOCKED, IN_DOUBT -> TextColor.ANSI.CYAN_BRIGHT;
            case FAILED, HALTED, ROLLBACK_FAILED -> TextColor.ANSI.RED_BRIGHT;
            case SUCCEEDED -> TextColor.ANSI.GREEN_BRIGHT;
            case ROLLED_BACK, ABANDONED -> TextColor.ANSI.BLUE_BRIGHT;
        };
    }

    /** The run's clock: 00:00:00 until its first step, then to {@code to} (its end), or to now while it goes on. */
    static String elapsed(Instant from, Instant to) {
        if (from == null) return "00:00:00";
        long sec = Math.max(0, Duration.between(from, to != null ? to : Instant.now()).getSeconds());
        // Not String.format: its first number loads the locale's number symbols, ~10 ms before the first frame.
        return twoDigits(sec / 3600) + ":" + twoDigits((sec / 60) % 60) + ":" + twoDigits(sec % 60);
    }

    private static String twoDigits(long n) {
        return n < 10 ? "0" + n : String.valueOf(n);
    }

    private int watchBanner(UiState s, TextGraphics g, int w, int row) {
        if (color) {
            g.setBackgroundColor(TextColor.ANSI.CYAN);
            g.setForegroundColor(TextColor.ANSI.BLACK);
        }
        g.fillRectangle(new TerminalPosition(0, row), new TerminalSize(w, 1), ' ');
        put(g, 1, row, "WATCHING (read-only)  " + (s.driver != null ? s.driver : ""), w - 2, color ? SGR.BOLD : SGR.REVERSE);
        reset(g);
        return row + 1;
    }

    /** Who took the run from this process, and when, wrapped: nothing here acts on it any more. */
    private int takenOverBanner(UiState s, TextGraphics g, int w, int row) {
        List<String> text = Text.wrap(s.takenOver + " — read-only; q quits", w - 2, "  ");
        if (color) {
            g.setBackgroundColor(TextColor.ANSI.RED);
            g.setForegroundColor(TextColor.ANSI.WHITE);
        }
        g.fillRectangle(new TerminalPosition(0, row), new TerminalSize(w, text.size()), ' ');
        for (int i = 0; i < text.size(); i++) put(g, 1, row + i, text.get(i), w - 2, color ? SGR.BOLD : SGR.REVERSE);
        reset(g);
        return row + text.size();
    }

    /** Why the run halted and the evidence, wrapped (at most a third of the screen), then the ways on. */
    private int haltBanner(UiState s, TextGraphics g, int w, int h, int row) {
        UiState.Halt halt = s.halt;
        List<String> text = new ArrayList<>(Text.wrap("HALTED  step " + halt.stepId() + ": " + halt.reason(), w - 2, "  "));
        if (halt.evidence() != null && !halt.evidence().isBlank()) {
            for (String l : halt.evidence().split("\n")) text.addAll(Text.wrap((text.size() == 1 ? "evidence: " : "          ") + l, w - 2, "          "));
        }
        return banner(g, w, row, text, Math.max(2, h / 3 - 1), TextColor.ANSI.RED, s.watching
                ? "the driver decides: retry, roll back, or override (typed, recorded)"
                : "t retry the step   r roll back   o override (type the step id; recorded)");
    }

    /** What the run waits to have approved: the step's resolved plan as the approvers see it, who may approve, and how. */
    private int approvalBanner(UiState s, TextGraphics g, int w, int h, int row) {
        EventData.Awaiting a = s.approval;
        int count = a.count() == null ? 1 : a.count();
        List<String> from = a.from() == null ? List.of() : a.from();
        List<String> text = new ArrayList<>(Text.wrap("AWAITING APPROVAL  step " + s.gateStep + ": needs " + count + " approval"
                + (count == 1 ? "" : "s") + (from.isEmpty() ? " from anyone" : " from " + String.join(" or ", from))
                + (Boolean.TRUE.equals(a.notDriver()) ? ", not from the driver (" + a.driver() + ")" : ""), w - 2, "  "));
        if (a.message() != null) text.addAll(Text.wrap(a.message(), w - 2, "  "));
        text.add("what is approved (plan " + (a.digest() == null ? "?" : a.digest().substring(0, Math.min(12, a.digest().length()))) + "):");
        for (String line : a.plan() == null ? List.<String>of() : a.plan()) text.addAll(Text.wrap("  " + line, w - 2, "      "));
        return banner(g, w, row, text, Math.max(3, h / 2 - 1), TextColor.ANSI.MAGENTA, "approve from another terminal: lockstep approve "
                + s.runId + " " + s.gateStep + "   (or lockstep reject " + s.runId + " " + s.gateStep + " --reason WHY)");
    }

    /**
     * A banner across the screen: its lines (the first in bold) cut to {@code room}, the last then ending in …, and
     * a bold line of what to do under them; returns the row below it.
     */
    private int banner(TextGraphics g, int w, int row, List<String> lines, int room, TextColor background, String keys) {
        List<String> text = lines;
        if (text.size() > room) {
            text = new ArrayList<>(text.subList(0, room));
            text.set(room - 1, Text.fit(text.get(room - 1), w - 3) + Text.ELLIPSIS);
        }
        int rows = text.size() + 1;
        if (color) {
            g.setBackgroundColor(background);
            g.setForegroundColor(TextColor.ANSI.WHITE_BRIGHT);
        }
        g.fillRectangle(new TerminalPosition(0, row), new TerminalSize(w, rows), ' ');
        for (int i = 0; i < text.size(); i++) put(g, 1, row + i, text.get(i), w - 2, i == 0 ? new SGR[] {SGR.BOLD} : new SGR[0]);
        put(g, 1, row + text.size(), keys, w - 2, SGR.BOLD);
        reset(g);
        return row + rows;
    }

    /**
     * Before the title of the point of no return the run gates (the runbook declares it): after that step a
     * rollback cannot restore the world. A point lockstep only computes (a step without a rollback may just read)
     * is marked quietly, by {@link #POINT_OF_NO_RETURN_GLYPH} where the next step's arrow goes.
     */
    static final String POINT_OF_NO_RETURN = "⊘ no return: ";
    static final String POINT_OF_NO_RETURN_GLYPH = "⊘";

    private void stepList(UiState s, TextGraphics g, int x, int y, int w, int rows, String nextStepId) {
        boolean focused = s.focus == UiState.Focus.STEPS;
        put(g, x, y, " Steps", w, focused ? SGR.BOLD : SGR.ITALIC);
        int first = Math.max(0, Math.min(s.selected - (rows - 2) / 2, s.steps.size() - (rows - 1)));
        for (int i = first; i < s.steps.size() && y + 1 + i - first < y + rows; i++) {
            UiState.StepView v = s.steps.get(i);
            int row = y + 1 + i - first;
            String marker = v.id.equals(nextStepId) ? "›" : v.pointOfNoReturn != null ? POINT_OF_NO_RETURN_GLYPH : " ";
            String time = v.duration != null ? Durations.format(v.duration)
                    : v.startedAt != null && v.state == StepState.RUNNING ? elapsedShort(v.startedAt) : "";
            int room = w - Text.width(time) - 1;
            String text = marker + glyph(v.state) + " " + (v.gatedPointOfNoReturn
                    ? POINT_OF_NO_RETURN + label(v, room - 3 - POINT_OF_NO_RETURN.length()) : label(v, room - 3));
            if (color) g.setForegroundColor(colour(v.state));
            if (i == s.selected) {
                g.enableModifiers(SGR.REVERSE);
                g.fillRectangle(new TerminalPosition(x, row), new TerminalSize(w, 1), ' ');
            }
            put(g, x, row, pad(text, room) + " " + time, w);
            reset(g);
        }
    }

    /** The title operators read, with the id the command line uses when both fit. */
    static String label(UiState.StepView v, int room) {
        if (v.title.equals(v.id) || v.runbookRollback) return v.title;
        String both = v.title + " · " + v.id;
        return Text.width(both) <= room ? both : v.title;
    }

    private static String elapsedShort(Instant since) {
        return Durations.format(Duration.between(since, Instant.now()));
    }

    private void detail(UiState s, TextGraphics g, int x, int y, int w, int rows) {
        UiState.StepView v = s.selectedStep();
        if (v == null) return;
        int width = w - 1;
        List<String> lines = new ArrayList<>();
        lines.add(v.title);
        lines.add((v.runbookRollback ? "runs after the steps' own rollbacks" : "step " + v.id + " · " + v.uses) + " · "
                + v.state.label() + (v.duration != null ? " in " + Durations.format(v.duration) : ""));
        lines.addAll(MarkdownText.lines(v.description, width));
        if (v.pointOfNoReturn != null) lines.addAll(Text.wrap(v.pointOfNoReturn, width, "  "));
        if (v.reason != null) lines.addAll(Text.wrap("Why: " + v.reason, width, "     "));
        for (String a : v.attempts) lines.addAll(Text.wrap("  " + a, width, "    "));
        if (!v.findings.isEmpty()) {
            lines.add("Found:");
            for (String f : v.findings) lines.addAll(Text.wrap("  " + f, width, "    "));
        }
        if (!v.runbookRollback) {
            String rollback = v.hasRollback ? "yes" : "none";
            if (v.rollbackDuration != null) rollback += " (" + v.state.label() + " in " + Durations.format(v.rollbackDuration) + ")";
            lines.add("Rollback: " + rollback + (v.confirm != null ? "   Confirm: " + v.confirm : ""));
        }
        if (!v.checks.isEmpty() || (v.state == StepState.PENDING && !v.runbookRollback)) {
            lines.add("Preconditions:" + (v.checks.isEmpty() ? " none checked yet" + (s.busy == null ? " (c to check)" : "") : ""));
            for (String c : v.checks) lines.addAll(Text.wrap("  " + c, width, "    "));
        }
        if (!v.outputs.isEmpty()) {
            StringBuilder b = new StringBuilder("Outputs:");
            v.outputs.forEach((k, val) -> b.append(' ').append(k).append('=').append(val));
            lines.addAll(Text.wrap(b.toString(), width, "    "));
        }
        lines.add("Will do:");
        for (String p : v.preview) lines.addAll(Text.wrap("  " + p, width, "      "));
        for (int i = 0; i < Math.min(rows, lines.size()); i++) {
            String l = lines.get(i);
            if (i == 0) {
                put(g, x, y + i, l, w, SGR.BOLD);
            } else if (color && (l.startsWith("  ✓") || l.startsWith("  ✗") || l.startsWith("Why: "))) {
                g.setForegroundColor(l.startsWith("  ✓") ? TextColor.ANSI.GREEN : TextColor.ANSI.RED);
                put(g, x, y + i, l, w);
                reset(g);
            } else {
                put(g, x, y + i, l, w);
            }
        }
    }

    /**
     * The selected step's log, each line wrapped to the pane (a long line takes more rows, never
     * cut): following, the last lines, so that the newest row is at the bottom; scrolled, from the
     * line at the top.
     */
    private void logPane(UiState s, LogStore logs, TextGraphics g, int x, int y, int w, int rows) {
        if (rows < 2) return;
        UiState.StepView v = s.selectedStep();
        if (v == null) return;
        int total = logs.size(v.id);
        int visible = rows - 1;
        int top = s.follow ? Math.max(0, total - visible) : Math.max(0, Math.min(s.logTop, Math.max(0, total - visible)));
        List<LogRow> shown = new ArrayList<>();
        List<String> lines = logs.window(v.id, top, visible);
        for (int i = 0; i < lines.size(); i++) {
            String plain = TerminalText.plain(lines.get(i));
            // A haltOn line, or a line a step marks loud ("!! REPLACED", a broken guard): red and bold.
            boolean halt = matches(v.haltOn, plain) || plain.contains("!! ");
            boolean found = s.search != null && !s.search.isEmpty() && plain.contains(s.search);
            for (String r : Text.styledRows(lines.get(i), w, color && !halt)) shown.add(new LogRow(r, top + i, halt, found));
        }
        if (shown.size() > visible) shown = s.follow ? shown.subList(shown.size() - visible, shown.size()) : shown.subList(0, visible);
        int last = shown.isEmpty() ? top : shown.get(shown.size() - 1).line() + 1;
        String title = " Logs: " + v.id + "  " + (s.follow ? "[following]" : "[line " + (top + 1) + "-"
                + Math.min(total, last) + " of " + total + "]")
                + (s.search != null ? "  search: " + s.search + " (n next, N previous)" : "");
        put(g, x, y, title, w, s.focus == UiState.Focus.LOGS ? SGR.BOLD : SGR.ITALIC);
        for (int i = 0; i < shown.size(); i++) {
            LogRow r = shown.get(i);
            if (r.halt() && color) g.setForegroundColor(TextColor.ANSI.RED);
            if (r.halt()) g.enableModifiers(SGR.BOLD);
            if (r.found()) g.enableModifiers(SGR.REVERSE);
            g.putCSIStyledString(x, y + 1 + i, r.text());
            reset(g);
        }
    }

    /** One row of the log pane: part of log line {@code line}, which may take several rows. */
    private record LogRow(String text, int line, boolean halt, boolean found) {}

    private static boolean matches(List<Pattern> patterns, String line) {
        for (Pattern p : patterns) if (p.matcher(line).find()) return true;
        return false;
    }

    /** Only the keys that do something now. */
    static List<String> footerKeys(UiState s) {
        UiState.StepView v = s.selectedStep();
        List<String> keys = new ArrayList<>();
        if (s.takenOver != null) return List.of("q quit");
        if (s.overlay != null) return overlayKeys(s.overlay);
        if (s.watching && s.approval != null) {
            return List.of("y approve", "x reject", "↑↓ step", "l logs", "/ search", "? help", "q quit");
        }
        if (s.watching) return List.of("↑↓ step", "l logs", "f follow", "Tab pane", "/ search", "? help", "q quit");
        if (s.busy != null) {
            keys.add("a auto " + (s.auto ? "off" : "on"));
            keys.addAll(List.of("p plan", "l logs", "/ search", "? help", "q quit (stops the step)"));
            return keys;
        }
        if (s.halt != null) return List.of("t retry", "r roll back", "o override", "q quit");
        if (!s.finished) {
            keys.add("Enter run next");
            keys.add("a auto " + (s.auto ? "off" : "on"));
            if (v != null && !v.runbookRollback && v.state == StepState.PENDING && v.hasChecks) keys.add("c check");
            if (v != null && StepStateMachine.retryable().contains(v.state)) keys.add("t retry");
            if (v != null && !v.runbookRollback && StepStateMachine.allows(v.state, EventType.STEP_SKIPPED)) keys.add("s skip");
        }
        if (s.canRollback) keys.add("r roll back");
        keys.addAll(List.of("p plan", "l logs", "/ search"));
        if (s.search != null) keys.add("n/N next/previous");
        keys.addAll(List.of("? help", "q quit"));
        return keys;
    }

    private static List<String> overlayKeys(UiState.Overlay o) {
        return switch (o.kind) {
            case HELP, PLAN -> List.of("↑↓ j k PgUp PgDn g G scroll", "any other key closes");
            case QUESTION_TYPED, OVERRIDE, APPROVE, REJECT -> List.of("type it exactly, then Enter", "Esc cancel");
            case SKIP_REASON, SEARCH, REJECT_REASON -> List.of("Enter accept", "Esc cancel");
            case QUESTION_YES_NO, QUIT -> List.of("y yes", "n / Esc no");
            case QUESTION_IN_DOUBT -> List.of("r run again", "m mark done", "s skip", "Esc decide later");
            case ROLLBACK -> List.of("y roll back", "n / Esc cancel", "↑↓ scroll");
        };
    }

    private void overlay(UiState.Overlay o, TextGraphics g, int w, int h) {
        int longest = Text.width(o.title) + 4;
        for (String l : o.lines) longest = Math.max(longest, Text.width(l) + 4);
        int bw = Math.min(w - 2, Math.max(50, longest));
        List<String> lines = new ArrayList<>();
        for (String l : o.lines) lines.addAll(Text.wrap(l, bw - 4, leading(l) + "    "));
        int extra = (o.input != null ? 2 : 0) + (o.error != null ? 1 : 0);
        int room = h - 4 - extra;
        int shown = Math.min(lines.size(), Math.max(1, room - 2));
        int bh = shown + 2 + extra;
        int bx = (w - bw) / 2;
        int by = Math.max(0, (h - bh) / 2);
        reset(g);
        if (color) {
            g.setBackgroundColor(o.kind == UiState.Kind.QUESTION_TYPED || o.kind == UiState.Kind.OVERRIDE
                    || o.kind == UiState.Kind.ROLLBACK ? TextColor.ANSI.RED : TextColor.ANSI.BLACK_BRIGHT);
            g.setForegroundColor(TextColor.ANSI.WHITE_BRIGHT);
        }
        g.fillRectangle(new TerminalPosition(bx, by), new TerminalSize(bw, bh), ' ');
        put(g, bx, by, "┌" + "─".repeat(bw - 2) + "┐", bw);
        put(g, bx + 2, by, " " + o.title + " ", bw - 4, SGR.BOLD);
        for (int r = by + 1; r < by + bh - 1; r++) {
            put(g, bx, r, "│", 1);
            put(g, bx + bw - 1, r, "│", 1);
        }
        String more = lines.size() > shown ? " more: ↑↓ " : "";
        put(g, bx, by + bh - 1, "└" + "─".repeat(bw - 2) + "┘", bw);
        if (!more.isEmpty()) put(g, bx + bw - 2 - more.length(), by + bh - 1, more, more.length());
        int first = Math.max(0, Math.min(o.scroll, lines.size() - shown));
        for (int i = 0; i < shown; i++) put(g, bx + 2, by + 1 + i, lines.get(first + i), bw - 4);
        int row = by + 1 + shown;
        if (o.input != null) {
            put(g, bx + 2, row + 1, "> " + o.input + "█", bw - 4, SGR.BOLD);
            row += 2;
        }
        if (o.error != null) {
            if (color) g.setForegroundColor(TextColor.ANSI.YELLOW_BRIGHT);
            put(g, bx + 2, row, o.error, bw - 4, SGR.BOLD);
        }
        reset(g);
    }

    private static String leading(String line) {
        int n = 0;
        while (n < line.length() && line.charAt(n) == ' ') n++;
        return line.substring(0, n);
    }

    private static String pad(String text, int width) {
        if (width <= 0) return "";
        String t = Text.fit(text, width);
        return t + " ".repeat(Math.max(0, width - Text.width(t)));
    }

    private void reset(TextGraphics g) {
        g.setForegroundColor(TextColor.ANSI.DEFAULT);
        g.setBackgroundColor(TextColor.ANSI.DEFAULT);
        g.clearModifiers();
    }

    private static void put(TextGraphics g, int x, int y, String text, int maxWidth, SGR... sgr) {
        if (maxWidth <= 0) return;
        String t = Text.fit(text, maxWidth);
        if (sgr.length == 0) {
            g.putString(x, y, t);
        } else {
            g.putString(x, y, t, sgr[0], java.util.Arrays.copyOfRange(sgr, 1, sgr.length));
        }
    }
}
