package dev.lockstep.tui;

import dev.lockstep.engine.DisplayedState;
import dev.lockstep.engine.Outcome;
import dev.lockstep.engine.StepState;
import dev.lockstep.engine.StepStateMachine;
import dev.lockstep.expr.Resolver;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.StateDir;
import dev.lockstep.runbook.StepDef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The screen's one way to change: a message in, the state changed and the effects for the loop out. It touches no
 * terminal, engine, store or thread, so what a key or an event does can be tested as data; {@link TuiApp} runs the
 * effects and draws the state. The state is changed in place: the renderer draws that same object.
 */
final class TuiUpdate {
    /** A second Ctrl-C this soon after the first quits without asking; a reflex does not. */
    static final long SECOND_CTRL_C_MS = 2000;

    private final UiState state;
    /** Read only (log lengths and searches); the engine's lines reach it directly, not through messages. */
    private final LogStore logs;
    private final List<Effect> effects = new ArrayList<>();

    private TuiUpdate(UiState state, LogStore logs) {
        this.state = state;
        this.logs = logs;
    }

    /** Applies {@code msg} to {@code state}; returns what the loop is to do, in order. */
    static List<Effect> update(UiState state, LogStore logs, Msg msg) {
        TuiUpdate u = new TuiUpdate(state, logs);
        u.apply(msg);
        return List.copyOf(u.effects);
    }

    private void apply(Msg m) {
        if (m instanceof Msg.Keyed k) {
            key(k.key(), k.at());
        } else if (m instanceof Msg.Journaled j) {
            journaled(j.event(), j.stepTook());
        } else if (m instanceof Msg.RunChanged r) {
            runChanged(r);
        } else if (m instanceof Msg.Notice n) {
            state.message = n.text();
        } else if (m instanceof Msg.Question q) {
            state.auto = false;
            state.overlay = q.overlay();
            UiState.StepView about = q.overlay().stepId == null ? null : state.step(q.overlay().stepId);
            if (about != null) select(about);
        } else if (m instanceof Msg.Checked c) {
            UiState.StepView v = state.step(c.stepId());
            v.checks.clear();
            v.checks.addAll(c.results());
        } else if (m instanceof Msg.PlanReady p) {
            if (state.overlay != null && state.overlay.kind == UiState.Kind.PLAN) {
                state.overlay = new UiState.Overlay(UiState.Kind.PLAN, "Plan (dry run, resolved)", p.lines());
            }
        } else if (m instanceof Msg.RollbackPreview p) {
            rollbackBox(p.lines());
        } else if (m instanceof Msg.Finished f) {
            finished(f);
        } else if (m instanceof Msg.TakenOver t) {
            state.takenOver = t.by();
            state.takenOverAt = t.at();
            state.auto = false;
            state.message = null;
            if (state.overlay != null) effects.add(new Effect.Answer(state.overlay, null));
            state.overlay = null;
        } else if (m instanceof Msg.Driver d) {
            state.driver = d.text();
            state.driverLive = d.live();
        } else if (m instanceof Msg.Resized r) {
            state.rows = r.rows();
        }
    }

    private void runChanged(Msg.RunChanged r) {
        state.runState = r.shown();
        state.gateStep = r.gateStep();
        state.approval = r.approval();
        state.clockFrom = r.clockFrom();
        state.clockTo = r.clockTo();
        state.finished = r.finished();
        state.canRollback = r.canRollback();
    }

