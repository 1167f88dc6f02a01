package dev.lockstep.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.LockstepProcess;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.RunStatus;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Journal;
import dev.lockstep.journal.StateDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real program in a real terminal: tmux runs it, send-keys types, capture-pane
 * reads. Runs the demo part way, kill -9s lockstep, starts it again, and finishes.
 */
@Tag("tty")
@Tag("process")
class TmuxEndToEndTest {
    private final String socket = "lockstep-test-" + ProcessHandle.current().pid();

    @TempDir
    Path tmp;

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("this test needs tmux on the PATH (apt-get install tmux): " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("tmux " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    @AfterEach
    void killServer() throws InterruptedException {
        try {
            new ProcessBuilder("tmux", "-L", socket, "kill-server").start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            // No tmux: the test itself has already failed and said why.
        }
    }

    /** Starts lockstep in a new tmux session; the shell stays to show what lockstep printed last. */
    private void start(String session, Path state, Path work) throws IOException, InterruptedException {
        start(session, state, work, "TERM=xterm-256color", "");
    }

    /** Starts lockstep with {@code env} (VAR=value) in a terminal of its own; {@code tail} ends its command line. */
    private void start(String session, Path state, Path work, String env, String tail) throws IOException, InterruptedException {
        lockstep(session, env, "run runbooks/demo.yaml --state-dir '" + state + "' -p workdir='" + work + "'" + tail);
    }

    /** Runs {@code lockstep ARGS} (shell words) with {@code env} in a new tmux session of its own. */
    private void lockstep(String session, String env, String args) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "'" + java + "' -cp '" + LockstepProcess.classpath() + "' dev.lockstep.cli.Main " + args
                + "; echo LOCKSTEP_EXIT=$?; sleep 600";
        tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", "-c", Path.of("").toAbsolutePath().toString(),
                // CI runners set CI, and tmux hands this test's environment to the session: a
                // person's terminal has none of it.
                "env", "-u", "CI", env, "sh", "-c", command);
    }

    private String screen(String session) throws IOException, InterruptedException {
        return tmux("capture-pane", "-p", "-t", session);
    }

    private String await(String session, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String s = screen(session);
        while (!condition.test(s)) {
            if (System.nanoTime() > deadline) fail("the screen never showed what was expected:\n" + s);
            Thread.sleep(100);
            s = screen(session);
        }
        return s;
    }

