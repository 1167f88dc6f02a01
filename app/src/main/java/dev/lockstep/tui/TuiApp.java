package dev.lockstep.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
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
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
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
 * One UI thread owns the {@link UiState} and the screen: it turns keys and events into
 * messages for {@link TuiUpdate}, runs the effects it returns, and redraws.
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
    private final LinkedBlockingQueue<Msg> queue = new LinkedBlockingQueue<>();
    private final AtomicBoolean logsDirty = new AtomicBoolean();
    private final LogStore logs = new LogStore();
    private final UiState state = new UiState();
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
        queue.add(new Msg.Journaled(e, stepTook));
    }

    @Override
    public void line(String stepId, String text) {
        // The runbook's rollback actions share one row and one log, as they share one log file.
        logs.append(stepId.startsWith(StateDir.RUNBOOK_ROLLBACK_LOG) ? StateDir.RUNBOOK_ROLLBACK_LOG : stepId, text);
        if (logsDirty.compareAndSet(false, true)) queue.add(new Msg.Output());
    }

    @Override
    public void notice(String text) {
        queue.add(new Msg.Notice(text));
    }

    /** Answered here at once (the question on screen, which the engine waits for); shown by the UI thread. */
    @Override
    public void takenOver(TakenOver by) {
        operator.close();
        queue.add(new Msg.TakenOver(by.describe(), by.at()));
    }

    /** lockstep watch: who drives the run now, for the banner, and whether their lease is live. */
    public void driver(String text, boolean live) {
        queue.add(new Msg.Driver(text, live));
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
        return state.lastStop != null && !state.lastStop.ok() ? state.lastStop.code().exitCode() : 0;
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
                v.id = def.id();
                v.title = def.displayTitle();
                v.description = def.description();
                v.uses = def.action().uses();
                v.hasRollback = engine.hasRollback(def);
                v.pointOfNoReturn = engine.pointOfNoReturn().marker(def.id());
                v.gatedPointOfNoReturn = engine.pointOfNoReturn().gates(def.id());
                v.hasChecks = !def.checks().isEmpty();
                v.haltOn = def.logs().haltOn();
                state.steps.add(v);
                // A watcher is given every line by its follower, from the first.
                if (!state.watching) logs.preload(def.id(), () -> run.store().readLog(run.id(), def.id()));
            }
            if (!run.runbook().rollback().isEmpty()) {
                UiState.StepView v = new UiState.StepView();
                v.id = StateDir.RUNBOOK_ROLLBACK_LOG;
                int n = run.runbook().rollback().size();
                v.title = "Runbook rollback (" + n + " action" + (n == 1 ? "" : "s") + ")";
                v.uses = "rollback";
                v.runbookRollback = true;
                List<String> preview = new ArrayList<>();
                for (Action a : run.runbook().rollback()) preview.addAll(engine.preview(a));
                v.preview = preview;
                state.steps.add(v);
                if (!state.watching) logs.preload(v.id, () -> run.store().readLog(run.id(), StateDir.RUNBOOK_ROLLBACK_LOG));
            }
            // The journal so far goes through the projection live events go through: what only it shows (checks,
            // attempts, findings, rollback times) reads the same reopened as it did live.
            for (Event e : snap.events()) TuiUpdate.update(state, logs, new Msg.Journaled(e, null));
            for (UiState.StepView v : state.steps) {
                if (v.runbookRollback) {
                    v.state = runbookRollbackState(snap);
                    continue;
                }
                RunSnapshot.StepRecord r = snap.step(v.id);
                v.state = r.state();
                v.startedAt = r.startedAt();
                v.duration = r.state() == StepState.PENDING || r.state() == StepState.RUNNING ? null : r.duration();
                v.outputs.clear();
                v.outputs.putAll(r.outputs());
                v.reason = r.reason();
                // What a step will do is resolved for the steps still to run, as they stand now, not as the replay passed them.
                v.previewStale = r.state() == StepState.PENDING;
            }
            // The halt banner is for a step that stands halted, not one halted once and rolled back since.
            if (state.halt != null && snap.step(state.halt.stepId()).state() != StepState.HALTED) state.halt = null;
            dispatch(runChanged(snap));
            StepDef next = engine.nextStep();
            state.selected = next == null ? 0 : run.runbook().indexOf(next.id());
        }
    }

    /** Where the run stands, and so which keys the footer offers. */
    private Msg.RunChanged runChanged(RunSnapshot snap) {
        // A driver holds its own run; a watcher goes by the lease of the one it watches.
        DisplayedState shown = DisplayedState.of(snap, !state.watching || state.driverLive);
        // A gate is the last thing journaled while the run waits at it: that event names its step.
        String gateStep = snap.awaitingGate() == null ? null : snap.events().get(snap.events().size() - 1).step();
        EventData.Awaiting approval = shown == DisplayedState.AWAITING_APPROVAL && gateStep != null
                ? snap.step(gateStep).approvalGate() : null;
        boolean finished = snap.status().isFinished();
        boolean canRollback = (!finished || snap.status() == RunStatus.SUCCEEDED)
                && (snap.rollbackStarted() || engine.canRollback());
        return new Msg.RunChanged(shown, gateStep, approval, snap.clockStartedAt(), snap.finishedAt(), finished, canRollback);
    }

    /** Resolves what {@code v} will do and ask for, when it is owed since the last {@link UiState#refreshPreviews}. */
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

    private void loop() throws IOException {
        long lastRender = 0;
        long lastSecond = -1;
        dispatch(new Msg.Resized(screen.getTerminalSize().getRows()));
        render(true);
        while (!state.quit) {
            boolean keyed = false;
            KeyStroke k;
            while (!state.quit && (k = screen.pollInput()) != null) {
                dispatch(new Msg.Keyed(key(k), System.currentTimeMillis()));
                keyed = true;
            }
            boolean changed = keyed;
            try {
                Msg m = queue.poll(keyed ? 0 : IDLE_WAIT_MS, TimeUnit.MILLISECONDS);
                while (m != null) {
                    dispatch(m);
                    changed = true;
                    m = queue.poll();
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return;
            }
            TerminalSize resized = screen.doResizeIfNecessary();
            if (resized != null) {
                dispatch(new Msg.Resized(resized.getRows()));
                keyed = changed = true;
            }
            long now = System.currentTimeMillis();
            if (now / 1000 != lastSecond) {
                lastSecond = now / 1000;
                changed = true;
            }
            if (keyed || (changed && now - lastRender >= LOG_REDRAW_MS)) {
                render(resized != null);
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

    /** The state's one way to change; what it asks for besides is done here, where the engine and the store are. */
    private void dispatch(Msg m) {
        // Cleared first: a line logged from now on asks for another redraw.
        if (m instanceof Msg.Output) logsDirty.set(false);
        for (Effect e : TuiUpdate.update(state, logs, m)) perform(e);
        // The step projection above and the run's own (its snapshot, read under its lock) move together.
        if (m instanceof Msg.Journaled || m instanceof Msg.Driver) {
            Run run = engine.run();
            synchronized (run) {
                dispatch(runChanged(run.snapshot()));
            }
        }
    }

    private void perform(Effect e) {
        if (e instanceof Effect.Submit s) {
            submit(s.busy(), s.command());
        } else if (e instanceof Effect.Answer a) {
            a.question().answer.complete(a.answer());
        } else if (e instanceof Effect.Interrupt) {
            engine.interrupt(null);
        } else if (e instanceof Effect.RecordVerdict v) {
            dispatch(new Msg.Notice(recordVerdict(v)));
        } else if (e instanceof Effect.PreviewRollback) {
            dispatch(new Msg.RollbackPreview(rollbackPreview()));
        } else if (e instanceof Effect.ComputePlan) {
            Thread t = new Thread(() -> queue.add(new Msg.PlanReady(planLines())), "lockstep-plan");
            t.setDaemon(true);
            t.start();
        }
    }

    private static Key key(KeyStroke k) {
        boolean ctrl = k.isCtrlDown();
        return switch (k.getKeyType()) {
            case Character -> new Key(Key.Type.CHARACTER, k.getCharacter(), ctrl);
            case Enter -> Key.of(Key.Type.ENTER);
            case Tab -> Key.of(Key.Type.TAB);
            case Escape -> Key.of(Key.Type.ESCAPE);
            case Backspace -> Key.of(Key.Type.BACKSPACE);
            case ArrowUp -> Key.of(Key.Type.UP);
            case ArrowDown -> Key.of(Key.Type.DOWN);
            case PageUp -> Key.of(Key.Type.PAGE_UP);
            case PageDown -> Key.of(Key.Type.PAGE_DOWN);
            case Home -> Key.of(Key.Type.HOME);
            case End -> Key.of(Key.Type.END);
            case EOF -> Key.of(Key.Type.EOF);
            default -> Key.of(Key.Type.OTHER);
        };
    }

    /** Records a watcher's verdict beside the run, for its driver to journal, if the plan is still the one shown; says how it went. */
    private String recordVerdict(Effect.RecordVerdict v) {
        Run run = engine.run();
        EventData.Awaiting now;
        synchronized (run) {
            RunSnapshot.StepRecord r = run.snapshot().step(v.stepId());
            now = r == null ? null : r.approvalGate();
        }
        if (now == null || !now.digest().equals(v.digest())) {
            return "nothing recorded: step " + v.stepId() + " no longer awaits approval of the plan shown";
        }
        try {
            run.store().recordApproval(run.id(), v.stepId(), v.approves(), v.digest(), dev.lockstep.journal.Identity.host(), v.reason());
            return (v.approves() ? "approved" : "rejected") + " step " + v.stepId() + " as " + state.approverIdentity
                    + "; its driver records it when it next looks";
        } catch (LockstepException x) {
            return "nothing recorded: " + x.getMessage();
        }
    }

    private void submit(String action, Effect.Command command) {
        Supplier<Outcome> work = work(command);
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
            queue.add(new Msg.Finished(action, o));
        });
    }

    /** What the engine thread does for {@code command}. */
    private Supplier<Outcome> work(Effect.Command command) {
        if (command instanceof Effect.Command.RunNext) {
            return engine::step;
        } else if (command instanceof Effect.Command.Retry r) {
            return () -> {
                engine.retry(r.stepId());
                return engine.step();
            };
        } else if (command instanceof Effect.Command.Skip s) {
            return () -> {
                engine.skip(s.stepId(), s.reason());
                return null;
            };
        } else if (command instanceof Effect.Command.Override o) {
            return () -> {
                engine.override(o.stepId(), o.typed());
                return null;
            };
        } else if (command instanceof Effect.Command.Rollback) {
            return engine::rollback;
        } else if (command instanceof Effect.Command.Recheck c) {
            return () -> recheck(c.stepId());
        }
        throw new IllegalArgumentException("no engine work for " + command);
    }

    private Outcome recheck(String stepId) {
        StepDef def = engine.run().runbook().step(stepId).orElseThrow();
        List<String> results = new ArrayList<>();
        List<StepContext.CheckOutcome> outcomes = engine.recheck(def);
        for (int i = 0; i < outcomes.size(); i++) {
            StepContext.CheckOutcome o = outcomes.get(i);
            results.add((o.holds() ? "✓" : "✗") + " check " + (i + 1) + " (" + def.checks().get(i).label() + "): " + o.observed());
        }
        queue.add(new Msg.Checked(stepId, results));
        long failing = outcomes.stream().filter(o -> !o.holds()).count();
        return Outcome.success(failing == 0 ? "every precondition of " + stepId + " holds"
                : failing + " of " + outcomes.size() + " precondition" + (outcomes.size() == 1 ? "" : "s") + " of " + stepId
                + (failing == 1 ? " does" : " do") + " not hold");
    }

    /** What a rollback would run now, in order. */
    private List<String> rollbackPreview() {
        Run run = engine.run();
        synchronized (run) {
            return planner.rollbackPreview(run.runbook(), run.params(), engine.targets(), run.snapshot(), run.outputs()).lines();
        }
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
}
