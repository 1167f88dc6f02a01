package dev.lockstep.cli;

import com.googlecode.lanterna.screen.Screen;
import dev.lockstep.engine.Engine;
import dev.lockstep.engine.Operator;
import dev.lockstep.engine.Run;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.RunStateMachine;
import dev.lockstep.engine.Targets;
import dev.lockstep.journal.Event;
import dev.lockstep.runbook.Lazy;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.spi.Action;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.Position;
import dev.lockstep.spi.Settings;
import dev.lockstep.spi.Value;
import dev.lockstep.store.Follow;
import dev.lockstep.store.RunHolder;
import dev.lockstep.store.StateStore;
import dev.lockstep.tui.TuiApp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * lockstep watch: a run another process drives, followed read-only. Plain, it prints the lines
 * {@code run --no-tui} prints, and who drives whenever that changes; full screen, it is the
 * run's UI with no key that acts and a banner naming the driver.
 */
final class Watch {
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final long DRIVER_CHECK_MS = 2000;
    private static final Set<RunStateMachine.Phase> ENDED = EnumSet.of(RunStateMachine.Phase.SUCCEEDED,
            RunStateMachine.Phase.ROLLED_BACK, RunStateMachine.Phase.ABANDONED);

    private final Cli cli;
    private final StateStore store;
    private final String runId;
    private final Follow follow;

    Watch(Cli cli, StateStore store, String runId, Follow follow) {
        this.cli = cli;
        this.store = store;
        this.runId = runId;
        this.follow = follow;
    }

    /** Who drives the run, for the banner and the plain lines. */
    String driver() {
        Optional<RunHolder> h = store.holder(runId);
        if (h.isEmpty()) return "nobody drives run " + runId + " now (lockstep resume " + runId + " goes on with it)";
        return (h.get().live() ? "driven by " : "was driven by ") + h.get().describe();
    }

    /** Whether a live driver holds the run now: a step it runs is running, not in doubt. */
    private boolean driven() {
        return store.holder(runId).filter(RunHolder::live).isPresent();
    }

    /** Prints until the run has ended (succeeded, rolled back or abandoned) and its driver let it go. */
    int plain() throws InterruptedException {
        PlainPrinter printer = new PlainPrinter(cli);
        cli.out.println("watching run " + runId + " in " + store.describe() + " (read-only; Ctrl-C stops watching)");
        RunStateMachine.Phase phase = RunStateMachine.Phase.NEW;
        String driver = null;
        long nextCheck = 0;
        while (true) {
            for (Follow.Item item : follow.next(POLL)) {
                if (item instanceof Follow.Recorded r) {
                    phase = RunStateMachine.next(phase, r.event().type()).orElse(phase);
                    printer.event(r.event());
                } else if (item instanceof Follow.Line l) {
                    printer.line(l.log(), l.text());
                } else if (item instanceof Follow.Notice n) {
                    printer.notice(n.text());
                }
            }
            if (System.currentTimeMillis() >= nextCheck) {
                nextCheck = System.currentTimeMillis() + DRIVER_CHECK_MS;
                String now = driver();
                if (!now.equals(driver)) printer.notice(now);
                driver = now;
                if (ENDED.contains(phase) && store.holder(runId).filter(RunHolder::live).isEmpty()) {
                    cli.out.println("run " + runId + " has " + phase.name().toLowerCase().replace('_', ' ') + "; stopped watching");
                    return 0;
                }
            }
        }
    }

    /** The full-screen UI on {@code screen}, read-only, until the operator quits. */
    int fullScreen(Path runbookFile, Screen screen) throws IOException, InterruptedException {
        List<Event> events = new ArrayList<>();
        List<Follow.Item> early = new ArrayList<>();
        while (events.isEmpty()) {
            for (Follow.Item item : follow.next(POLL)) {
                if (item instanceof Follow.Recorded r) events.add(r.event());
                else early.add(item);
            }
        }
        RunSnapshot snapshot = RunSnapshot.replay(runId, store.describe() + "#" + runId, events);
        Runbook runbook = runbook(runbookFile, snapshot);
        TuiApp tui = new TuiApp(screen, Operator.NOBODY, cli.env);
        for (Follow.Item item : early) show(tui, null, item);
        Run run = Run.watching(runId, runbook, Params.recorded(snapshot.start().params(), snapshot.start().secrets()), store,
                snapshot, tui);
        Targets where = Targets.of(cli.loader().contexts(), runbook, Settings.of(Map.of()));
        Engine engine = new Engine(run, cli.types(), Operator.NOBODY, where);
        tui.driver(driver(), driven());
        Thread follower = new Thread(() -> followInto(tui, run), "lockstep-watch");
        follower.setDaemon(true);
        follower.start();
        try {
            tui.watch(engine);
        } finally {
            follower.interrupt();
            follower.join(5000);
        }
        cli.out.println("stopped watching run " + runId + "; " + driver());
        return 0;
    }

    private void followInto(TuiApp tui, Run run) {
        long nextCheck = System.currentTimeMillis() + DRIVER_CHECK_MS;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                for (Follow.Item item : follow.next(POLL)) show(tui, run, item);
                if (System.currentTimeMillis() >= nextCheck) {
                    nextCheck = System.currentTimeMillis() + DRIVER_CHECK_MS;
                    tui.driver(driver(), driven());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (LockstepException e) {
            tui.notice("stopped following run " + runId + ": " + e.getMessage());
        }
    }

    private static void show(TuiApp tui, Run run, Follow.Item item) {
        if (item instanceof Follow.Recorded r) {
            run.observed(r.event());
        } else if (item instanceof Follow.Line l) {
            tui.line(l.log(), l.text());
        } else if (item instanceof Follow.Notice n) {
            tui.notice(n.text());
        }
    }

    /**
     * The runbook to show the run with: the one given, else the file the run was started from when
     * it is here; else an outline of the recorded steps (a watcher on another machine need not have it).
     */
    private Runbook runbook(Path given, RunSnapshot snapshot) {
        Path file = given != null ? given : Path.of(snapshot.runbookPath());
        if (given != null || Files.isRegularFile(file)) {
            try {
                return cli.loader().load(file);
            } catch (LockstepException e) {
                if (given != null) throw e;
            }
        }
        Position here = new Position(snapshot.runbookPath(), 1, 1);
        Action unknown = new Action("(runbook not on this machine)", new Value.Mapping(Map.of(), Map.of(), here), here);
        List<StepDef> steps = new ArrayList<>();
        for (String id : snapshot.steps().keySet()) {
            steps.add(new StepDef(id, null, null, unknown, List.of(), Map.of(), null, null, null, null, StepDef.Retry.NONE, false, null,
                    StepDef.LogPatterns.NONE, here, Lazy.known(Map.of())));
        }
        return new Runbook(file, snapshot.runbookName(), snapshot.start().title(), null, Map.of(), Map.of(), steps, List.of(), null, null,
                Lazy.known(snapshot.checksum()));
    }
}
