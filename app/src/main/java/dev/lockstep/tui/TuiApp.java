package dev.lockstep.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.Screen;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.DefaultTerminalFactory;
import com.googlecode.lanterna.terminal.ansi.UnixLikeTerminal;
import dev.lockstep.engine.DisplayedState;
import dev.lockstep.engine.DowntimeClock;
import dev.lockstep.engine.Engine;
import dev.lockstep.engine.Operator;
import dev.lockstep.engine.Outcome;
import dev.lockstep.engine.PlanText;
import dev.lockstep.engine.Planner;
import dev.lockstep.engine.Run;
import dev.lockstep.engine.RunListener;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.RunStatus;
import dev.lockstep.engine.StepState;
import dev.lockstep.engine.StepStateMachine;
import dev.lockstep.expr.Resolver;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.StateDir;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.spi.Action;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.StepContext;
import dev.lockstep.store.TakenOver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The full-screen terminal UI. It observes the engine (as a {@link RunListener}) and
 * sends it commands on the engine's own thread; it never changes run state itself.
 * One UI thread owns the {@link UiState} and the screen: it takes keys and events,
 * updates the state, and redraws.
 */
public final class TuiApp implements RunListener {
    /** How long the UI thread sleeps when nothing happens: key latency stays low, idle CPU near zero. */
    private static final long IDLE_WAIT_MS = 20;
    /** Output alone redraws at most this often; keys redraw at once. */
    private static final long LOG_REDRAW_MS = 50;

