package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.lockstep.LockstepProcess;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Journal;
import dev.lockstep.journal.StateDir;
import dev.lockstep.store.LocalStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lockstep watch in full screen, on Lanterna's virtual terminal, beside a real driver process. */
@Tag("process")
class WatchScreenTest {
    private static final String CHATTY = "src/test/resources/runbooks/team/chatty.yaml";

    @TempDir
    Path tmp;

    private DefaultVirtualTerminal vt;

    private Path state() {
        return tmp.resolve("state");
    }

    /** Waits until the driver's run has journaled {@code type}; returns the run's id. */
    private static String awaitJournaled(StateDir dir, String type, Process driver, Path driverLog) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (dir.runIds().isEmpty() || !Files.readString(dir.journal(dir.runIds().get(0))).contains(type)) {
            if (System.nanoTime() > deadline || !driver.isAlive()) fail("the run never journaled " + type + ": " + Files.readString(driverLog));
            Thread.sleep(20);
        }
        return dir.runIds().get(0);
    }

    /** The watcher's full screen on a virtual terminal, as `lockstep watch` opens it. */
    private CompletableFuture<Integer> watch(StateDir dir, String runId) throws Exception {
        vt = new DefaultVirtualTerminal(new TerminalSize(120, 30));
        Cli cli = new Cli(Map.of(), new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()));
        LocalStore store = new LocalStore(dir);
        Watch watch = new Watch(cli, store, runId, store.follow(runId));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return watch.fullScreen(null, new TerminalScreen(vt));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void theWatchShowsTheRunLiveNamesItsDriverAndNoKeyActs() throws Exception {
        Path driverLog = tmp.resolve("driver.log");
        Process driver = LockstepProcess.start(driverLog, "run", CHATTY, "--no-tui", "--state-dir", state().toString(),
                "-p", "pause=0.5");
        StateDir dir = new StateDir(state());
        String runId = awaitJournaled(dir, "STEP_STARTED", driver, driverLog);
        CompletableFuture<Integer> exit = watch(dir, runId);
        awaitScreen(s -> s.contains("WATCHING (read-only)") && s.contains("driven by pid " + driver.pid()));
        awaitScreen(s -> s.contains("s3 line"));
        // A step that runs under its driver's live lease is running, not in doubt.
        String running = awaitScreen(s -> s.contains("driven by pid " + driver.pid()) && s.contains("▶ ")
                && (s.contains("│ RUNNING") || s.contains("│ IN-DOUBT")));
        assertTrue(running.contains("│ RUNNING"), running);
        vt.addInput(new KeyStroke(KeyType.Enter));
        awaitScreen(s -> s.contains("watching, read-only: the driver of this run decides"));
        vt.addInput(new KeyStroke('r', false, false));
        vt.addInput(new KeyStroke('?', false, false));
        awaitScreen(s -> s.contains("Watching: read-only. The banner says who drives the run") && !s.contains("Roll back run"));
        vt.addInput(new KeyStroke(KeyType.Escape));

        assertEquals(0, driver.waitFor(90, TimeUnit.SECONDS) ? driver.exitValue() : -1, Files.readString(driverLog));
        awaitScreen(s -> s.contains("nobody drives run " + runId) && s.contains("SUCCEEDED"));
        vt.addInput(new KeyStroke('q', false, false));
        assertEquals(0, exit.get(20, TimeUnit.SECONDS));

        List<Event> events = Journal.read(dir.journal(runId)).events();
        assertEquals(EventType.RUN_FINISHED, events.get(events.size() - 1).type());
        assertTrue(events.stream().noneMatch(e -> e.type() == EventType.RUN_RESUMED), "the watcher recorded nothing");
    }

    @Test
    void aWatcherTheStepAllowsApprovesItsGateWithTheStepIdTypedAndTheDriverGoesOn() throws Exception {
        Path driverLog = tmp.resolve("driver.log");
        Process driver = LockstepProcess.start(driverLog, "run", "src/test/resources/runbooks/approvals/screen.yaml", "--no-tui",
                "--await-approval", "--state-dir", state().toString());
        StateDir dir = new StateDir(state());
        String runId = awaitJournaled(dir, "STEP_AWAITING", driver, driverLog);
        CompletableFuture<Integer> exit = watch(dir, runId);
        String gate = awaitScreen(s -> s.contains("│ AWAITING APPROVAL") && s.contains("y approve") && s.contains("x reject"));
        assertTrue(gate.contains("$ echo \"switching to green\""), gate);
        vt.addInput(new KeyStroke('y', false, false));
        awaitScreen(s -> s.contains("Approve step gated") && s.contains("Type gated to approve it"));
        for (char c : "gatd".toCharArray()) vt.addInput(new KeyStroke(c, false, false));
        vt.addInput(new KeyStroke(KeyType.Enter));
        awaitScreen(s -> s.contains("'gatd' did not match"));
        for (char c : "gated".toCharArray()) vt.addInput(new KeyStroke(c, false, false));
        vt.addInput(new KeyStroke(KeyType.Enter));

        assertEquals(0, driver.waitFor(90, TimeUnit.SECONDS) ? driver.exitValue() : -1, Files.readString(driverLog));
        awaitScreen(s -> s.contains("SUCCEEDED"));
        vt.addInput(new KeyStroke('q', false, false));
        assertEquals(0, exit.get(20, TimeUnit.SECONDS));
        assertTrue(Journal.read(dir.journal(runId)).events().stream().anyMatch(e -> e.type() == EventType.STEP_APPROVED
                && e.data(dev.lockstep.journal.EventData.Approval.class).by().equals(System.getProperty("user.name"))),
                "the driver journaled the watcher's approval");
    }

    private String awaitScreen(Predicate<String> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = read();
            if (condition.test(last)) return last;
            Thread.sleep(50);
        }
        return fail("the screen never showed what was expected:\n" + last);
    }

    private String read() {
        StringBuilder b = new StringBuilder();
        TerminalSize size = vt.getTerminalSize();
        for (int r = 0; r < size.getRows(); r++) {
            for (int c = 0; c < size.getColumns(); c++) b.append(vt.getCharacter(c, r).getCharacterString());
            b.append('\n');
        }
        return b.toString();
    }
}
