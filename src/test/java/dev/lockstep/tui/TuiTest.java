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
import dev.lockstep.TestPostgres;
import dev.lockstep.engine.Engine;
import dev.lockstep.engine.Operator;
import dev.lockstep.engine.Outcome;
import dev.lockstep.engine.Planner;
import dev.lockstep.engine.Run;
import dev.lockstep.engine.RunListener;
import dev.lockstep.engine.RunPlace;
import dev.lockstep.engine.RunStatus;
import dev.lockstep.engine.Runs;
import dev.lockstep.engine.StepState;
import dev.lockstep.journal.StateDir;
import dev.lockstep.plugin.StepTypes;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.spi.Settings;
import dev.lockstep.store.PostgresStore;
import dev.lockstep.store.PostgresUrl;
import dev.lockstep.store.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The full-screen UI on Lanterna's virtual terminal, driving a real engine on real shell steps. */
class TuiTest {
    private static final StepTypes TYPES = StepTypes.discover();
    private static final RunbookLoader LOADER = new RunbookLoader(TYPES);

    @TempDir
    Path tmp;

    private DefaultVirtualTerminal vt;
    private TerminalScreen terminalScreen;
    private Run run;
    private TuiApp app;
    /** The shared store a test drives its run in; the local state folder when null. */
    private StateStore store;
    private CompletableFuture<Integer> exit;

    /** Opens the UI on a new run of a runbook, in a background thread, as `lockstep run` would. */
    private void open(String runbook, Map<String, String> params, Map<String, String> env, int cols, int rows) throws Exception {
        TuiApp app = screen(env, cols, rows);
        Runbook rb = LOADER.load(Path.of(runbook));
        Params p = Params.resolve(rb, params, Map.of(), Map.of(), d -> null);
        run = runs().start(rb, p, app, "test", false);
        drive(app);
    }

    /** Opens the UI again on the last run, as `lockstep resume` would. */
    private void reopen() throws Exception {
        run.close();
        TuiApp app = screen(Map.of(), 100, 30);
        run = runs().reopen(run.id(), path -> LOADER.load(Path.of(path)),
                (rb, snapshot) -> Params.resolve(rb, Map.of(), Map.of(), Map.of(), d -> null), app, "test", false, false);
        drive(app);
    }

    private Runs runs() {
        return store != null ? new Runs(store, "test") : new Runs(new StateDir(tmp.resolve("state")), "test");
    }

    private TuiApp screen(Map<String, String> env, int cols, int rows) throws Exception {
        vt = new DefaultVirtualTerminal(new TerminalSize(cols, rows));
        terminalScreen = new TerminalScreen(vt);
        app = new TuiApp(terminalScreen, Operator.NOBODY, env);
        return app;
    }