    private void journaled(Event e, Duration stepTook) {
        if (e.type() == EventType.ROLLBACK_FINISHED) state.halt = null;
        if (e.step() == null) {
            runbookRollback(e);
            return;
        }
        UiState.StepView v = state.step(e.step());
        if (v == null) return;
        v.state = StepStateMachine.next(v.state, e.type()).orElse(v.state);
        switch (e.type()) {
            case STEP_CHECKING -> {
                v.checks.clear();
                select(v);
            }
            case CHECK_PASSED, CHECK_FAILED -> {
                EventData.CheckResult c = e.data(EventData.CheckResult.class);
                v.checks.add((e.type() == EventType.CHECK_PASSED ? "✓" : "✗") + " check " + (c.index() + 1) + " ("
                        + c.check() + "): " + c.observed());
            }
            case STEP_STARTED -> {
                v.startedAt = e.time();
                v.duration = null;
                v.reason = null;
                v.attempts.clear();
                v.findings = List.of();
                select(v);
            }
            case STEP_ATTEMPT_FAILED -> v.attempts.add(attempt(e.data(EventData.AttemptFailed.class)));
            case STEP_SUCCEEDED -> {
                EventData.Succeeded ok = e.data(EventData.Succeeded.class);
                v.duration = stepTook;
                v.outputs.putAll(ok.outputs());
                state.refreshPreviews();
            }
            case STEP_FAILED, STEP_HALTED, STEP_IN_DOUBT -> {
                v.duration = stepTook;
                v.reason = e.data() instanceof EventData.Reason r ? r.reason() : e.data(EventData.Halted.class).reason();
                if (e.data() instanceof EventData.Halted h) {
                    v.findings = findings(h.result());
                    state.halt = new UiState.Halt(v.id, h.reason(), h.evidence());
                    select(v);
                }
            }
            case STEP_REJECTED -> {
                EventData.Approval a = e.data(EventData.Approval.class);
                v.reason = "rejected by " + a.by() + ": " + a.reason();
                state.halt = new UiState.Halt(v.id, v.reason, "from " + a.host() + " at " + a.at());
                select(v);
            }
            case STEP_BLOCKED -> v.reason = e.data(EventData.Reason.class).reason();
            case STEP_ROLLBACK_STARTED -> {
                v.rollbackStartedAt = e.time();
                v.rollbackDuration = null;
                select(v);
            }
            case STEP_ROLLBACK_SUCCEEDED, STEP_ROLLBACK_FAILED -> {
                if (v.rollbackStartedAt != null) v.rollbackDuration = Duration.between(v.rollbackStartedAt, e.time());
                v.reason = e.data() instanceof EventData.Reason r ? "rollback failed: " + r.reason() : null;
            }
            case STEP_RETRIED, STEP_OVERRIDDEN, STEP_SKIPPED, STEP_MARKED_DONE -> {
                v.reason = e.data() instanceof EventData.ByReason skipped ? "skipped: " + skipped.reason() : null;
                if (state.halt != null && state.halt.stepId().equals(v.id)) state.halt = null;
            }
            default -> { }
        }
    }

    /** The row of the runbook's own rollback follows its actions. */
    private void runbookRollback(Event e) {
        UiState.StepView v = state.step(StateDir.RUNBOOK_ROLLBACK_LOG);
        if (v == null) return;
        switch (e.type()) {
            case FINAL_ROLLBACK_STARTED -> {
                if (v.startedAt == null) v.startedAt = e.time();
                v.state = StepState.ROLLING_BACK;
                v.reason = null;
                select(v);
            }
            case FINAL_ROLLBACK_FAILED -> {
                EventData.RunbookActionFailed failed = e.data(EventData.RunbookActionFailed.class);
                v.state = StepState.ROLLBACK_FAILED;
                v.reason = "action " + (failed.index() + 1) + " failed: " + failed.reason();
                if (v.startedAt != null) v.duration = Duration.between(v.startedAt, e.time());
            }
            case ROLLBACK_FINISHED -> {
                v.state = StepState.ROLLED_BACK;
                if (v.startedAt != null) v.duration = Duration.between(v.startedAt, e.time());
            }
            default -> { }
        }
    }

    private void select(UiState.StepView v) {
        state.selected = state.steps.indexOf(v);
        state.follow = true;
    }

    private void finished(Msg.Finished f) {
        state.busy = null;
        // Whatever it was ended because the run was taken: the banner says so.
        if (state.takenOver != null) return;
        Outcome o = f.outcome();
        if (o == null) {
            state.message = "step done; " + (state.auto ? "auto mode goes on" : "Enter runs the next step");
            if (state.auto) runNext();
            return;
        }
        state.lastStop = o;
        if (!o.ok()) state.auto = false;
        state.message = o.message();
    }

