package dev.lockstep.tui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextCharacter;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.lockstep.engine.Engine;
import dev.lockstep.engine.Operator;
import dev.lockstep.engine.Planner;
import dev.lockstep.engine.Run;
import dev.lockstep.engine.RunStatus;
import dev.lockstep.engine.Runs;
import dev.lockstep.engine.StepState;
import dev.lockstep.journal.StateDir;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.step.Settings;
import dev.lockstep.step.StepTypes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The full-screen UI on Lanterna's virtual terminal, driving a real engine on real shell steps. */
class TuiTest {
    private static final StepTypes TYPES = StepTypes.discover();
    private static final RunbookLoader LOADER = new RunbookLoader(TYPES);

    @TempDir
    Path tmp;

    private DefaultVirtualTerminal vt;
    private Run run;
    private CompletableFuture<Integer> exit;

    /** Opens the UI on a new run of a runbook, in a background thread, as `lockstep run` would. */
    private void open(String runbook, Map<String, String> params, Map<String, String> env, int cols, int rows) throws Exception {
        vt = new DefaultVirtualTerminal(new TerminalSize(cols, rows));
        TuiApp app = new TuiApp(new TerminalScreen(vt), Operator.NOBODY, env);
        Runbook rb = LOADER.load(Path.of(runbook));
        Params p = Params.resolve(rb, params, Map.of(), Map.of(), d -> null);
        run = new Runs(new StateDir(tmp.resolve("state")), "test").start(rb, p, app, "test", false);
        Engine engine = new Engine(run, TYPES, LOADER, app.operator(), Settings.of(Map.of()));
        exit = CompletableFuture.supplyAsync(() -> {
            try {
                return app.drive(engine, new Planner(TYPES, LOADER));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        awaitScreen(s -> s.contains("lockstep │"));
    }

    private void openDemo(Map<String, String> env) throws Exception {
        Map<String, String> params = new HashMap<>(Map.of("workdir", tmp.resolve("work").toString()));
        env.forEach((k, v) -> params.put(k, v));
        open("runbooks/demo.yaml", params, Map.of(), 100, 30);
    }

    @AfterEach
    void quit() throws Exception {
        if (exit == null || exit.isDone()) return;
        vt.addInput(new KeyStroke('c', true, false));
        exit.get(20, TimeUnit.SECONDS);
    }

    private void key(char c) {
        vt.addInput(new KeyStroke(c, false, false));
    }

    private void key(KeyType type) {
        vt.addInput(new KeyStroke(type));
    }

    private void type(String text) {
        for (char c : text.toCharArray()) key(c);
    }

    /** The screen as text, read until two reads agree (the UI thread may be mid-refresh). */
    private String screen() {
        String previous = read();
        while (true) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return previous;
            }
            String now = read();
            if (now.equals(previous)) return now;
            previous = now;
        }
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

    private String awaitScreen(Predicate<String> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String s = screen();
        while (!condition.test(s)) {
            if (System.nanoTime() > deadline) fail("screen never matched; it shows:\n" + s);
            Thread.sleep(20);
            s = screen();
        }
        return s;
    }

    /** The cell where {@code text} starts on the screen. */
    private TextCharacter cellOf(String text) {
        String[] lines = screen().split("\n");
        for (int r = 0; r < lines.length; r++) {
            int c = lines[r].indexOf(text);
            if (c >= 0) return vt.getCharacter(c, r);
        }
        throw new AssertionError(text + " is not on the screen:\n" + screen());
    }

    /** The cell just after {@code marker}'s first character (the pane border), where a log line starts. */
    private TextCharacter cellAfter(String marker) {
        String[] lines = screen().split("\n");
        for (int r = 0; r < lines.length; r++) {
            int c = lines[r].indexOf(marker);
            if (c >= 0) return vt.getCharacter(c + 1, r);
        }
        throw new AssertionError(marker + " is not on the screen:\n" + screen());
    }

    @Test
    void stepsMoveThroughTheirStatesWithGlyphsAndTheTypedConfirmationMustMatch() throws Exception {
        openDemo(Map.of());
        String first = screen();
        assertTrue(first.contains("›· prepare"), first);
        assertTrue(first.contains("run " + run.id()) && first.contains("│ local │"), first);
        assertTrue(first.contains("$ mkdir -p \"${LS_PARAMS_WORKDIR}\""), "the next step's command, resolved:\n" + first);
        assertTrue(first.contains("Enter run next"), first);

        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ prepare"));
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ copy") && s.contains("✓ check 1 (run): exit 0"));
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ verify"));
        key(KeyType.Enter);
        String dialog = awaitScreen(s -> s.contains("Typed confirmation: switch"));
        assertTrue(dialog.contains("Type relay to run step switch"), dialog);
        type("Relay");
        key(KeyType.Enter);
        String refused = awaitScreen(s -> s.contains("needs the typed confirmation 'relay'"));
        assertTrue(refused.contains("›· switch"), "a wrong confirmation leaves the step pending:\n" + refused);
        assertFalse(Files.readString(tmp.resolve("work/pointer")).contains("target"));

        key(KeyType.Enter);
        awaitScreen(s -> s.contains("Typed confirmation: switch"));
        type("relay");
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ switch"));
        key('a');
        String done = awaitScreen(s -> s.contains("✓ confirm-readers") && s.contains("SUCCEEDED"));
        assertTrue(done.contains("run " + run.id() + " succeeded"), done);
    }

    @Test
    void aHaltShowsTheRedBannerWithEvidenceAndAnOverrideIsTypedAndRecorded() throws Exception {
        open("src/test/resources/runbooks/tui/chatty.yaml", Map.of(), Map.of(), 100, 30);
        key(KeyType.Enter);
        String halted = awaitScreen(s -> s.contains("HALTED  step talk"));
        assertTrue(halted.contains("evidence: table kv: source=3 dest=2 MISMATCH"), halted);
        assertTrue(halted.contains("t retry the step   r roll back   o override"), halted);
        assertTrue(halted.contains("■ talk"), halted);
        assertEquals(TextColor.ANSI.RED, cellOf("HALTED  step talk").getBackgroundColor());
        assertEquals(TextColor.ANSI.RED, cellAfter("│table kv: source=3 dest=2 MISMATCH").getForegroundColor(),
                "a line matching haltOn is shown in red");
        assertEquals(TextColor.ANSI.RED, cellAfter("│Modify  Task (AWS::ECS::TaskDefinition)  !! REPLACED").getForegroundColor(),
                "a replacement is said loudly");
        assertEquals(TextColor.ANSI.DEFAULT, cellAfter("│line 199").getForegroundColor(), "other lines are not");

        key(KeyType.Enter);
        awaitScreen(s -> s.contains("Retry it (lockstep resume --retry talk)"));
        assertEquals(StepState.HALTED, run.snapshot().step("talk").state(), "Enter does not pass a halt");

        key('o');
        awaitScreen(s -> s.contains("Override the halt of talk"));
        type("talk");
        key(KeyType.Enter);
        awaitScreen(s -> !s.contains("HALTED  step talk") && s.contains("✓ talk"));
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ after"));
        assertTrue(Files.readString(new StateDir(tmp.resolve("state")).journal(run.id()))
                .contains("\"type\":\"STEP_OVERRIDDEN\",\"step\":\"talk\""));
    }

    @Test
    void rollbackDialogListsExactlyWhatWillRunAndOneKeyConfirms() throws Exception {
        openDemo(Map.of());
        key('a');
        awaitScreen(s -> s.contains("Typed confirmation: switch"));
        key(KeyType.Escape);
        awaitScreen(s -> s.contains("✓ verify") && !s.contains("Typed confirmation"));
        key('r');
        String dialog = awaitScreen(s -> s.contains("Roll back run"));
        assertTrue(dialog.indexOf("1. undo copy: run") < dialog.indexOf("2. undo prepare: run"), dialog);
        assertTrue(dialog.contains("3. runbook rollback 1: run"), dialog);
        assertTrue(dialog.contains("No rollback (left as they are): verify"), dialog);
        key('n');
        awaitScreen(s -> !s.contains("Roll back run"));
        assertTrue(Files.exists(tmp.resolve("work")), "cancelled: nothing undone");
        key('r');
        awaitScreen(s -> s.contains("Roll back run"));
        key('y');
        awaitScreen(s -> s.contains("↩ prepare") && s.contains("↩ copy") && s.contains("ROLLED-BACK"));
        assertFalse(Files.exists(tmp.resolve("work")));
        assertEquals(RunStatus.ROLLED_BACK, run.snapshot().status());
    }

    @Test
    void logsScrollSearchAndFollow() throws Exception {
        open("src/test/resources/runbooks/tui/chatty.yaml", Map.of(), Map.of(), 100, 30);
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("HALTED"));
        key('l');
        String full = awaitScreen(s -> s.contains("[following]") && s.contains("line 199") && !s.contains(" Steps"));
        assertTrue(full.contains("\nline 180"), "full-screen logs use the whole width:\n" + full);
        key(KeyType.PageUp);
        awaitScreen(s -> s.contains("[line ") && !s.contains("line 199\n"));
        key(KeyType.Home);
        String top = awaitScreen(s -> s.contains("[line 1-"));
        assertTrue(top.contains("line 1\n") || top.contains("line 1 "), top);
        key('/');
        awaitScreen(s -> s.contains("Search the log"));
        type("line 150");
        key(KeyType.Enter);
        String found = awaitScreen(s -> s.contains("search: line 150") && s.contains("[line 150-"));
        assertTrue(found.contains("line 150"), found);
        key(KeyType.End);
        awaitScreen(s -> s.contains("[following]"));
    }

    @Test
    void resizesDownTo80x24AndBelowWithoutLosingTheEssentials() throws Exception {
        openDemo(Map.of());
        vt.setTerminalSize(new TerminalSize(80, 24));
        String small = awaitScreen(s -> repaintedAt(s, 80, 24));
        assertTrue(small.contains("lockstep │") && small.contains("prepare") && small.contains("Enter run next"), small);
        assertTrue(small.contains("Will do:"), "80x24 still shows the detail pane:\n" + small);
        vt.setTerminalSize(new TerminalSize(60, 16));
        String smaller = awaitScreen(s -> repaintedAt(s, 60, 16));
        assertTrue(smaller.contains("prepare") && smaller.contains("Logs:"), smaller);
        vt.setTerminalSize(new TerminalSize(20, 5));
        awaitScreen(s -> s.contains("too small"));
        vt.setTerminalSize(new TerminalSize(100, 30));
        awaitScreen(s -> s.contains("Will do:"));
    }

    /** True once the whole screen was drawn at this size (the footer sits on the last row). */
    private static boolean repaintedAt(String screen, int cols, int rows) {
        String[] lines = screen.split("\n");
        return lines.length == rows && lines[0].length() == cols && lines[rows - 1].startsWith(" Enter run next")
                && lines[0].startsWith(" lockstep");
    }

    @Test
    void theHeaderNamesTheAwsAccountAndRegionWithoutCallingAws() throws Exception {
        open("src/test/resources/runbooks/aws/cfn-read.yaml", Map.of("stack", "relay"), Map.of(), 140, 30);
        String s = screen();
        assertTrue(s.contains("│ aws 123456789012 us-east-1 (not verified) │"), "the pinned account, not yet checked:\n" + s);
        assertTrue(s.contains("read the outputs of stack relay"), "the first frame is drawn before any AWS client exists:\n" + s);
    }

    @Test
    void noColorMeansNoColours() throws Exception {
        open("runbooks/demo.yaml", Map.of("workdir", tmp.resolve("work").toString()), Map.of("NO_COLOR", "1"), 100, 30);
        TextCharacter header = cellOf("lockstep │");
        assertEquals(TextColor.ANSI.DEFAULT, header.getBackgroundColor());
        assertTrue(header.getModifiers().contains(com.googlecode.lanterna.SGR.REVERSE), "emphasis without colour");
    }

    @Test
    void colourIsUsedOtherwise() throws Exception {
        openDemo(Map.of());
        assertNotEquals(TextColor.ANSI.DEFAULT, cellOf("lockstep │").getBackgroundColor());
    }

    @Test
    void quittingLeavesTheRunResumableAndSaysHow() throws Exception {
        openDemo(Map.of());
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ prepare"));
        key('?');
        awaitScreen(s -> s.contains("Keys") && s.contains("auto mode"));
        key(KeyType.Escape);
        awaitScreen(s -> !s.contains("auto mode:"));
        key('q');
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        assertEquals(RunStatus.PAUSED, run.snapshot().status());
    }
}