    private void drive(TuiApp app) throws Exception {
        Engine engine = new Engine(run, TYPES, LOADER.contexts(), app.operator(), Settings.of(Map.of()));
        exit = CompletableFuture.supplyAsync(() -> {
            try {
                return app.drive(engine, new Planner(TYPES));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        awaitScreen(s -> s.contains("lockstep │") && s.contains(" q quit"));
    }

    private void openDemo(Map<String, String> env) throws Exception {
        Map<String, String> params = new HashMap<>(Map.of("workdir", tmp.resolve("work").toString()));
        env.forEach((k, v) -> params.put(k, v));
        open("runbooks/demo.yaml", params, Map.of(), 100, 30);
    }

    @AfterEach
    void quit() throws Exception {
        try {
            quitScreen();
        } finally {
            if (store != null) store.close();
        }
    }

    private void quitScreen() throws Exception {
        if (exit == null || exit.isDone()) return;
        // Twice: while a step runs the first Ctrl-C only asks.
        vt.addInput(new KeyStroke('c', true, false));
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

    /**
     * The screen as text, as the last refresh left it: a refresh holds the screen's lock while it
     * writes, and a read part way through one (two reads 10 ms apart agreed, on a loaded machine)
     * showed a new header over an old frame.
     */
    private String screen() {
        synchronized (terminalScreen) {
            return read();
        }
    }

    private String read() {
        StringBuilder b = new StringBuilder();
        TerminalSize size = vt.getTerminalSize();
        for (int r = 0; r < size.getRows(); r++) {
            for (int c = 0; c < size.getColumns(); c++) {
                TextCharacter cell = vt.getCharacter(c, r);
                b.append(cell.getCharacterString());
                if (cell.isDoubleWidth()) c++;
            }
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

    /** Presses a key until the screen shows what is expected (at most 20 times). */
    private String pressUntil(KeyType type, Predicate<String> condition) throws InterruptedException {
        for (int i = 0; i < 20; i++) {
            String s = screen();
            if (condition.test(s)) return s;
            key(type);
            Thread.sleep(50);
        }
        return awaitScreen(condition);
    }

    /** The screen line holding {@code text}. */
    private String row(String screen, String text) {
        for (String line : screen.split("\n")) if (line.contains(text)) return line.substring(0, line.indexOf('│') > 0 ? line.indexOf('│') : line.length()).stripTrailing();
        throw new AssertionError(text + " is not on the screen:\n" + screen);
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
    void stepsShowTitlesAndMoveThroughTheirStatesWithGlyphs() throws Exception {
        openDemo(Map.of());
        String first = screen();
        assertTrue(first.contains("›· Create the source table · prepare"), "titles, with the id when it fits:\n" + first);
        assertTrue(first.contains("run " + run.id()) && first.contains("│ local │"), first);
        assertTrue(first.contains("│ READY"), "nothing ran yet: the run is ready, not paused:\n" + first);
        assertTrue(first.contains("Enter run next"), first);

        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ Create the source table"));
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ Copy the source table") && s.contains("✓ check 1 (the source table is there): exit 0"));
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ Verify row counts"));
        key('a');
        String dialog = awaitScreen(s -> s.contains("Typed confirmation: switch"));
        type("relay");
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ Point readers at the target"));
        key('a');
        // The title is cut to leave room for the step's duration, which may take 4 or 5 columns.
        String done = awaitScreen(s -> s.contains("✓ Wait until readers use the ta") && s.contains("SUCCEEDED"));
        assertTrue(done.contains("run " + run.id() + " succeeded"), done);
        assertTrue(dialog.contains("Point readers at the target  (step switch)"), dialog);
    }

    @Test
    void theStepListDropsTheIdWhenTheTitleNeedsTheRoom() throws Exception {
        open("runbooks/demo.yaml", Map.of("workdir", tmp.resolve("work").toString()), Map.of(), 80, 24);
        String s = screen();
        assertTrue(s.contains("Copy the source table to th"), s);
        assertFalse(s.contains("· copy") || s.contains("· prepare"), "no room for the id after a long title:\n" + s);
    }

    @Test
    void theTypedConfirmationShowsTheGatedStepResolvedAndRefusesAWrongValueInPlace() throws Exception {
        openDemo(Map.of());
        key(KeyType.ArrowDown);
        key(KeyType.ArrowDown);
        key(KeyType.ArrowDown);
        String detail = awaitScreen(s -> s.contains("Confirm: type 'relay'"));
        assertFalse(detail.contains("${{"), "the detail shows the value, not the template:\n" + detail);
        key(KeyType.ArrowUp);
        key(KeyType.ArrowUp);
        key(KeyType.ArrowUp);
        key('a');
        String dialog = awaitScreen(s -> s.contains("Typed confirmation: switch"));
        String pointer = tmp.resolve("work/pointer").toString();
        assertTrue(dialog.contains("$ echo \"readers=target\" > \"" + pointer + "\""),
                "the dialog says what the gated step will do, resolved:\n" + dialog);
        assertTrue(dialog.contains("Type relay to run step switch"), dialog);
        assertTrue(dialog.contains("Point readers at the target · switch"), "the gated step is selected:\n" + dialog);

        type("Relay");
        key(KeyType.Enter);
        String refused = awaitScreen(s -> s.contains("did not match"));
        assertTrue(refused.contains("Typed confirmation: switch"), "a wrong value keeps the dialog open:\n" + refused);
        assertEquals(StepState.CHECKING, run.snapshot().step("switch").state(), "still waiting for the confirmation");
        assertFalse(Files.readString(tmp.resolve("work/pointer")).contains("target"));

        type("relay");
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ Point readers at the target"));
    }

    @Test
    void thePointOfNoReturnIsMarkedInTheStepListAndItsGoNoGoSaysWhatCanStillBeUndone() throws Exception {
        open("src/test/resources/runbooks/cli/point-of-no-return.yaml", Map.of("work", tmp.resolve("work").toString()), Map.of(), 100, 30);
        String list = screen();
        assertTrue(list.contains("· ⊘ no return: Take writes on the new"), "the marker before the step's title:\n" + list);
        assertFalse(list.contains("no return: Copy the data") || list.contains("no return: Read the writes"), list);
        key(KeyType.ArrowDown);
        key(KeyType.ArrowDown);
        String detail = awaitScreen(s -> s.contains("Confirm: type 'accept-writes'"));
        assertTrue(detail.contains("POINT OF NO RETURN: after accept-writes a rollback cannot"), detail);

        key('a');
        String dialog = awaitScreen(s -> s.contains("Typed confirmation: accept-writes"));
        assertTrue(dialog.contains("POINT OF NO RETURN: after step accept-writes a rollback cannot"), dialog);
        assertTrue(dialog.contains("1 step can still be undone: prepare (run)."), dialog);
        assertTrue(dialog.contains("Type accept-writes to run step accept-writes, then Enter."), dialog);
        type("accept-writes");
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ ⊘ no return: Take writes"));
        assertEquals("writes", Files.readString(tmp.resolve("work/writes")).trim());
    }

    @Test
    void aHaltShowsTheRedBannerWithEvidenceAndAnOverrideIsTypedAndRecorded() throws Exception {
        open("src/test/resources/runbooks/tui/chatty.yaml", Map.of(), Map.of(), 100, 30);
        key(KeyType.Enter);
        String halted = awaitScreen(s -> s.contains("HALTED  step talk"));
        assertTrue(halted.contains("evidence: table kv: source=3 dest=2 MISMATCH"), halted);
        assertTrue(halted.contains("t retry the step   r roll back   o override"), halted);
        assertTrue(halted.contains("■ Print 200 numbered lines"), halted);
        assertEquals(TextColor.ANSI.RED, cellOf("HALTED  step talk").getBackgroundColor());
        assertEquals(TextColor.ANSI.RED, cellAfter("│table kv: source=3 dest=2 MISMATCH").getForegroundColor(),
                "a line matching haltOn is shown in red");
        assertEquals(TextColor.ANSI.RED, cellAfter("│Modify  Task (AWS::ECS::TaskDefinition)  !! REPLACED").getForegroundColor(),
                "a replacement is said loudly");
        assertEquals(TextColor.ANSI.DEFAULT, cellAfter("│line 199").getForegroundColor(), "other lines are not");
        String footer = awaitScreen(s -> s.contains(" t retry  r roll back")).split("\n")[29];
        assertEquals(" t retry  r roll back  o override  q quit", footer.stripTrailing(), "while halted, only the ways on");

        key(KeyType.Enter);
        awaitScreen(s -> s.contains("Retry it (lockstep resume --retry talk)"));
        assertEquals(StepState.HALTED, run.snapshot().step("talk").state(), "Enter does not pass a halt");

        key('o');
        awaitScreen(s -> s.contains("Override the halt of talk"));
        type("tlak");
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("'tlak' did not match"));
        type("talk");
        key(KeyType.Enter);
        awaitScreen(s -> !s.contains("HALTED  step talk") && s.contains("✓ Print 200 numbered lines"));
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ after"));
        assertTrue(Files.readString(new StateDir(tmp.resolve("state")).journal(run.id()))
                .contains("\"type\":\"STEP_OVERRIDDEN\",\"step\":\"talk\""));
    }

    @Test
    void theHaltBannerWrapsItsEvidenceAndFailuresSayWhyInTheDetail() throws Exception {
        open("src/test/resources/runbooks/tui/screen.yaml", Map.of(), Map.of(), 100, 30);
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ Print colours"));
        key(KeyType.Enter);
        String failed = awaitScreen(s -> s.contains("✗ Fail once with a reason"));
        assertTrue(failed.contains("Why: exit 3"), "the failure's cause, in the detail:\n" + failed);
        assertTrue(failed.contains("attempt 1 failed: exit 3"), "each failed attempt:\n" + failed);
        assertTrue(failed.contains("disk full on /data/relay"), "and what the step printed:\n" + failed);
        key('s');
        awaitScreen(s -> s.contains("Skip step flaky"));
        type("known flaky");
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("» Fail once with a reason"));
        key(KeyType.Enter);
        String halted = awaitScreen(s -> s.contains("HALTED  step verify"));
        assertTrue(halted.contains("evidence: table events: source=1000000 target=999999 MISMATCH"), halted);
        assertTrue(halted.contains("tail-end-marker"), "the evidence wraps instead of being cut:\n" + halted);
    }

    @Test
    void rollbackDialogListsExactlyWhatWillRunResolvedAndOneKeyConfirms() throws Exception {
        openDemo(Map.of());
        key('a');
        awaitScreen(s -> s.contains("Typed confirmation: switch"));
        key(KeyType.Escape);
        // The footer offers r only once the engine is idle again: a key pressed while it is busy is answered "wait".
        String before = awaitScreen(s -> s.contains("✓ Verify row counts") && !s.contains("Typed confirmation")
                && s.contains("r roll back"));
        String copyRow = row(before, "✓ Copy the source table");
        key('r');
        String dialog = awaitScreen(s -> s.contains("Roll back run"));
        String work = tmp.resolve("work").toString();
        assertTrue(dialog.indexOf("1. undo copy (succeeded): run") < dialog.indexOf("2. undo prepare (succeeded): run"), dialog);
        assertTrue(dialog.contains("$ rm -f \"" + work + "/target.tsv\""), "the rollback resolved:\n" + dialog);
        assertTrue(dialog.contains("3. runbook rollback action 1 (to run): run"), dialog);
        assertTrue(dialog.contains("No rollback (left as they are): verify"), dialog);
        key('n');
        awaitScreen(s -> !s.contains("Roll back run"));
        assertTrue(Files.exists(tmp.resolve("work")), "cancelled: nothing undone");
        key('r');
        awaitScreen(s -> s.contains("Roll back run"));
        key('y');
        String after = awaitScreen(s -> s.contains("↩ Create the source table") && s.contains("↩ Copy the source table")
                && s.contains("ROLLED-BACK"));
        assertFalse(Files.exists(tmp.resolve("work")));
        assertEquals(RunStatus.ROLLED_BACK, run.snapshot().status());
        assertEquals(copyRow.substring(copyRow.lastIndexOf(' ')), row(after, "↩ Copy the source table").substring(
                row(after, "↩ Copy the source table").lastIndexOf(' ')), "a rolled-back step keeps its own duration");
        assertTrue(after.contains("↩ Runbook rollback (1 action)"), after);
        assertFalse(after.contains("r roll back"), "nothing left to roll back:\n" + after);
    }

    @Test
    void aPendingStepWhoseRollbackNeedsAnEarlierOutputSaysItHasOneAsThePlanDoes() throws Exception {
        open("src/test/resources/runbooks/tui/later-rollback.yaml", Map.of(), Map.of(), 100, 30);
        key('p');
        String plan = awaitScreen(s -> s.contains("Plan (dry run, resolved)") && s.contains("2. drain"));
        assertTrue(plan.contains("rollback: manual (built-in undo)"), plan);
        key(KeyType.Escape);
        awaitScreen(s -> !s.contains("Plan (dry run, resolved)"));
        key(KeyType.ArrowDown);
        String detail = awaitScreen(s -> s.contains("step drain · manual"));
        assertTrue(detail.contains("Rollback: yes"), detail);
    }

    @Test
    void theRunbookRollbackHasARowWithItsOutput() throws Exception {
        open("src/test/resources/runbooks/tui/screen.yaml", Map.of(), Map.of(), 100, 30);
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ Print colours") && s.contains("r roll back"));
        key('r');
        awaitScreen(s -> s.contains("Roll back run"));
        key('y');
        awaitScreen(s -> s.contains("↩ Runbook rollback (1 action)") && s.contains("ROLLED-BACK"));
        key(KeyType.End);
        for (int i = 0; i < 4; i++) key(KeyType.ArrowDown);
        String rows = awaitScreen(s -> s.contains("Logs: _runbook-rollback"));
        assertTrue(rows.contains("[rollback 1] the runbook rollback said this"), rows);
    }

    @Test
    void commandsAreShownWithTheirValuesNextToTheEnvironmentThatRunsThem() throws Exception {
        open("runbooks/demo.yaml", Map.of("workdir", tmp.resolve("work").toString()), Map.of(), 160, 50);
        String work = tmp.resolve("work").toString();
        String s = awaitScreen(t -> t.contains("Will do:"));
        assertTrue(s.contains("$ mkdir -p \"" + work + "\""), "values substituted, for reading:\n" + s);
        assertTrue(s.contains("runs as written here, with the values in its environment"), s);
        assertTrue(s.contains("$ mkdir -p \"${LS_PARAMS_WORKDIR}\""), "the script as it runs:\n" + s);
        assertTrue(s.contains("env LS_PARAMS_WORKDIR=" + work), "the mapping:\n" + s);
    }

    @Test
    void thePlanResolvesOutputsAlreadyProducedAndWrapsLongLines() throws Exception {
        openDemo(Map.of());
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ Create the source table"));
        key('p');
        String plan = awaitScreen(s -> s.contains("Plan (dry run, resolved)") && s.contains("1. prepare  Create the source table"));
        assertTrue(plan.contains("↑↓ j k PgUp PgDn g G scroll"), "the plan has its own footer:\n" + plan);
        String verify = pressUntil(KeyType.PageDown, s -> s.contains("$ if [ \"$dest\" = \"500\" ]"));
        assertFalse(verify.contains("<steps.prepare.outputs.source_rows>"), "prepare's output is known:\n" + verify);
        key(KeyType.Escape);
        key('?');
        String help = awaitScreen(s -> s.contains("Keys") && s.contains("N previous match"));
        assertTrue(help.contains("any other key closes"), help);
    }

    @Test
    void descriptionsRenderMarkdownAndStepOutputKeepsColoursButNoOtherEscapes() throws Exception {
        open("src/test/resources/runbooks/tui/screen.yaml", Map.of(), Map.of(), 120, 40);
        String s = awaitScreen(t -> t.contains("Keeps a*b*c as written"));
        assertTrue(s.contains("and bold loses its stars"), s);
        assertTrue(s.contains("• first item with x*y"), s);
        assertTrue(s.contains("• second item, see the guide (https://example.com/guide)"), s);
        assertTrue(s.contains("  psql -c 'select * from events'"), "code fences as written:\n" + s);
        key(KeyType.Enter);
        String out = awaitScreen(t -> t.contains("✓ Print colours") && t.contains("│数据库迁移完成 migration done"));
        assertEquals(TextColor.ANSI.GREEN, cellAfter("│green text").getForegroundColor(), "a colour code is a colour");
        String logs = out.substring(out.indexOf("Logs: colours"));
        assertFalse(logs.contains("[32m") || logs.contains("[2J") || logs.contains("[0m"), "no escape shows as text:\n" + out);
        assertTrue(out.contains("│no screen clearing here"), out);
        assertTrue(out.contains("│数据库迁移完成 migration done"), "double-width characters take two columns:\n" + out);
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
    void jAndKMoveThroughTheStepsLikeTheArrowsAndGAndShiftGGoToTheFirstAndLast() throws Exception {
        openDemo(Map.of());
        // The detail pane describes the selected step.
        awaitScreen(s -> s.contains("step prepare ·"));
        key('j');
        awaitScreen(s -> s.contains("step copy ·"));
        key('j');
        awaitScreen(s -> s.contains("step verify ·"));
        key('k');
        awaitScreen(s -> s.contains("step copy ·"));
        key('G');
        awaitScreen(s -> s.contains("runs after the steps' own rollbacks"));
        key('g');
        awaitScreen(s -> s.contains("step prepare ·"));

        // In the help they scroll it, which here fits the screen: they leave it open, and the ? after them closes it.
        key('?');
        String help = awaitScreen(s -> s.contains("┌─ Keys") && s.contains("j/k too, and g/G the first/last"));
        assertTrue(help.contains("↑↓ j k PgUp PgDn g G scroll"), help);
        for (char c : "jGgk?j".toCharArray()) key(c);
        awaitScreen(s -> !s.contains("┌─ Keys") && s.contains("step copy ·"));
    }

    @Test
    void jAndKScrollTheLogAndGAndShiftGGoToItsStartAndEnd() throws Exception {
        open("src/test/resources/runbooks/tui/chatty.yaml", Map.of(), Map.of(), 100, 30);
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("HALTED"));
        key('l');
        awaitScreen(s -> s.contains("[following]") && s.contains("line 199"));
        key('g');
        awaitScreen(s -> s.contains("[line 1-"));
        key('j');
        awaitScreen(s -> s.contains("[line 2-"));
        key('j');
        awaitScreen(s -> s.contains("[line 3-"));
        key('k');
        awaitScreen(s -> s.contains("[line 2-"));
        key('G');
        awaitScreen(s -> s.contains("[following]"));
    }

    @Test
    void nFindsTheNextMatchAndShiftNThePrevious() throws Exception {
        open("src/test/resources/runbooks/tui/search.yaml", Map.of(), Map.of(), 100, 30);
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ Print numbered lines"));
        key('l');
        key(KeyType.Home);
        awaitScreen(s -> s.contains("[line 1-"));
        key('/');
        type("marker");
        key(KeyType.Enter);
        String footer = awaitScreen(s -> s.contains("search: marker") && s.contains("marker at 200"));
        assertTrue(footer.contains("n/N next/previous"), footer);
        key('n');
        awaitScreen(s -> s.contains("[line 51-"));
        key('n');
        awaitScreen(s -> s.contains("[line 102-"));
        key('N');
        awaitScreen(s -> s.contains("[line 51-"));
    }

    @Test
    void resizesDownTo80x24AndBelowWithoutLosingTheEssentials() throws Exception {
        openDemo(Map.of());
        vt.setTerminalSize(new TerminalSize(80, 24));
        String small = awaitScreen(s -> repaintedAt(s, 80, 24));
        assertTrue(small.contains("lockstep │") && small.contains("Create the source table") && small.contains("Enter run next"), small);
        assertTrue(small.contains("Will do:"), "80x24 still shows the detail pane:\n" + small);
        vt.setTerminalSize(new TerminalSize(60, 16));
        String smaller = awaitScreen(s -> repaintedAt(s, 60, 16));
        assertTrue(smaller.contains("Create the source table") && smaller.contains("Logs:"), smaller);
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

    /** The downtime before the title in the header, from earlier runs' recorded journals: expected, then counting. */
    @Test
    void theHeaderCountsTheDowntimeAgainstItsWindowWithTheEstimateOfEarlierRuns() throws Exception {
        try (java.util.stream.Stream<Path> runs = Files.list(Path.of("src/test/resources/journals/history"))) {
            for (Path earlier : runs.toList()) {
                Path to = Files.createDirectories(tmp.resolve("state/runs").resolve(earlier.getFileName()));
                Files.copy(earlier.resolve("journal.jsonl"), to.resolve("journal.jsonl"));
            }
        }
        open("src/test/resources/runbooks/downtime/cutover-tight.yaml", Map.of(), Map.of(), 180, 30);
        String before = screen().lines().findFirst().orElseThrow();
        assertTrue(before.contains("lockstep │ downtime ~9m15s (p90 10m55s) of 10m · AT RISK │ A cutover with a downtime window "), before);
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ prepare"));
        key(KeyType.Enter);
        String down = awaitScreen(s -> s.contains("✓ stop-writes")).lines().findFirst().orElseThrow();
        assertTrue(down.matches(".*lockstep │ DOWNTIME [0-9.]+m?s/10m · back ~8m55s \\(p90 10m30s\\) · AT RISK │ A cutover.*"), down);
    }

    /** A step's duration on screen is the journal's: the same when the run is opened again. */
    @Test
    void aFinishedStepsDurationStaysWhenTheRunIsReopened() throws Exception {
        openDemo(Map.of());
        key(KeyType.Enter);
        String live = row(awaitScreen(s -> s.contains("✓ Create the source table")), "✓ Create the source table");
        key('q');
        exit.get(10, TimeUnit.SECONDS);
        reopen();
        String reopened = row(awaitScreen(s -> s.contains("✓ Create the source table")), "✓ Create the source table");
        assertEquals(live, reopened, "the duration did not change");
    }

    @Test
    void quittingLeavesTheRunResumableAndSaysHow() throws Exception {
        openDemo(Map.of());
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("✓ Create the source table"));
        key('?');
        awaitScreen(s -> s.contains("Keys") && s.contains("auto mode"));
        key(KeyType.Escape);
        awaitScreen(s -> !s.contains("auto mode:"));
        key('q');
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        assertEquals(RunStatus.PAUSED, run.snapshot().status());
    }

    /** db.verify's halt: its tables as a table under "Found:", header first and columns aligned, not a dump of keys. */
    @Test
    void aHaltsEvidenceOfTablesIsAnAlignedTableInTheDetail() throws Exception {
        Path source = tmp.resolve("source.db");
        Path target = tmp.resolve("target.db");
        for (Path db : List.of(source, target)) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, content TEXT)");
                st.execute("CREATE TABLE event_tags (id INTEGER PRIMARY KEY, name TEXT)");
                st.execute("CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)");
                st.execute("INSERT INTO events (content) VALUES ('a'), ('b'), ('c')");
                st.execute("INSERT INTO kv VALUES ('x', '1')");
                if (db.equals(source)) st.execute("INSERT INTO events (content) VALUES ('d')");
            }
        }
        open("src/test/resources/runbooks/replay-read-only.yaml", Map.of("source", source.toString(), "target", target.toString()),
                Map.of(), 120, 45);
        key('a');
        String halted = awaitScreen(s -> s.contains("HALTED") && s.contains("Found:"));
        List<String> detail = halted.lines().map(l -> l.substring(l.indexOf('│') + 1)).toList();
        String header = detail.stream().filter(l -> l.startsWith("    table ") && l.contains("verdict")).findFirst()
                .orElseThrow(() -> new AssertionError("a header row:\n" + halted));
        String events = detail.stream().filter(l -> l.startsWith("    events ") && l.contains("MISMATCH")).findFirst()
                .orElseThrow(() -> new AssertionError("a row for events:\n" + halted));
        String kv = detail.stream().filter(l -> l.startsWith("    kv ")).findFirst().orElseThrow(() -> new AssertionError(halted));
        assertEquals(header.indexOf("verdict"), events.indexOf("MISMATCH"), "aligned:\n" + halted);
        assertEquals(header.indexOf("verdict"), kv.indexOf("OK"), "aligned:\n" + halted);
        assertTrue(events.matches(".*events\\s+4\\s+3\\s+MISMATCH.*"), events);
        assertFalse(halted.contains("tables[0]") || halted.contains(".verdict:"), "no flattened keys:\n" + halted);

        // The log pane wraps the table's line for events (longer than the pane) instead of cutting it.
        List<String> logRows = detail.subList(detail.indexOf(detail.stream().filter(l -> l.startsWith(" Logs: verify")).findFirst()
                .orElseThrow()) + 1, detail.size());
        List<String> joined = new ArrayList<>();
        for (String r : logRows) {
            if (r.startsWith("  ") && !joined.isEmpty()) joined.set(joined.size() - 1, joined.get(joined.size() - 1) + r.substring(2));
            else joined.add(r.stripTrailing());
        }
        String eventsLine = joined.stream().filter(l -> l.startsWith("events: source 4, target 3 MISMATCH")).findFirst()
                .orElseThrow(() -> new AssertionError("the line for events:\n" + halted));
        assertTrue(eventsLine.stripTrailing().matches(".*rows compared in .* \\([\\d,]+ rows/s\\)"), "whole, not cut:\n" + halted);
    }

    /**
     * Another driver takes the run over (resume --take-over, here in the same process) while this
     * screen waits at a typed confirmation: the screen turns read-only at once, names who took it,
     * acts on no key, and on q says how the run truly ended: by the other driver's hand.
     */
    @Tag("postgres")
    @ParameterizedTest
    @ValueSource(strings = {"local", "postgres"})
    void aRunTakenOverAtATypedConfirmationTurnsReadOnlyAndQuitsWithTheRunsTrueState(String kind) throws Exception {
        // A long lease, renewed every 30 s: the losing driver learns of the take-over from the taker's write, at once.
        if (kind.equals("postgres")) {
            store = PostgresStore.open(PostgresUrl.parse(TestPostgres.newStateUrl(), Map.of()), Duration.ofSeconds(90));
        }
        openDemo(Map.of());
        key('a');
        awaitScreen(s -> s.contains("Typed confirmation: switch"));
        TuiApp tui = app;
        Run taken = runs().reopen(run.id(), path -> LOADER.load(Path.of(path)),
                (rb, snapshot) -> Params.resolve(rb, Map.of("workdir", tmp.resolve("work").toString()), Map.of(), Map.of(), d -> null),
                new RunListener() { },
                new StateStore.Opening("test --take-over", run.id(), false), false, false, RunPlace.UNRECORDED);
        try {
            Engine other = new Engine(taken, TYPES, LOADER.contexts(), typing("relay"), Settings.of(Map.of()));
            Outcome finished = other.forward();
            assertTrue(finished.ok(), "the new driver finishes the run: " + finished.message());
        } finally {
            taken.close();
        }
        String readOnly = awaitScreen(s -> s.contains("— read-only;"));
        assertTrue(readOnly.contains("taken over by pid " + ProcessHandle.current().pid()), readOnly);
        assertTrue(readOnly.lines().findFirst().orElseThrow().contains("│ TAKEN OVER"), "the header says so too:\n" + readOnly);
        assertFalse(readOnly.contains("Typed confirmation"), "the question is gone:\n" + readOnly);
        assertTrue(readOnly.lines().reduce((a, b) -> b).orElseThrow().strip().equals("q quit"), "only quitting is offered:\n" + readOnly);
        key(KeyType.Enter);
        String after = awaitScreen(s -> s.contains("read-only: this run was taken from this process"));
        assertFalse(after.contains("Typed confirmation"), "Enter opens no confirmation again:\n" + after);
        key('q');
        assertEquals(6, exit.get(10, TimeUnit.SECONDS), "left as a driver whose run was taken (LOCK_HELD)");
        String farewell = tui.farewell();
        assertTrue(farewell.contains("taken over by pid") && farewell.endsWith("its state now: succeeded"), farewell);
        assertFalse(farewell.contains("Continue with"), farewell);
    }

    /** Answers a typed confirmation with {@code text}, and nothing else. */
    private static Operator typing(String text) {
        return new Operator() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public boolean confirm(String question) {
                return false;
            }

            @Override
            public String typed(StepDef step, String prompt, String expected) {
                return text;
            }

            @Override
            public boolean manual(StepDef step, String instructions) {
                return false;
            }

            @Override
            public InDoubtChoice inDoubt(StepDef step, String detail) {
                return null;
            }
        };
    }

    @Test
    void theHeaderSaysTheRunAwaitsAConfirmationInItsOwnColourWhileTheDialogWaits() throws Exception {
        openDemo(Map.of());
        TextColor ready = cellOf("│ READY").getBackgroundColor();
        key('a');
        String gate = awaitScreen(s -> s.contains("Typed confirmation: switch"));
        assertTrue(gate.contains("│ AWAITING CONFIRMATION"), "the run waits for a person, not for a step:\n" + gate);
        assertFalse(gate.contains("│ RUNNING") || gate.contains("running the next step"), gate);
        TextColor awaiting = cellOf("AWAITING CONFIRMATION").getBackgroundColor();
        assertNotEquals(ready, awaiting, "each state has its own colour");
        assertNotEquals(cellOf("lockstep │").getBackgroundColor(), awaiting, "the state cell stands out of the header");
    }

    /** The plan the run waits to have approved at step gated of runbooks/approvals/screen.yaml, once the screen shows it. */
    private String awaitApprovalGate() throws Exception {
        open("src/test/resources/runbooks/approvals/screen.yaml", Map.of(), Map.of(), 100, 30);
        key('a');
        String gate = awaitScreen(s -> s.contains("AWAITING APPROVAL  step gated"));
        assertTrue(gate.contains("│ AWAITING APPROVAL"), "the header says what the run waits for:\n" + gate);
        assertTrue(gate.contains("needs 1 approval from anyone") && gate.contains("Switch traffic to green")
                && gate.contains("$ echo \"switching to green\""), "what is approved, resolved, and by whom:\n" + gate);
        assertTrue(gate.contains("lockstep approve " + run.id() + " gated"), "how to approve:\n" + gate);
        assertTrue(gate.contains("\nstep gated awaits an approval: lockstep approve"), "the status line says how too:\n" + gate);
        return run.snapshot().step("gated").approvalGate().digest();
    }

    @Test
    void aStepAwaitingApprovalShowsItsPlanAndWhoMayApproveThenRunsOnceApproved() throws Exception {
        String digest = awaitApprovalGate();
        run.store().recordApproval(run.id(), "gated", true, digest, "elsewhere", null);
        String done = awaitScreen(s -> s.contains("│ SUCCEEDED"));
        assertFalse(done.contains("AWAITING APPROVAL"), done);
        assertEquals(List.of(run.store().approverIdentity()), run.snapshot().step("gated").approvals().stream()
                .map(a -> a.by()).toList());
    }

    @Test
    void aRejectionTurnsTheGateIntoTheHaltBannerWithTheReason() throws Exception {
        String digest = awaitApprovalGate();
        run.store().recordApproval(run.id(), "gated", false, digest, "elsewhere", "not during the sale");
        String halted = awaitScreen(s -> s.contains("HALTED  step gated"));
        assertTrue(halted.contains("rejected by " + run.store().approverIdentity() + ": not during the sale"), halted);
        assertTrue(halted.contains("from elsewhere"), halted);
        assertFalse(halted.contains("AWAITING APPROVAL"), halted);
    }

    @Test
    void noColorKeepsTheStateCellUncoloured() throws Exception {
        open("runbooks/demo.yaml", Map.of("workdir", tmp.resolve("work").toString()), Map.of("NO_COLOR", "1"), 100, 30);
        assertEquals(TextColor.ANSI.DEFAULT, cellOf("READY").getBackgroundColor());
    }

    @Test
    void theClockStartsWithTheFirstStepAndStopsWhenTheRunEnds() {
        java.time.Instant start = java.time.Instant.parse("2026-01-01T00:00:00Z");
        assertEquals("00:00:00", Renderer.elapsed(null, null), "nothing ran yet: set-up is not the run's time");
        assertEquals("01:02:03", Renderer.elapsed(start, start.plusSeconds(3723)), "a finished run's clock stands still");
    }

    @Test
    void recheckingAFailingPreconditionSaysSoAndNotThatTheStepIsDone() throws Exception {
        open("src/test/resources/runbooks/tui/failing-check.yaml", Map.of(), Map.of(), 100, 30);
        key('c');
        String checked = awaitScreen(s -> s.contains("✗ check 1") && (s.contains("step done") || s.contains("does not hold")));
        assertFalse(checked.contains("step done"), checked);
        assertTrue(checked.contains("1 of 1 precondition of gated does not hold"), checked);
    }

    @Test
    void skippingAHaltedStepIsRefusedBeforeAnyReasonIsAsked() throws Exception {
        open("src/test/resources/runbooks/tui/chatty.yaml", Map.of(), Map.of(), 100, 30);
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("HALTED  step talk"));
        key('s');
        String refused = awaitScreen(s -> s.contains("cannot be skipped"));
        assertFalse(refused.contains("Skip step talk"), "no reason dialog for a skip that will be refused:\n" + refused);
    }