    private void key(Key k, long at) {
        state.message = null;
        if (k.type() == Key.Type.CHARACTER && k.ctrl() && k.character() == 'c') {
            ctrlC(at);
            return;
        }
        if (state.takenOver != null) {
            if (k.type() == Key.Type.EOF || k.is('q')) {
                quitNow();
            } else {
                state.message = "read-only: this run was taken from this process (q quits)";
            }
            return;
        }
        if (state.overlay != null) {
            overlayKey(k);
            return;
        }
        if (state.watching && state.approval != null && (k.is('y') || k.is('x'))) {
            offerApproval(k.is('y'));
            return;
        }
        if (state.watching && acts(k)) {
            state.message = "watching, read-only: the driver of this run decides (q quits the watch)";
            return;
        }
        switch (k.type()) {
            case ENTER -> runNext();
            case TAB -> state.focus = state.focus == UiState.Focus.STEPS ? UiState.Focus.LOGS : UiState.Focus.STEPS;
            case UP -> arrow(-1);
            case DOWN -> arrow(1);
            case PAGE_UP -> scrollLogs(-pageSize());
            case PAGE_DOWN -> scrollLogs(pageSize());
            case HOME -> logStart();
            case END -> state.follow = true;
            case EOF -> quitNow();
            case CHARACTER -> character(k.character());
            default -> { }
        }
    }

    /** Keys that change the run (or run checks against the real systems): none of them works in a watch. */
    private static boolean acts(Key k) {
        return k.type() == Key.Type.ENTER || k.type() == Key.Type.CHARACTER && "acstorp".indexOf(k.character()) >= 0;
    }

    private void character(char c) {
        UiState.StepView v = state.selectedStep();
        switch (c) {
            case '?' -> state.overlay = new UiState.Overlay(UiState.Kind.HELP, "Keys", state.watching ? WATCH_HELP : HELP);
            case 'q' -> {
                if (state.busy == null) {
                    state.quit = true;
                } else {
                    askToQuit();
                }
            }
            case 'a' -> {
                state.auto = !state.auto;
                if (state.auto && state.busy == null) runNext();
            }
            case 'c' -> recheck(v);
            case 't' -> {
                UiState.StepView stopped = state.halt != null ? state.step(state.halt.stepId()) : v;
                whenIdle("retry " + stopped.id, new Effect.Command.Retry(stopped.id));
            }
            case 's' -> skipBox(v);
            case 'o' -> overrideBox();
            case 'r' -> rollbackDialog();
            case 'p' -> {
                state.overlay = new UiState.Overlay(UiState.Kind.PLAN, "Plan (dry run)", List.of("computing…"));
                effects.add(new Effect.ComputePlan());
            }
            case 'l' -> state.fullLogs = !state.fullLogs;
            case 'f' -> state.follow = !state.follow;
            case '/' -> state.overlay = new UiState.Overlay(UiState.Kind.SEARCH, "Search the log",
                    List.of("Text to find (then n finds the next match, N the previous)")).withInput();
            case 'n' -> find(true);
            case 'N' -> find(false);
            // As in less and vi: j and k move like the arrows, g and G go to the first and the last.
            case 'j' -> arrow(1);
            case 'k' -> arrow(-1);
            case 'g' -> firstOrLast(false);
            case 'G' -> firstOrLast(true);
            default -> { }
        }
    }

    private void skipBox(UiState.StepView v) {
        if (state.busy != null) {
            state.message = "busy: " + state.busy;
        } else if (v.runbookRollback) {
            state.message = "the runbook's rollback is not a step: it cannot be skipped";
        } else if (!StepStateMachine.allows(v.state, EventType.STEP_SKIPPED)) {
            List<String> from = StepStateMachine.statesAllowing(EventType.STEP_SKIPPED).stream().map(StepState::label).toList();
            String only = String.join(", ", from.subList(0, from.size() - 1)) + " or " + from.get(from.size() - 1);
            state.message = "step " + v.id + " is " + v.state.label() + ": it cannot be skipped (only a " + only + " step can)";
        } else {
            state.overlay = new UiState.Overlay(UiState.Kind.SKIP_REASON, "Skip step " + v.id,
                    List.of("Why is this step skipped? (recorded in the journal and the report)")).withInput();
        }
    }

    private void overrideBox() {
        UiState.StepView halted = state.halt == null ? null : state.step(state.halt.stepId());
        if (state.busy != null) {
            state.message = "busy: " + state.busy;
        } else if (halted != null) {
            select(halted);
            state.overlay = new UiState.Overlay(UiState.Kind.OVERRIDE, "Override the halt of " + halted.id, List.of(
                    "The step halted: " + halted.reason, "Overriding accepts it as succeeded and goes on.",
                    "Type the step id (" + halted.id + ") to override; it is recorded.")).withInput()
                    .expecting(halted.id).about(halted.id);
        } else {
            state.message = "no step is halted";
        }
    }