    private void keys(String session, String... keys) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", session));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    /**
     * A driver waits at its typed confirmation in one terminal; a watcher in another (full screen), and one printing
     * plain lines, both say that the run awaits a confirmation, and of which step.
     */
    @Test
    void watchersSeeTheDriverAwaitingItsTypedConfirmationAndAtWhichStep() throws Exception {
        Path state = tmp.resolve("state");
        start("driver", state, tmp.resolve("work"));
        await("driver", s -> s.contains(" q quit"));
        keys("driver", "a");
        await("driver", s -> s.contains("Typed confirmation: switch"));
        String runId = new StateDir(state).runIds().get(0);

        lockstep("watcher", "TERM=xterm-256color", "watch " + runId + " --state-dir '" + state + "'");
        String watching = await("watcher", s -> s.contains("WATCHING (read-only)") && s.contains("AWAITING CONFIRMATION"));
        assertTrue(watching.contains("waiting for the driver's operator: awaiting confirmation at step switch"), watching);

        Path plainOut = tmp.resolve("watch.txt");
        Process plain = LockstepProcess.start(plainOut, "watch", runId, "--no-tui", "--state-dir", state.toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(plainOut).contains("step switch awaits a confirmation from its operator")) {
                if (System.nanoTime() > deadline || !plain.isAlive()) fail("the plain watcher never said so:\n" + Files.readString(plainOut));
                Thread.sleep(100);
            }
        } finally {
            plain.destroy();
            plain.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /**
     * A driver waits at an approval gate in one terminal, showing what is approved; in another, lockstep approve shows the
     * same plan, asks for the step id typed, and the driver goes on.
     */
    @Test
    void anApproverInAnotherTerminalSeesThePlanTypesTheStepIdAndTheDriverGoesOn() throws Exception {
        Path state = tmp.resolve("state");
        lockstep("driver", "TERM=xterm-256color", "run src/test/resources/runbooks/approvals/screen.yaml --state-dir '" + state + "'");
        await("driver", s -> s.contains(" q quit"));
        keys("driver", "a");
        String gate = await("driver", s -> s.contains("AWAITING APPROVAL  step gated"));
        assertTrue(gate.contains("$ echo \"switching to green\""), gate);
        String runId = new StateDir(state).runIds().get(0);

        lockstep("approver", "TERM=xterm-256color", "approve " + runId + " gated --state-dir '" + state + "'");
        String asked = await("approver", s -> s.contains("Type gated to approve it:"));
        assertTrue(asked.contains("Switch traffic to green") && asked.contains("$ echo \"switching to green\""), asked);
        keys("approver", "gated", "Enter");
        String approved = await("approver", s -> s.contains("LOCKSTEP_EXIT="));
        assertTrue(approved.contains("Approved step gated of run " + runId) && approved.contains("LOCKSTEP_EXIT=0"), approved);
        await("driver", s -> s.contains("│ SUCCEEDED"));
    }

    @Test
    void ciDumbTerminalsAndRedirectedOutputGetPlainLinesEvenOnATerminal() throws Exception {
        String answers = " --yes --confirm switch=relay";
        String[][] cases = {{"CI=true", answers}, {"TERM=dumb", answers}, {"TERM=xterm-256color", answers + " | cat"}};
        for (int i = 0; i < cases.length; i++) {
            start("plain" + i, tmp.resolve("state" + i), tmp.resolve("work" + i), cases[i][0], cases[i][1]);
            await("plain" + i, text -> text.contains("LOCKSTEP_EXIT="));
            String s = tmux("capture-pane", "-p", "-S", "-", "-t", "plain" + i);
            assertTrue(s.contains("run id: demo-") && s.contains("ok step prepare succeeded"),
                    String.join(" ", cases[i]) + " prints plain lines:\n" + s);
            assertFalse(s.contains("lockstep │"), String.join(" ", cases[i]) + " opens no full screen:\n" + s);
        }
    }

    /** Typed at the prompt before the full screen opens, a secret is edited as a line: Backspace erases. */
    @Test
    void aSecretTypedAtThePromptKeepsItsLineEditing() throws Exception {
        Path runbook = Files.writeString(tmp.resolve("prompt.yaml"), """
                lockstep: 1
                name: prompt
                params:
                  token: { secret: true, description: the token }
                  out: { description: where the step writes what it was given }
                steps:
                  - id: compare
                    run: |
                      if [ "${{ params.token }}" = abcd ]; then echo MATCH > "${{ params.out }}"; else echo NOMATCH > "${{ params.out }}"; fi
                """);
        Path out = tmp.resolve("compared");
        lockstep("prompt", "TERM=xterm-256color", "run '" + runbook + "' --state-dir '" + tmp.resolve("state") + "' -p out='" + out + "'");
        await("prompt", s -> s.contains("token (secret, the token):"));
        keys("prompt", "abcX", "BSpace", "d", "Enter");
        await("prompt", s -> s.contains("lockstep │") && s.contains("Enter run next"));
        keys("prompt", "Enter");
        await("prompt", s -> s.contains("SUCCEEDED"));
        assertEquals("MATCH", Files.readString(out).trim(), "the step was given abcd, as corrected at the prompt");
        keys("prompt", "q");
        await("prompt", s -> s.contains("LOCKSTEP_EXIT=0"));
    }

    @Test
    void runPartWayKillResumeToTheEnd() throws Exception {
        Path state = tmp.resolve("state");
        Path work = tmp.resolve("work");
        start("first", state, work);
        String first = await("first", s -> s.contains("lockstep │") && s.contains("›· Create the source table"));
        // The header reaches the right edge (its last cell is a space): the size stty read is the pane's.
        assertEquals(99, first.lines().findFirst().orElseThrow().stripTrailing().length(), first);
        // A resize is Lanterna's to measure: the terminal reports where the cursor can go.
        tmux("resize-window", "-t", "first", "-x", "120", "-y", "40");
        await("first", s -> s.lines().findFirst().orElseThrow().stripTrailing().length() == 119 && s.lines().count() > 30);
        keys("first", "Enter");
        await("first", s -> s.contains("✓ Create the source table") && s.contains("Enter run next"));
        keys("first", "Enter");
        await("first", s -> s.contains("✓ Copy the source table") && s.contains("›· Verify row counts") && s.contains("Enter run next"));

        long shell = Long.parseLong(tmux("list-panes", "-t", "first", "-F", "#{pane_pid}").trim());
        ProcessHandle lockstep = ProcessHandle.of(shell).orElseThrow().children().findFirst().orElseThrow();
        new ProcessBuilder("kill", "-9", String.valueOf(lockstep.pid())).start().waitFor();
        await("first", s -> s.contains("LOCKSTEP_EXIT=137"));

        start("second", state, work);
        String reopened = await("second", s -> s.contains("✓ Create the source table") && s.contains("✓ Copy the source table") && s.contains("›· Verify row counts"));
        assertTrue(reopened.contains("│ PAUSED"), "the unfinished run reopens where it stopped:\n" + reopened);
        keys("second", "a");
        await("second", s -> s.contains("Typed confirmation: switch") && s.contains("✓ Verify row counts"));
        keys("second", "relay", "Enter");
        await("second", s -> s.contains("✓ Point readers at the target") && s.contains("Enter run next"));
        keys("second", "Enter");
        // The title is cut to leave room for the step's duration, which may take 4 or 5 columns.
        String done = await("second", s -> s.contains("✓ Wait until readers use the ta") && s.contains("SUCCEEDED"));
        assertTrue(done.contains("✓ Verify row counts") && done.contains("✓ Point readers at the target"), done);
        keys("second", "q");
        String after = await("second", s -> s.contains("LOCKSTEP_EXIT="));
        assertTrue(after.contains("LOCKSTEP_EXIT=0"), after);
        assertTrue(after.contains(": succeeded"), "the terminal is restored and says how the run ended:\n" + after);

        List<Path> runs;
        try (Stream<Path> s = Files.list(state.resolve("runs"))) {
            runs = s.toList();
        }
        assertEquals(1, runs.size(), "the second start continued the same run");
        List<Event> events = Journal.read(runs.get(0).resolve("journal.jsonl")).events();
        RunSnapshot snapshot = RunSnapshot.replay(runs.get(0).getFileName().toString(), "journal", events);
        assertEquals(RunStatus.SUCCEEDED, snapshot.status());
        assertEquals(1, events.stream().filter(e -> e.type() == EventType.RUN_RESUMED).count());
        for (String step : List.of("prepare", "copy", "verify", "switch", "confirm-readers")) {
            assertEquals(1, events.stream().filter(e -> e.type() == EventType.STEP_STARTED && step.equals(e.step())).count(),
                    step + " ran exactly once");
        }
        assertEquals("readers=target", Files.readString(work.resolve("pointer")).trim());
    }

    /**
     * The take-over, as an operator meets it: driver A waits at a typed confirmation, a
     * second process takes the run over and finishes it. A's screen turns read-only at once, Enter
     * does nothing, and q says the run succeeded, with no hint to resume a finished run.
     */
    @Test
    void aDriverTakenOverAtATypedConfirmationTurnsReadOnlyAndQuitsWithTheTrueState() throws Exception {
        Path state = tmp.resolve("state");
        start("a", state, tmp.resolve("work"));
        await("a", s -> s.contains("lockstep │") && s.contains("Enter run next"));
        keys("a", "a");
        await("a", s -> s.contains("Typed confirmation: switch"));
        String runId;
        try (Stream<Path> s = Files.list(state.resolve("runs"))) {
            runId = s.findFirst().orElseThrow().getFileName().toString();
        }

        Path taker = tmp.resolve("taker.log");
        assertEquals(0, LockstepProcess.run(taker, "resume", runId, "--take-over", runId, "--state-dir", state.toString(),
                "--yes", "--confirm", "switch=relay"), Files.readString(taker));
        String readOnly = await("a", s -> s.contains("— read-only;"));
        assertTrue(readOnly.contains("taken over by pid"), readOnly);
        assertFalse(readOnly.contains("Typed confirmation") || readOnly.contains("Enter run next"), readOnly);
        keys("a", "Enter");
        String after = await("a", s -> s.contains("read-only: this run was taken from this process"));
        assertFalse(after.contains("Typed confirmation"), "Enter opens no confirmation again:\n" + after);
        keys("a", "q");
        await("a", s -> s.contains("LOCKSTEP_EXIT="));
        String end = tmux("capture-pane", "-p", "-J", "-t", "a");
        assertTrue(end.contains("LOCKSTEP_EXIT=6"), end);
        assertTrue(end.contains("run " + runId + " was taken over by pid") && end.contains("its state now: succeeded"), end);
        assertFalse(end.contains("Continue with"), "a finished run needs no resuming:\n" + end);
    }

    @Test
    void ctrlCWhileAStepRunsAsksAndASecondCtrlCStops() throws Exception {
        Path state = tmp.resolve("state");
        lockstep("ctrlc", "TERM=xterm-256color", "run src/test/resources/runbooks/tui/slow.yaml --state-dir '" + state + "'");
        await("ctrlc", s -> s.contains("lockstep │") && s.contains("Enter run next"));
        keys("ctrlc", "Enter");
        await("ctrlc", s -> s.contains("started") && s.contains("│ RUNNING"));
        keys("ctrlc", "C-c");
        String asked = await("ctrlc", s -> s.contains("Quit while a step runs?"));
        assertFalse(asked.contains("LOCKSTEP_EXIT="), "the first Ctrl-C only asks:\n" + asked);
        keys("ctrlc", "C-c");
        String after = await("ctrlc", s -> s.contains("LOCKSTEP_EXIT="));
        assertTrue(after.contains("in-doubt"), "the second Ctrl-C stops the step, which is in doubt:\n" + after);
    }
}