    @Test
    void ctrlCWhileAStepRunsAsksAsQDoes() throws Exception {
        open("src/test/resources/runbooks/tui/slow.yaml", Map.of(), Map.of(), 100, 30);
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("started") && s.contains("│ RUNNING"));
        vt.addInput(new KeyStroke('c', true, false));
        String asked = awaitScreen(s -> s.contains("Quit while a step runs?"));
        assertTrue(asked.contains("Ctrl-C again"), asked);
        assertFalse(exit.isDone(), "a reflex does not stop a step");
        assertEquals(StepState.RUNNING, run.snapshot().step("wait").state());
        key('y');
        exit.get(20, TimeUnit.SECONDS);
        assertEquals(StepState.IN_DOUBT, run.snapshot().step("wait").state());
    }

    @Test
    void rollingBackARunThatSucceededTakesItsIdTyped() throws Exception {
        open("src/test/resources/runbooks/tui/chatty.yaml", Map.of(), Map.of(), 100, 30);
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("HALTED  step talk"));
        key('o');
        awaitScreen(s -> s.contains("Override the halt of talk"));
        type("talk");
        key(KeyType.Enter);
        key('a');
        awaitScreen(s -> s.contains("│ SUCCEEDED") && s.contains("r roll back"));
        key('r');
        String dialog = awaitScreen(s -> s.contains("Roll back run"));
        assertTrue(dialog.contains("Type its id (" + run.id() + ")"), dialog);
        key('y');
        key(KeyType.Enter);
        String refused = awaitScreen(s -> s.contains("'y' did not match"));
        assertEquals(RunStatus.SUCCEEDED, run.snapshot().status(), "y alone undoes nothing:\n" + refused);
        type(run.id());
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("ROLLED-BACK"));
        assertEquals(RunStatus.ROLLED_BACK, run.snapshot().status());
    }

    @Test
    void reopeningARunDoesNothingBeforeAKeyEvenForAStepSafeToRunAgain() throws Exception {
        open("src/test/resources/runbooks/tui/slow.yaml", Map.of(), Map.of(), 100, 30);
        key(KeyType.Enter);
        awaitScreen(s -> s.contains("started") && s.contains("│ RUNNING"));
        key('q');
        awaitScreen(s -> s.contains("Quit while a step runs?"));
        key('y');
        exit.get(20, TimeUnit.SECONDS);
        reopen();
        String reopened = awaitScreen(s -> s.contains("was in flight when the run stopped"));
        assertTrue(reopened.contains("! Wait a while"), reopened);
        assertEquals(StepState.IN_DOUBT, run.snapshot().step("wait").state(), "nothing ran before a key");
    }
}