    private void overlayKey(Key k) {
        UiState.Overlay o = state.overlay;
        if (o.input != null) {
            inputKey(o, k);
            return;
        }
        char key = k.typed();
        char c = Character.toLowerCase(key);
        boolean escape = k.type() == Key.Type.ESCAPE;
        switch (o.kind) {
            case HELP, PLAN -> {
                int last = Math.max(0, o.lines.size() - 1);
                if (k.type() == Key.Type.DOWN || key == 'j') {
                    o.scroll = Math.min(o.scroll + 1, last);
                } else if (k.type() == Key.Type.UP || key == 'k') {
                    o.scroll = Math.max(0, o.scroll - 1);
                } else if (k.type() == Key.Type.PAGE_DOWN) {
                    o.scroll = Math.min(o.scroll + pageSize(), last);
                } else if (k.type() == Key.Type.PAGE_UP) {
                    o.scroll = Math.max(0, o.scroll - pageSize());
                } else if (key == 'g' || key == 'G') {
                    o.scroll = key == 'g' ? 0 : last;
                } else {
                    state.overlay = null;
                }
            }
            case QUESTION_YES_NO -> answer(o, c == 'y' ? "y" : c == 'n' || escape ? "n" : null);
            case QUESTION_IN_DOUBT -> answer(o, c == 'r' || c == 'm' || c == 's' ? String.valueOf(c) : escape ? "" : null);
            case ROLLBACK -> {
                if (c == 'y') {
                    state.overlay = null;
                    startRollback();
                } else if (c == 'n' || escape) {
                    state.overlay = null;
                }
            }
            case QUIT -> {
                if (c == 'y') {
                    state.overlay = null;
                    quitNow();
                } else if (c == 'n' || escape) {
                    state.overlay = null;
                }
            }
            default -> state.overlay = null;
        }
    }

    private void inputKey(UiState.Overlay o, Key k) {
        switch (k.type()) {
            case CHARACTER -> {
                o.input.append(k.character());
                o.error = null;
            }
            case BACKSPACE -> {
                if (o.input.length() > 0) o.input.setLength(o.input.length() - 1);
            }
            case ENTER -> {
                String text = o.input.toString();
                if (o.expected != null && !o.expected.equals(text)) {
                    // Refused in place: the operator sees it did not match and types again (or Esc).
                    o.error = "'" + text + "' did not match: type it exactly as shown, or Esc";
                    o.input.setLength(0);
                    return;
                }
                state.overlay = null;
                submitInput(o, text);
            }
            case ESCAPE -> {
                state.overlay = null;
                effects.add(new Effect.Answer(o, null));
            }
            default -> { }
        }
    }

    private void answer(UiState.Overlay o, String a) {
        if (a == null) return;
        state.overlay = null;
        effects.add(new Effect.Answer(o, a));
    }

    /** A watcher at an approval gate: the same plan and typed step id as lockstep approve, if the step allows this identity. */
    private void offerApproval(boolean approves) {
        EventData.Awaiting gate = state.approval;
        StepDef.Approve rule = new StepDef.Approve(gate.count(), gate.from(), Boolean.TRUE.equals(gate.notDriver()), gate.message());
        String refusal = rule.refusal(state.approverIdentity, approves ? gate.driver() : null);
        if (refusal != null) {
            state.message = refusal;
            return;
        }
        state.overlay = approves ? verdictBox(UiState.Kind.APPROVE, state.gateStep, gate, null)
                : new UiState.Overlay(UiState.Kind.REJECT_REASON, "Reject step " + state.gateStep,
                        List.of("Why? Shown on the driver's screen and in the report. Enter, then the step id.")).withInput()
                        .about(state.gateStep);
    }

    private UiState.Overlay verdictBox(UiState.Kind kind, String step, EventData.Awaiting gate, String reason) {
        String verb = kind == UiState.Kind.APPROVE ? "approve" : "reject";
        List<String> lines = new ArrayList<>();
        lines.add("You are " + state.approverIdentity + (gate.message() != null ? ". " + gate.message() : "."));
        lines.add("");
        lines.add("What you " + verb + " (plan " + gate.digest().substring(0, 12) + "):");
        for (String l : gate.plan()) lines.add("  " + l);
        lines.add("");
        if (reason != null) lines.add("Reason: " + reason);
        lines.add("Type " + step + " to " + verb + " it, then Enter. Esc: nothing is recorded.");
        UiState.Overlay o = new UiState.Overlay(kind, (kind == UiState.Kind.APPROVE ? "Approve" : "Reject") + " step " + step, lines)
                .withInput().expecting(step).about(step);
        o.digest = gate.digest();
        o.reason = reason;
        return o;
    }