    private final ScreenOpener opener;
    private final boolean dropsTypeAhead;
    private volatile Screen screen;
    private final Renderer renderer;
    private final LinkedBlockingQueue<UiEvent> queue = new LinkedBlockingQueue<>();
    private final AtomicBoolean logsDirty = new AtomicBoolean();
    private final LogStore logs = new LogStore();
    private final UiState state = new UiState();
    /** A second Ctrl-C this soon after the first quits without asking; a reflex does not. */
    private static final long SECOND_CTRL_C_MS = 2000;
    /** When Ctrl-C last asked to quit while a step ran, in ms since the epoch; 0 when it has not. */
    private long ctrlCAskedAt;
    private final TuiOperator operator;
    private final ExecutorService engineThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lockstep-engine");
        t.setDaemon(true);
        return t;
    });
    private Engine engine;
    private Planner planner;
    /** The first bug met on the engine thread, for its report. */
    private volatile RuntimeException bug;
    private Outcome lastStop;

    /** A UI on a screen already made; keys its input holds before the UI shows are the caller's (a test's, the training's). */
    public TuiApp(Screen screen, Operator flags, Map<String, String> env) {
        this(() -> screen, flags, env, false);
    }

    /**
     * A UI that takes the terminal only when it first shows: what is asked on the plain terminal
     * before (a secret parameter's prompt) keeps its line editing, which raw input would take away.
     * Keys typed before it shows are dropped.
     */
    public TuiApp(ScreenOpener opener, Operator flags, Map<String, String> env) {
        this(opener, flags, env, true);
    }

    private TuiApp(ScreenOpener opener, Operator flags, Map<String, String> env, boolean dropsTypeAhead) {
        this.opener = opener;
        this.dropsTypeAhead = dropsTypeAhead;
        this.renderer = new Renderer(dev.lockstep.output.TerminalText.colour(env));
        this.operator = new TuiOperator(flags);
    }

    /** Where the screen comes from when the UI first shows. */
    @FunctionalInterface
    public interface ScreenOpener {
        Screen open() throws IOException;
    }

    /** A screen on the process's own terminal; Ctrl-C arrives as a key, so the UI decides what it means. */
    public static Screen openTerminal() throws IOException {
        if (QuickTtyTerminal.available()) {
            return new TerminalScreen(QuickTtyTerminal.standard());
        }
        DefaultTerminalFactory factory = new DefaultTerminalFactory(System.out, System.in, StandardCharsets.UTF_8);
        factory.setForceTextTerminal(true);
        factory.setUnixTerminalCtrlCBehaviour(UnixLikeTerminal.CtrlCBehaviour.TRAP);
        return new TerminalScreen(factory.createTerminal());
    }

    /** The operator the engine must be given: it asks through this UI. */
    public Operator operator() {
        return operator;
    }

    @Override
    public void event(Event e) {
        event(e, null);
    }

    @Override
    public void event(Event e, Duration stepTook) {
        queue.add(new UiEvent.Journaled(e, stepTook));
    }

    @Override
    public void line(String stepId, String text) {
        // The runbook's rollback actions share one row and one log, as they share one log file.
        logs.append(stepId.startsWith(StateDir.RUNBOOK_ROLLBACK_LOG) ? StateDir.RUNBOOK_ROLLBACK_LOG : stepId, text);
        if (logsDirty.compareAndSet(false, true)) queue.add(new UiEvent.LogsChanged());
    }

    @Override
    public void notice(String text) {
        queue.add(new UiEvent.Notice(text));
    }

    /** Answered here at once (the question on screen, which the engine waits for); shown by the UI thread. */
    @Override
    public void takenOver(TakenOver by) {
        operator.close();
        queue.add(new UiEvent.Lost(by));
    }

    /** lockstep watch: who drives the run now, for the banner, and whether their lease is live. */
    public void driver(String text, boolean live) {
        queue.add(new UiEvent.Driver(text, live));
    }

    /**
     * Shows a run that another process drives, read-only, until the operator quits. Its events
     * and lines arrive as a listener's, from the thread that follows the run.
     */
    public void watch(Engine engine) throws IOException {
        this.engine = engine;
        state.watching = true;
        state.approverIdentity = engine.run().store().approverIdentity();
        load(engine.run());
        onScreen(() -> { }, () -> { });
    }

    /**
     * Shows the run and takes keys until the operator quits. Returns the exit code of
     * how the run last stopped (0 when it finished or was simply left).
     */
    public int drive(Engine engine, Planner planner) throws IOException {
        this.engine = engine;
        this.planner = planner;
        operator.connect(queue::add, engine::preview);
        load(engine.run());
        // Reopening never acts before a key: the operator first sees where the run stands.
        onScreen(() -> engine.interrupt(null), () -> {
            StepDef next = engine.nextStep();
            if (next != null && state.step(next.id()).state == StepState.IN_DOUBT) {
                state.message = "step " + next.id() + " was in flight when the run stopped: Enter goes on with it";
            }
        });
        if (engine.run().takenOver().isPresent()) return ErrorCode.LOCK_HELD.exitCode();
        return lastStop != null && !lastStop.ok() ? lastStop.code().exitCode() : 0;
    }

    /**
     * Takes the screen, does {@code first}, then keys and events until the operator quits; the
     * terminal is restored however it ends, {@code atExit} done first when the JVM is stopped.
     */
    private void onScreen(Runnable atExit, Runnable first) throws IOException {
        screen = opener.open();
        Thread restore = new Thread(() -> {
            atExit.run();
            stopScreen();
        }, "lockstep-tui-restore");
        Runtime.getRuntime().addShutdownHook(restore);
        screen.startScreen();
        screen.setCursorPosition(null);
        // Keys typed before the screen showed (an extra Enter after a secret's prompt) were waiting in
        // the terminal's line buffer: none of them can be meant for a screen not yet seen, and an
        // Enter would run the first step.
        while (dropsTypeAhead && screen.pollInput() != null) {
            // dropped
        }
        try {
            first.run();
            loop();
        } finally {
            stopScreen();
            engineThread.shutdownNow();
            try {
                Runtime.getRuntime().removeShutdownHook(restore);
            } catch (IllegalStateException shuttingDown) {
                // Already exiting: the hook is running.
            }
        }
    }

    /** The first bug met while the screen showed, or null. */
    public RuntimeException bug() {
        return bug;
    }

    /** One line for the terminal after the screen is gone: where the run stands and how to go on. */
    public String farewell() {
        Run run = engine.run();
        Optional<TakenOver> lost = run.takenOver();
        if (lost.isPresent()) return run.takenOverFarewell(lost.get());
        synchronized (run) {
            var status = run.snapshot().status();
            return "run " + run.id() + ": " + status.label() + (status.isFinished() ? ""
                    : ". Continue with: lockstep resume " + run.id());
        }
    }

    private void stopScreen() {
        if (screen == null) return;
        try {
            screen.stopScreen();
        } catch (IOException | RuntimeException e) {
            // The terminal is going away; nothing more can be restored.
        }
    }

    private void load(Run run) {
        synchronized (run) {
            RunSnapshot snap = run.snapshot();
            state.title = run.runbook().displayTitle();
            state.runId = run.id();
            state.target = engine.targets().describe();
            for (StepDef def : run.runbook().steps()) {
                UiState.StepView v = new UiState.StepView();
                RunSnapshot.StepRecord r = snap.step(def.id());
                v.id = def.id();
                v.title = def.displayTitle();
                v.description = def.description();
                v.uses = def.action().uses();
                v.state = r.state();
                v.startedAt = r.startedAt();
                v.duration = r.state() == StepState.PENDING || r.state() == StepState.RUNNING ? null : r.duration();
                v.outputs.putAll(r.outputs());
                v.reason = r.reason();
                v.hasRollback = engine.hasRollback(def);
                v.pointOfNoReturn = engine.pointOfNoReturn().marker(def.id());
                v.gatedPointOfNoReturn = engine.pointOfNoReturn().gates(def.id());
                v.hasChecks = !def.checks().isEmpty();
                v.haltOn = def.logs().haltOn();
                state.steps.add(v);
                // A watcher is given every line by its follower, from the first.
                if (!state.watching) logs.preload(def.id(), () -> run.store().readLog(run.id(), def.id()));
            }
            refreshPreviews();
            if (!run.runbook().rollback().isEmpty()) {
                UiState.StepView v = new UiState.StepView();
                v.id = StateDir.RUNBOOK_ROLLBACK_LOG;
                int n = run.runbook().rollback().size();
                v.title = "Runbook rollback (" + n + " action" + (n == 1 ? "" : "s") + ")";
                v.uses = "rollback";
                v.runbookRollback = true;
                v.state = runbookRollbackState(snap);
                List<String> preview = new ArrayList<>();
                for (Action a : run.runbook().rollback()) preview.addAll(engine.preview(a));
                v.preview = preview;
                state.steps.add(v);
                if (!state.watching) logs.preload(v.id, () -> run.store().readLog(run.id(), StateDir.RUNBOOK_ROLLBACK_LOG));
            }
            for (Event e : snap.events()) {
                UiState.StepView v = e.step() == null ? null : state.step(e.step());
                if (v == null) continue;
                if (e.type() == EventType.STEP_STARTED) v.attempts.clear();
                if (e.data() instanceof EventData.AttemptFailed a) v.attempts.add(attempt(a));
                if (e.data() instanceof EventData.Approval a && e.type() == EventType.STEP_REJECTED
                        && snap.step(e.step()).state() == StepState.HALTED) {
                    state.halt = new UiState.Halt(e.step(), "rejected by " + a.by() + ": " + a.reason(), "from " + a.host() + " at " + a.at());
                }
                if (e.data() instanceof EventData.Halted h) {
                    v.findings = findings(h.result());
                    if (snap.step(e.step()).state() == StepState.HALTED) {
                        state.halt = new UiState.Halt(e.step(), h.reason(), h.evidence());
                    }
                }
            }
            runStatus(snap);
            StepDef next = engine.nextStep();
            state.selected = next == null ? 0 : run.runbook().indexOf(next.id());
        }
    }

    /** Where the run stands, and so which keys the footer offers. */
    private void runStatus(RunSnapshot snap) {
        // A driver holds its own run; a watcher goes by the lease of the one it watches.
        state.runState = DisplayedState.of(snap, !state.watching || state.driverLive);
        // A gate is the last thing journaled while the run waits at it: that event names its step.
        state.gateStep = snap.awaitingGate() == null ? null : snap.events().get(snap.events().size() - 1).step();
        state.approval = state.runState == DisplayedState.AWAITING_APPROVAL && state.gateStep != null
                ? snap.step(state.gateStep).approvalGate() : null;
        state.clockFrom = snap.clockStartedAt();
        state.clockTo = snap.finishedAt();
        state.finished = snap.status().isFinished();
        state.canRollBack = (!state.finished || snap.status() == RunStatus.SUCCEEDED)
                && (snap.rollbackStarted() || engine.canRollBack());
    }

    /**
     * Pending steps will be shown what they will do and ask for resolved with the outputs known now. Only the
     * step on screen is resolved (when drawn): resolving every pending step at each success cost a run of
     * thousands of steps time in proportion to its length, at every step.
     */
    private void refreshPreviews() {
        for (UiState.StepView v : state.steps) {
            if (!v.runbookRollback && v.state == StepState.PENDING) v.previewStale = true;
        }
    }

    /** Resolves what {@code v} will do and ask for, when it is owed since the last {@link #refreshPreviews}. */
    private void preview(UiState.StepView v) {
        if (v == null || !v.previewStale) return;
        v.previewStale = false;
        engine.run().runbook().step(v.id).ifPresent(d -> {
            v.preview = engine.preview(d);
            String typed = engine.confirmationText(d);
            v.confirm = typed != null ? "type '" + typed + "'" : d.confirm() == null ? null : "yes/no";
        });
    }

    private static StepState runbookRollbackState(RunSnapshot snap) {
        var actions = snap.finalRollback().values();
        if (actions.contains("failed")) return StepState.ROLLBACK_FAILED;
        if (actions.contains("running")) return StepState.ROLLING_BACK;
        if (snap.status() == RunStatus.ROLLED_BACK) return StepState.ROLLED_BACK;
        return StepState.PENDING;
    }

    private static String attempt(EventData.AttemptFailed a) {
        return "attempt " + a.attempt() + " failed: " + a.reason();
    }

    /**
     * A halting step's result as lines: a list of records (db.verify's tables) as an aligned table
     * under its name, with a header row; anything else "key: value", nested keys joined with dots.
     */
    static List<String> findings(Map<String, Object> result) {
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

    private void loop() throws IOException {
        long lastRender = 0;
        long lastSecond = -1;
        render(true);
        while (!state.quit) {
            boolean keyed = false;
            KeyStroke k;
            while (!state.quit && (k = screen.pollInput()) != null) {
                onKey(k);
                keyed = true;
            }
            boolean changed = keyed;
            try {
                UiEvent e = queue.poll(keyed ? 0 : IDLE_WAIT_MS, TimeUnit.MILLISECONDS);
                while (e != null) {
                    apply(e);
                    changed = true;
                    e = queue.poll();
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            }
            boolean resized = screen.doResizeIfNecessary() != null;
            if (resized) keyed = changed = true;
            long now = System.currentTimeMillis();
            if (now / 1000 != lastSecond) {
                lastSecond = now / 1000;
                changed = true;
            }
            if (keyed || (changed && now - lastRender >= LOG_REDRAW_MS)) {
                render(resized);
                lastRender = now;
            }
        }
    }

    /** Draws the state; after a resize the whole screen is sent again, since the terminal may have reflowed it. */
    private void render(boolean complete) throws IOException {
        TerminalSize size = screen.getTerminalSize();
        StepDef next = engine.nextStep();
        preview(state.selectedStep());
        DowntimeClock clock = engine.downtime();
        state.downtime = clock == null ? null : clock.header();
        renderer.render(state, logs, screen.newTextGraphics(), size, next == null ? null : next.id());
        screen.refresh(complete ? Screen.RefreshType.COMPLETE : Screen.RefreshType.DELTA);
    }

    private void apply(UiEvent e) {
        if (e instanceof UiEvent.Journaled j) {
            journaled(j.event(), j.stepTook());
        } else if (e instanceof UiEvent.Notice n) {
            state.message = n.text();
        } else if (e instanceof UiEvent.LogsChanged) {
            logsDirty.set(false);
        } else if (e instanceof UiEvent.Question q) {
            state.auto = false;
            state.overlay = q.overlay();
            UiState.StepView about = q.overlay().stepId == null ? null : state.step(q.overlay().stepId);
            if (about != null) select(about);
        } else if (e instanceof UiEvent.Checked c) {
            UiState.StepView v = state.step(c.stepId());
            v.checks.clear();
            v.checks.addAll(c.results());
        } else if (e instanceof UiEvent.PlanReady p) {
            if (state.overlay != null && state.overlay.kind == UiState.Kind.PLAN) {
                state.overlay = new UiState.Overlay(UiState.Kind.PLAN, "Plan (dry run, resolved)", p.lines());
            }
        } else if (e instanceof UiEvent.Finished f) {
            finished(f);
        } else if (e instanceof UiEvent.Lost l) {
            state.takenOver = l.by().describe();
            state.takenOverAt = l.by().at();
            state.auto = false;
            state.message = null;
            if (state.overlay != null) state.overlay.answer.complete(null);
            state.overlay = null;
        } else if (e instanceof UiEvent.Driver d) {
            state.driver = d.text();
            state.driverLive = d.live();
            synchronized (engine.run()) {
                runStatus(engine.run().snapshot());
            }
        }
    }

    private void journaled(Event e, Duration stepTook) {
        synchronized (engine.run()) {
            runStatus(engine.run().snapshot());
        }
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
                refreshPreviews();
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
                v.state = StepState.ROLLBACK_FAILED;
                v.reason = "action " + (e.data(EventData.RunbookActionFailed.class).index() + 1) + " failed: "
                        + e.data(EventData.RunbookActionFailed.class).reason();
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

    private void finished(UiEvent.Finished f) {
        state.busy = null;
        // Whatever it was ended because the run was taken: the banner says so.
        if (state.takenOver != null) return;
        Outcome o = f.outcome();
        if (o == null) {
            state.message = "step done; " + (state.auto ? "auto mode goes on" : "Enter runs the next step");
            if (state.auto) runNext();
            return;
        }
        lastStop = o;
        if (o.ok()) {
            state.message = o.message();
        } else {
            state.auto = false;
            state.message = o.message();
        }
    }

    private void onKey(KeyStroke k) {
        state.message = null;
        if (k.getKeyType() == KeyType.Character && k.isCtrlDown() && k.getCharacter() == 'c') {
            ctrlC(System.currentTimeMillis());
            return;
        }
        if (state.takenOver != null) {
            if (k.getKeyType() == KeyType.EOF || k.getKeyType() == KeyType.Character && k.getCharacter() == 'q') {
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
        if (state.watching && state.approval != null && k.getKeyType() == KeyType.Character
                && (k.getCharacter() == 'y' || k.getCharacter() == 'x')) {
            offerApproval(k.getCharacter() == 'y');
            return;
        }
        if (state.watching && acts(k)) {
            state.message = "watching, read-only: the driver of this run decides (q quits the watch)";
            return;
        }
        switch (k.getKeyType()) {
            case Enter -> runNext();
            case Tab -> state.focus = state.focus == UiState.Focus.STEPS ? UiState.Focus.LOGS : UiState.Focus.STEPS;
            case ArrowUp -> arrow(-1);
            case ArrowDown -> arrow(1);
            case PageUp -> scrollLogs(-pageSize());
            case PageDown -> scrollLogs(pageSize());
            case Home -> logStart();
            case End -> state.follow = true;
            case EOF -> quitNow();
            case Character -> character(k.getCharacter());
            default -> { }
        }
    }

    /** Keys that change the run (or run checks against the real systems): none of them works in a watch. */
    private static boolean acts(KeyStroke k) {
        return k.getKeyType() == KeyType.Enter
                || k.getKeyType() == KeyType.Character && "acstorp".indexOf(k.getCharacter()) >= 0;
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
                whenIdle("retry " + stopped.id, () -> {
                    engine.retry(stopped.id);
                    return engine.step();
                });
            }
            case 's' -> {
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
            case 'o' -> {
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
            case 'r' -> rollbackDialog();
            case 'p' -> {
                state.overlay = new UiState.Overlay(UiState.Kind.PLAN, "Plan (dry run)", List.of("computing…"));
                Thread t = new Thread(() -> queue.add(new UiEvent.PlanReady(planLines())), "lockstep-plan");
                t.setDaemon(true);
                t.start();
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

    private void overlayKey(KeyStroke k) {
        UiState.Overlay o = state.overlay;
        if (o.input != null) {
            switch (k.getKeyType()) {
                case Character -> {
                    o.input.append(k.getCharacter());
                    o.error = null;
                    return;
                }
                case Backspace -> {
                    if (o.input.length() > 0) o.input.setLength(o.input.length() - 1);
                    return;
                }
                case Enter -> {
                    String text = o.input.toString();
                    if (o.expected != null && !o.expected.equals(text)) {
                        // Refused in place: the operator sees it did not match and types again (or Esc).
                        o.error = "'" + text + "' did not match: type it exactly as shown, or Esc";
                        o.input.setLength(0);
                        return;
                    }
                    state.overlay = null;
                    submitInput(o, text);
                    return;
                }
                case Escape -> {
                    state.overlay = null;
                    o.answer.complete(null);
                    return;
                }
                default -> {
                    return;
                }
            }
        }
        char c = k.getKeyType() == KeyType.Character ? Character.toLowerCase(k.getCharacter()) : 0;
        switch (o.kind) {
            case HELP, PLAN -> {
                int last = Math.max(0, o.lines.size() - 1);
                char key = k.getKeyType() == KeyType.Character ? k.getCharacter() : 0;
                if (k.getKeyType() == KeyType.ArrowDown || key == 'j') {
                    o.scroll = Math.min(o.scroll + 1, last);
                } else if (k.getKeyType() == KeyType.ArrowUp || key == 'k') {
                    o.scroll = Math.max(0, o.scroll - 1);
                } else if (k.getKeyType() == KeyType.PageDown) {
                    o.scroll = Math.min(o.scroll + pageSize(), last);
                } else if (k.getKeyType() == KeyType.PageUp) {
                    o.scroll = Math.max(0, o.scroll - pageSize());
                } else if (key == 'g' || key == 'G') {
                    o.scroll = key == 'g' ? 0 : last;
                } else {
                    state.overlay = null;
                }
            }
            case QUESTION_YES_NO -> answer(o, c == 'y' ? "y" : c == 'n' || k.getKeyType() == KeyType.Escape ? "n" : null);
            case QUESTION_IN_DOUBT -> answer(o, c == 'r' || c == 'm' || c == 's' ? String.valueOf(c)
                    : k.getKeyType() == KeyType.Escape ? "" : null);
            case ROLLBACK -> {
                if (c == 'y') {
                    state.overlay = null;
                    rollBack();
                } else if (c == 'n' || k.getKeyType() == KeyType.Escape) {
                    state.overlay = null;
                }
            }
            case QUIT -> {
                if (c == 'y') {
                    state.overlay = null;
                    quitNow();
                } else if (c == 'n' || k.getKeyType() == KeyType.Escape) {
                    state.overlay = null;
                }
            }
            default -> state.overlay = null;
        }
    }

    private void answer(UiState.Overlay o, String a) {
        if (a == null) return;
        state.overlay = null;
        o.answer.complete(a);
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

    /** Records a watcher's verdict beside the run, for its driver to journal, if the plan is still the one shown. */
    private void recordVerdict(UiState.Overlay o) {
        boolean approves = o.kind == UiState.Kind.APPROVE;
        Run run = engine.run();
        EventData.Awaiting now;
        synchronized (run) {
            RunSnapshot.StepRecord r = run.snapshot().step(o.stepId);
            now = r == null ? null : r.approvalGate();
        }
        if (now == null || !now.digest().equals(o.digest)) {
            state.message = "nothing recorded: step " + o.stepId + " no longer awaits approval of the plan shown";
            return;
        }
        try {
            run.store().recordApproval(run.id(), o.stepId, approves, o.digest, dev.lockstep.journal.Identity.host(), o.reason);
            state.message = (approves ? "approved" : "rejected") + " step " + o.stepId + " as " + state.approverIdentity
                    + "; its driver records it when it next looks";
        } catch (LockstepException e) {
            state.message = "nothing recorded: " + e.getMessage();
        }
    }

    private void submitInput(UiState.Overlay o, String text) {
        UiState.StepView v = state.selectedStep();
        switch (o.kind) {
            case SKIP_REASON -> {
                if (text.isBlank()) {
                    state.message = "not skipped: a reason is required";
                } else {
                    whenIdle("skip " + v.id, () -> {
                        engine.skip(v.id, text);
                        return null;
                    });
                }
            }
            case ROLLBACK -> rollBack();
            case OVERRIDE -> whenIdle("override " + o.stepId, () -> {
                engine.override(o.stepId, text);
                return null;
            });
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
            case APPROVE, REJECT -> recordVerdict(o);
            default -> o.answer.complete(text);
        }
    }

    private void runNext() {
        whenIdle("running the next step", engine::step);
    }

    private void whenIdle(String action, Supplier<Outcome> work) {
        if (state.busy != null) {
            state.message = "busy: " + state.busy;
            return;
        }
        submit(action, work);
    }

    private void submit(String action, Supplier<Outcome> work) {
        state.busy = action;
        engineThread.submit(() -> {
            Outcome o;
            try {
                o = work.get();
            } catch (LockstepException e) {
                o = new Outcome(e.code(), e.getMessage());
            } catch (RuntimeException e) {
                // A bug: its message on screen, redacted; its trace for a report once the screen is gone.
                if (bug == null) bug = e;
                o = new Outcome(ErrorCode.INTERNAL, "internal error: " + engine.run().redactor().redact(String.valueOf(e))
                        + " (a bug in lockstep; where its details are is said when you quit)");
            }
            queue.add(new UiEvent.Finished(action, o));
        });
    }

    private void recheck(UiState.StepView v) {
        StepDef def = engine.run().runbook().step(v.id).orElse(null);
        if (def == null || def.checks().isEmpty()) {
            state.message = "step " + v.id + " has no preconditions";
            return;
        }
        whenIdle("checking " + v.id, () -> {
            List<String> results = new ArrayList<>();
            List<StepContext.CheckOutcome> outcomes = engine.recheck(def);
            for (int i = 0; i < outcomes.size(); i++) {
                StepContext.CheckOutcome o = outcomes.get(i);
                results.add((o.holds() ? "✓" : "✗") + " check " + (i + 1) + " (" + def.checks().get(i).label() + "): " + o.observed());
            }
            queue.add(new UiEvent.Checked(v.id, results));
            long failing = outcomes.stream().filter(o -> !o.holds()).count();
            return Outcome.success(failing == 0 ? "every precondition of " + v.id + " holds"
                    : failing + " of " + outcomes.size() + " precondition" + (outcomes.size() == 1 ? "" : "s") + " of " + v.id
                    + (failing == 1 ? " does" : " do") + " not hold");
        });
    }

    private void rollBack() {
        state.auto = false;
        submit("rolling back", engine::rollback);
    }

    private void rollbackDialog() {
        if (state.busy != null) {
            state.message = "wait until " + state.busy + " ends (or quit)";
            return;
        }
        if (!state.canRollBack) {
            state.message = "nothing to roll back: no step has done anything that can be undone";
            return;
        }
        Run run = engine.run();
        Planner.RollbackPreview preview;
        synchronized (run) {
            preview = planner.rollbackPreview(run.runbook(), run.params(), engine.targets(), run.snapshot(), run.outputs());
        }
        List<String> lines = new ArrayList<>();
        lines.add("These rollback actions will run, in this order:");
        lines.addAll(preview.lines());
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

    /** The plan with what the run has produced so far: outputs already known are shown resolved. */
    private List<String> planLines() {
        Run run = engine.run();
        try {
            Map<String, Map<String, Object>> outputs;
            synchronized (run) {
                outputs = run.outputs();
            }
            Planner.Plan plan = planner.plan(run.runbook(), run.params(), engine.targets(), outputs);
            List<String> lines = new ArrayList<>(PlanText.lines(plan));
            lines.add(plan.summary());
            return lines;
        } catch (RuntimeException e) {
            return List.of("cannot plan: " + e.getMessage());
        }
    }

    /** Asks before stopping a step in flight, as q does. */
    private void askToQuit() {
        state.overlay = new UiState.Overlay(UiState.Kind.QUIT, "Quit while a step runs?", List.of(
                state.busy + ".", "Quitting stops it; on resume it is in doubt and you decide.", "",
                "y quit    n / Esc stay    Ctrl-C again (within 2 s) quits"));
    }

    /** Ctrl-C: quits when nothing runs; while a step runs it asks as q does, and a second press soon after quits. */
    private void ctrlC(long now) {
        boolean second = ctrlCAskedAt != 0 && now - ctrlCAskedAt <= SECOND_CTRL_C_MS;
        if (state.busy == null || second || state.watching) {
            quitNow();
            return;
        }
        if (state.overlay != null) state.overlay.answer.complete(null);
        ctrlCAskedAt = now;
        askToQuit();
    }

    private void quitNow() {
        if (state.overlay != null) state.overlay.answer.complete(null);
        state.overlay = null;
        if (state.busy != null) engine.interrupt(null);
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
        return Math.max(1, screen.getTerminalSize().getRows() / 3);
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