    private void submitInput(UiState.Overlay o, String text) {
        UiState.StepView v = state.selectedStep();
        switch (o.kind) {
            case SKIP_REASON -> {
                if (text.isBlank()) {
                    state.message = "not skipped: a reason is required";
                } else {
                    whenIdle("skip " + v.id, new Effect.Command.Skip(v.id, text));
                }
            }
            case ROLLBACK -> startRollback();
            case OVERRIDE -> whenIdle("override " + o.stepId, new Effect.Command.Override(o.stepId, text));
            case SEARCH -> {
                state.search = text.isEmpty() ? null : text;
                if (state.search != null) find(false);
            }
            case REJECT_REASON -> {
                if (text.isBlank()) {
                    state.message = "not rejected: a reason is required";
                } else if (state.approval != null && o.stepId.equals(state.gateStep)) {
                    state.overlay = verdictBox(UiState.Kind.REJECT, o.stepId, state.approval, text);
                }
            }
            case APPROVE, REJECT -> effects.add(new Effect.RecordVerdict(o.stepId, o.kind == UiState.Kind.APPROVE, o.digest, o.reason));
            default -> effects.add(new Effect.Answer(o, text));
        }
    }

    private void runNext() {
        whenIdle("running the next step", new Effect.Command.RunNext());
    }

    private void whenIdle(String action, Effect.Command command) {
        if (state.busy != null) {
            state.message = "busy: " + state.busy;
            return;
        }
        submit(action, command);
    }

    private void submit(String action, Effect.Command command) {
        state.busy = action;
        effects.add(new Effect.Submit(action, command));
    }

    private void recheck(UiState.StepView v) {
        if (!v.hasChecks) {
            state.message = "step " + v.id + " has no preconditions";
            return;
        }
        whenIdle("checking " + v.id, new Effect.Command.Recheck(v.id));
    }

    private void startRollback() {
        state.auto = false;
        submit("rolling back", new Effect.Command.Rollback());
    }

    private void rollbackDialog() {
        if (state.busy != null) {
            state.message = "wait until " + state.busy + " ends (or quit)";
            return;
        }
        if (!state.canRollback) {
            state.message = "nothing to roll back: no step has done anything that can be undone";
            return;
        }
        effects.add(new Effect.PreviewRollback());
    }

    private void rollbackBox(List<String> preview) {
        List<String> lines = new ArrayList<>();
        lines.add("These rollback actions will run, in this order:");
        lines.addAll(preview);
        lines.add("");
        if (state.runState == DisplayedState.SUCCEEDED) {
            // Undoing a finished change is never one reflex away: its name is typed.
            lines.add("The run succeeded. Type its id (" + state.runId + ") to roll it back, or Esc.");
            state.overlay = new UiState.Overlay(UiState.Kind.ROLLBACK, "Roll back run " + state.runId + "?", lines)
                    .withInput().expecting(state.runId);
            return;
        }
        lines.add("y roll back now    n / Esc cancel");
        state.overlay = new UiState.Overlay(UiState.Kind.ROLLBACK, "Roll back run " + state.runId + "?", lines);
    }

    /** Asks before stopping a step in flight, as q does. */
    private void askToQuit() {
        state.overlay = new UiState.Overlay(UiState.Kind.QUIT, "Quit while a step runs?", List.of(
                state.busy + ".", "Quitting stops it; on resume it is in doubt and you decide.", "",
                "y quit    n / Esc stay    Ctrl-C again (within 2 s) quits"));
    }

    /** Ctrl-C: quits when nothing runs; while a step runs it asks as q does, and a second press soon after quits. */
    private void ctrlC(long now) {
        boolean second = state.ctrlCAskedAt != 0 && now - state.ctrlCAskedAt <= SECOND_CTRL_C_MS;
        if (state.busy == null || second || state.watching) {
            quitNow();
            return;
        }
        if (state.overlay != null) effects.add(new Effect.Answer(state.overlay, null));
        state.ctrlCAskedAt = now;
        askToQuit();
    }

    private void quitNow() {
        if (state.overlay != null) effects.add(new Effect.Answer(state.overlay, null));
        state.overlay = null;
        if (state.busy != null) effects.add(new Effect.Interrupt());
        state.quit = true;
    }

    private void arrow(int delta) {
        if (state.focus == UiState.Focus.STEPS && !state.fullLogs) {
            state.selected = Math.max(0, Math.min(state.steps.size() - 1, state.selected + delta));
            state.follow = true;
        } else {
            scrollLogs(delta);
        }
    }

    /** The first (or last) step when the step list has the focus, else the log's first line (or its end, following it). */
    private void firstOrLast(boolean last) {
        if (state.focus == UiState.Focus.STEPS && !state.fullLogs) {
            state.selected = last ? state.steps.size() - 1 : 0;
            state.follow = true;
        } else if (last) {
            state.follow = true;
        } else {
            logStart();
        }
    }

    private void logStart() {
        state.follow = false;
        state.logTop = 0;
    }

    private void scrollLogs(int delta) {
        UiState.StepView v = state.selectedStep();
        int total = logs.size(v.id);
        int page = pageSize();
        int top = state.follow ? Math.max(0, total - page) : state.logTop;
        state.logTop = Math.max(0, Math.min(Math.max(0, total - page), top + delta));
        state.follow = state.logTop >= total - page;
    }

    /** Moves the log to the next (or previous) line holding the search text, wrapping around. */
    private void find(boolean forward) {
        UiState.StepView v = state.selectedStep();
        if (state.search == null || v == null) return;
        int total = logs.size(v.id);
        int from = state.follow ? total : state.logTop;
        int at = forward ? logs.findAfter(v.id, state.search, from) : logs.findBefore(v.id, state.search, from);
        if (at < 0) at = forward ? logs.findAfter(v.id, state.search, -1) : logs.findBefore(v.id, state.search, total);
        if (at < 0) {
            state.message = "'" + state.search + "' is not in the log of " + v.id;
            return;
        }
        state.follow = false;
        state.logTop = at;
    }

    private int pageSize() {
        return Math.max(1, state.rows / 3);
    }

    private static String attempt(EventData.AttemptFailed a) {
        return "attempt " + a.attempt() + " failed: " + a.reason();
    }

    /**
     * A halting step's result as lines: a list of records (db.verify's tables) as an aligned table
     * under its name, with a header row; anything else "key: value", nested keys joined with dots.
     */
    private static List<String> findings(Map<String, Object> result) {
        List<String> out = new ArrayList<>();
        if (result == null) return out;
        result.forEach((key, value) -> {
            if (value instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(i -> i instanceof Map<?, ?>)) {
                out.add(key + ":");
                for (String row : Text.table(l)) out.add("  " + row);
            } else {
                flatten(key, value, out);
            }
        });
        return out;
    }

    private static void flatten(String prefix, Object value, List<String> out) {
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> flatten(prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, v, out));
        } else if (value instanceof List<?> l && l.stream().anyMatch(i -> i instanceof Map<?, ?>)) {
            for (int i = 0; i < l.size(); i++) flatten(prefix + "[" + i + "]", l.get(i), out);
        } else {
            out.add(prefix + ": " + Resolver.render(value));
        }
    }

    private static final List<String> WATCH_HELP = List.of(
            "Watching: read-only. The banner says who drives the run; nothing here changes it.",
            "l       logs full screen    f follow on/off    / search    n next match    N previous match",
            "Tab     switch between the step list and the log",
            "Up/Down select a step (or scroll the log); j/k too, and g/G the first/last",
            "PgUp/PgDn/Home/End scroll the log",
            "y / x   approve / reject the step at an approval gate, if it allows you (the step id typed)",
            "q       quit watching (the run goes on)");

    private static final List<String> HELP = List.of(
            "Enter   run the next step (its preconditions are checked first)",
            "a       auto mode: run on until a confirmation, a failure or a halt",
            "c       check the selected step's preconditions again",
            "t       retry a failed or halted step",
            "s       skip a step (asks for a reason, recorded)",
            "o       override a halt (type the step id, recorded)",
            "r       roll back: shows exactly what will run, y confirms",
            "p       plan: every step resolved, read-only checks run",
            "l       logs full screen    f follow on/off    / search    n next match    N previous match",
            "Tab     switch between the step list and the log",
            "Up/Down select a step (or scroll the log); j/k too, and g/G the first/last",
            "PgUp/PgDn/Home/End scroll the log",
            "q       quit; the run stays resumable (lockstep resume)",
            "",
            "Log lines that match a haltOn pattern are shown in red.",
            "Kept in memory: the last " + LogStore.CAPACITY + " lines of each step; the step log files keep all.");
}
