package dev.lockstep.tui;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import dev.lockstep.engine.DisplayedState;
import dev.lockstep.engine.Outcome;
import dev.lockstep.engine.StepState;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.StateDir;
import dev.lockstep.spi.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What keys and journal events do to the screen's state, and what they ask of the engine, without a terminal or an engine. */
class TuiUpdateTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    private UiState state;
    private final LogStore logs = new LogStore();
    private long seq;

    @BeforeEach
    void threeSteps() {
        state = new UiState();
        state.runId = "r1";
        state.rows = 30;
        for (String id : List.of("a", "b", "c")) {
            UiState.StepView v = new UiState.StepView();
            v.id = id;
            v.title = "Step " + id;
            state.steps.add(v);
        }
        state.step("b").hasChecks = true;
    }

    @Test
    void enterRunsTheNextStepOneActionAtATime() {
        assertEquals(List.of(new Effect.Submit("running the next step", new Effect.Command.RunNext())), key(Key.of(Key.Type.ENTER)));
        assertEquals("running the next step", state.busy);

        assertEquals(List.of(), key(Key.of(Key.Type.ENTER)));
        assertEquals("busy: running the next step", state.message);

        assertEquals(List.of(), update(new Msg.Finished("running the next step", null)));
        assertNull(state.busy);
        assertEquals("step done; Enter runs the next step", state.message);
    }

    @Test
    void autoModeRunsOnUntilAStepFails() {
        assertEquals(List.of(new Effect.Submit("running the next step", new Effect.Command.RunNext())), key(Key.of('a')));
        assertTrue(state.auto);
        assertEquals(List.of(new Effect.Submit("running the next step", new Effect.Command.RunNext())),
                update(new Msg.Finished("running the next step", null)));

        Outcome failed = new Outcome(ErrorCode.STEP_FAILED, "step b failed");
        assertEquals(List.of(), update(new Msg.Finished("running the next step", failed)));
        assertFalse(state.auto);
        assertEquals(failed, state.lastStop);
        assertEquals("step b failed", state.message);
    }

    @Test
    void skipAsksForAReasonAndSubmitsItWithTheStep() {
        key(Key.of(Key.Type.DOWN));
        assertEquals(List.of(), key(Key.of('s')));
        assertEquals(UiState.Kind.SKIP_REASON, state.overlay.kind);
        assertEquals("Skip step b", state.overlay.title);

        type("not needed");
        assertEquals(List.of(new Effect.Submit("skip b", new Effect.Command.Skip("b", "not needed"))), key(Key.of(Key.Type.ENTER)));
        assertNull(state.overlay);
        assertEquals("skip b", state.busy);
    }

    @Test
    void skipWithoutAReasonSkipsNothing() {
        key(Key.of('s'));
        type("  ");
        assertEquals(List.of(), key(Key.of(Key.Type.ENTER)));
        assertEquals("not skipped: a reason is required", state.message);
        assertNull(state.busy);
    }

    @Test
    void aStepThatSucceededCannotBeSkipped() {
        journal(EventType.STEP_STARTED, "a", new EventData.StepStarted(1, null, null));
        journal(EventType.STEP_SUCCEEDED, "a", new EventData.Succeeded("ok", Map.of(), 5, null));
        state.selected = 0;
        key(Key.of('s'));
        assertNull(state.overlay);
        assertTrue(state.message.startsWith("step a is succeeded: it cannot be skipped"), state.message);
    }

    @Test
    void overrideTakesOnlyTheHaltedStepsIdTyped() {
        key(Key.of('o'));
        assertEquals("no step is halted", state.message);

        journal(EventType.STEP_STARTED, "b", new EventData.StepStarted(1, null, null));
        journal(EventType.STEP_HALTED, "b", new EventData.Halted("3 rows differ", "orders: 3 rows", Map.of("tables", 1)));
        assertEquals(StepState.HALTED, state.step("b").state);
        assertEquals(new UiState.Halt("b", "3 rows differ", "orders: 3 rows"), state.halt);
        assertEquals(List.of("tables: 1"), state.step("b").findings);

        state.selected = 2;
        key(Key.of('o'));
        assertEquals(UiState.Kind.OVERRIDE, state.overlay.kind);
        assertEquals(1, state.selected, "the halted step is shown under the box");

        type("c");
        assertEquals(List.of(), key(Key.of(Key.Type.ENTER)));
        assertNotNull(state.overlay, "a wrong id leaves the box open");
        assertEquals("'c' did not match: type it exactly as shown, or Esc", state.overlay.error);

        type("b");
        assertEquals(List.of(new Effect.Submit("override b", new Effect.Command.Override("b", "b"))), key(Key.of(Key.Type.ENTER)));
        assertNull(state.overlay);
    }

    @Test
    void qQuitsAtOnceWhenNothingRuns() {
        assertEquals(List.of(), key(Key.of('q')));
        assertTrue(state.quit);
    }

    @Test
    void qAsksBeforeStoppingAStepInFlight() {
        key(Key.of(Key.Type.ENTER));
        key(Key.of('q'));
        assertFalse(state.quit);
        assertEquals(UiState.Kind.QUIT, state.overlay.kind);

        key(Key.of('n'));
        assertNull(state.overlay);
        assertFalse(state.quit);

        key(Key.of('q'));
        assertEquals(List.of(new Effect.Interrupt()), key(Key.of('y')));
        assertTrue(state.quit);
    }

    @Test
    void ctrlCQuitsWhenIdleAndAsksOnceWhileAStepRuns() {
        key(Key.of(Key.Type.ENTER));
        assertEquals(List.of(), update(new Msg.Keyed(Key.ctrl('c'), 10_000)));
        UiState.Overlay asking = state.overlay;
        assertEquals(UiState.Kind.QUIT, asking.kind);
        assertFalse(state.quit);

        assertEquals(List.of(new Effect.Answer(asking, null), new Effect.Interrupt()), update(new Msg.Keyed(Key.ctrl('c'), 11_000)));
        assertTrue(state.quit);
    }

    @Test
    void aSecondCtrlCLongAfterTheFirstAsksAgain() {
        key(Key.of(Key.Type.ENTER));
        update(new Msg.Keyed(Key.ctrl('c'), 10_000));
        key(Key.of(Key.Type.ESCAPE));
        assertNull(state.overlay);

        update(new Msg.Keyed(Key.ctrl('c'), 10_000 + TuiUpdate.SECOND_CTRL_C_MS + 1));
        assertFalse(state.quit);
        assertEquals(UiState.Kind.QUIT, state.overlay.kind);
    }

    @Test
    void ctrlCWhenIdleQuits() {
        assertEquals(List.of(), update(new Msg.Keyed(Key.ctrl('c'), 1)));
        assertTrue(state.quit);
    }

    @Test
    void arrowsAndJkMoveTheSelectionWithinTheList() {
        key(Key.of(Key.Type.UP));
        assertEquals(0, state.selected);
        key(Key.of(Key.Type.DOWN));
        key(Key.of('j'));
        key(Key.of('j'));
        assertEquals(2, state.selected);
        key(Key.of('k'));
        assertEquals(1, state.selected);
        key(Key.of('G'));
        assertEquals(2, state.selected);
        key(Key.of('g'));
        assertEquals(0, state.selected);
    }

    @Test
    void withTheLogFocusedArrowsScrollTheLog() {
        for (int i = 0; i < 40; i++) logs.append("a", "line " + i);
        key(Key.of(Key.Type.TAB));
        key(Key.of(Key.Type.UP));
        assertEquals(0, state.selected);
        assertFalse(state.follow);
        assertEquals(29, state.logTop, "one line above the last page of ten");
    }

    @Test
    void aQuestionIsAnsweredYesOrNo() {
        state.auto = true;
        UiState.Overlay confirm = new UiState.Overlay(UiState.Kind.QUESTION_YES_NO, "Confirm", List.of("go?")).about("c");
        update(new Msg.Question(confirm));
        assertFalse(state.auto, "a question stops auto mode");
        assertEquals(2, state.selected);

        assertEquals(List.of(), key(Key.of('x')));
        assertEquals(confirm, state.overlay);
        assertEquals(List.of(new Effect.Answer(confirm, "y")), key(Key.of('Y')));
        assertNull(state.overlay);

        UiState.Overlay again = new UiState.Overlay(UiState.Kind.QUESTION_YES_NO, "Confirm", List.of("go?"));
        update(new Msg.Question(again));
        assertEquals(List.of(new Effect.Answer(again, "n")), key(Key.of(Key.Type.ESCAPE)));
    }

    @Test
    void aWatcherApprovesByTypingTheStepId() {
        watchingAtApprovalOf("b", List.of());
        assertEquals(List.of(), key(Key.of('y')));
        assertEquals(UiState.Kind.APPROVE, state.overlay.kind);
        assertTrue(state.overlay.lines.contains("  run the migration"), state.overlay.lines.toString());

        type("b");
        assertEquals(List.of(new Effect.RecordVerdict("b", true, "0123456789abcdef", null)), key(Key.of(Key.Type.ENTER)));
    }

    @Test
    void aWatcherRejectsWithAReasonThenTheStepId() {
        watchingAtApprovalOf("b", List.of());
        key(Key.of('x'));
        assertEquals(UiState.Kind.REJECT_REASON, state.overlay.kind);
        type("wrong table");
        assertEquals(List.of(), key(Key.of(Key.Type.ENTER)));
        assertEquals(UiState.Kind.REJECT, state.overlay.kind);
        assertTrue(state.overlay.lines.contains("Reason: wrong table"));

        type("b");
        assertEquals(List.of(new Effect.RecordVerdict("b", false, "0123456789abcdef", "wrong table")), key(Key.of(Key.Type.ENTER)));
    }

    @Test
    void aWatcherTheStepDoesNotAllowIsToldWhy() {
        watchingAtApprovalOf("b", List.of("dba"));
        assertEquals(List.of(), key(Key.of('y')));
        assertNull(state.overlay);
        assertEquals("alice may not approve this step: it needs dba", state.message);
    }

    @Test
    void aWatcherCannotRunAnything() {
        state.watching = true;
        assertEquals(List.of(), key(Key.of(Key.Type.ENTER)));
        assertEquals(List.of(), key(Key.of('s')));
        assertNull(state.busy);
        assertNull(state.overlay);
        assertEquals("watching, read-only: the driver of this run decides (q quits the watch)", state.message);
    }

    @Test
    void journalEventsMoveAStepThroughItsStates() {
        journal(EventType.STEP_CHECKING, "b", new EventData.Nothing());
        assertEquals(StepState.CHECKING, state.step("b").state);
        assertEquals(1, state.selected, "the step being checked is shown");

        journal(EventType.CHECK_PASSED, "b", new EventData.CheckResult(0, "table exists", "yes"));
        assertEquals(List.of("✓ check 1 (table exists): yes"), state.step("b").checks);

        journal(EventType.STEP_STARTED, "b", new EventData.StepStarted(1, null, null));
        assertEquals(StepState.RUNNING, state.step("b").state);
        assertEquals(T0.plusSeconds(seq), state.step("b").startedAt);

        journal(EventType.STEP_ATTEMPT_FAILED, "b", new EventData.AttemptFailed(1, "timeout"));
        assertEquals(List.of("attempt 1 failed: timeout"), state.step("b").attempts);

        update(new Msg.Journaled(event(EventType.STEP_SUCCEEDED, "b", new EventData.Succeeded("ok", Map.of("rows", 7), 5, null)),
                Duration.ofSeconds(5)));
        UiState.StepView b = state.step("b");
        assertEquals(StepState.SUCCEEDED, b.state);
        assertEquals(Duration.ofSeconds(5), b.duration);
        assertEquals(Map.of("rows", 7), b.outputs);
        assertTrue(state.step("c").previewStale, "what is still to run is resolved again with the new outputs");
    }

    @Test
    void skippingAFailedStepSaysWhyItWasSkipped() {
        journal(EventType.STEP_STARTED, "a", new EventData.StepStarted(1, null, null));
        journal(EventType.STEP_FAILED, "a", new EventData.Reason("exit 1"));
        assertEquals(StepState.FAILED, state.step("a").state);
        assertEquals("exit 1", state.step("a").reason);
        journal(EventType.STEP_SKIPPED, "a", new EventData.ByReason("bob", "checked by hand"));
        assertEquals(StepState.SKIPPED, state.step("a").state);
        assertEquals("skipped: checked by hand", state.step("a").reason);
    }

    @Test
    void overridingAHaltedStepClearsTheHalt() {
        journal(EventType.STEP_STARTED, "a", new EventData.StepStarted(1, null, null));
        journal(EventType.STEP_HALTED, "a", new EventData.Halted("mismatch", "x", null));
        assertNotNull(state.halt);
        journal(EventType.STEP_OVERRIDDEN, "a", new EventData.Overridden("bob", "a"));
        assertEquals(StepState.SUCCEEDED, state.step("a").state);
        assertNull(state.halt);
    }

    @Test
    void theRunbookRollbackRowFollowsItsActions() {
        UiState.StepView row = new UiState.StepView();
        row.id = StateDir.RUNBOOK_ROLLBACK_LOG;
        row.runbookRollback = true;
        state.steps.add(row);
        journal(EventType.FINAL_ROLLBACK_STARTED, null, new EventData.RunbookAction(0, "drop table"));
        assertEquals(StepState.ROLLING_BACK, row.state);
        assertEquals(3, state.selected);
        journal(EventType.FINAL_ROLLBACK_FAILED, null, new EventData.RunbookActionFailed(0, "no such table"));
        assertEquals(StepState.ROLLBACK_FAILED, row.state);
        assertEquals("action 1 failed: no such table", row.reason);
    }

    @Test
    void rollbackShowsWhatWillRunBeforeItRuns() {
        assertEquals(List.of(), key(Key.of('r')));
        assertEquals("nothing to roll back: no step has done anything that can be undone", state.message);

        runChanged(DisplayedState.HALTED, null, null, true);
        assertEquals(List.of(new Effect.PreviewRollback()), key(Key.of('r')));
        update(new Msg.RollbackPreview(List.of("  a: drop table")));
        assertEquals(UiState.Kind.ROLLBACK, state.overlay.kind);
        assertNull(state.overlay.input, "a run that did not succeed rolls back on y");

        assertEquals(List.of(new Effect.Submit("rolling back", new Effect.Command.Rollback())), key(Key.of('y')));
    }

    @Test
    void rollingBackASucceededRunTakesItsIdTyped() {
        runChanged(DisplayedState.SUCCEEDED, null, null, true);
        key(Key.of('r'));
        update(new Msg.RollbackPreview(List.of()));
        assertEquals("r1", state.overlay.expected);
        assertEquals(List.of(), key(Key.of('y')), "y is only typed into the box");
        key(Key.of(Key.Type.BACKSPACE));
        type("r1");
        assertEquals(List.of(new Effect.Submit("rolling back", new Effect.Command.Rollback())), key(Key.of(Key.Type.ENTER)));
    }

    @Test
    void recheckIsOnlyOfferedForAStepWithPreconditions() {
        assertEquals(List.of(), key(Key.of('c')));
        assertEquals("step a has no preconditions", state.message);
        key(Key.of(Key.Type.DOWN));
        assertEquals(List.of(new Effect.Submit("checking b", new Effect.Command.Recheck("b"))), key(Key.of('c')));
    }

    @Test
    void aRunTakenOverLeavesOnlyQuitting() {
        UiState.Overlay confirm = new UiState.Overlay(UiState.Kind.QUESTION_YES_NO, "Confirm", List.of("go?"));
        update(new Msg.Question(confirm));
        assertEquals(List.of(new Effect.Answer(confirm, null)), update(new Msg.TakenOver("bob on host2", T0)));
        assertNull(state.overlay);

        assertEquals(List.of(), key(Key.of(Key.Type.ENTER)));
        assertEquals("read-only: this run was taken from this process (q quits)", state.message);
        key(Key.of('q'));
        assertTrue(state.quit);
    }

    @Test
    void thePlanBoxShowsThePlanWhenItIsReady() {
        assertEquals(List.of(new Effect.ComputePlan()), key(Key.of('p')));
        assertEquals(List.of("computing…"), state.overlay.lines);
        update(new Msg.PlanReady(List.of("1. a", "2. b")));
        assertEquals(List.of("1. a", "2. b"), state.overlay.lines);
    }

    @Test
    void theUpdateTouchesNoTerminalEngineStoreOrThread() {
        noClasses().that().haveNameMatching("dev\\.lockstep\\.tui\\.(TuiUpdate|Msg|Effect|Key)(\\$.*)?")
                .should().dependOnClassesThat().resideInAnyPackage("com.googlecode.lanterna..", "dev.lockstep.store..",
                        "java.util.concurrent..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.lockstep.engine.Engine")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.lockstep.engine.Run")
                .orShould().dependOnClassesThat().haveFullyQualifiedName(Thread.class.getName())
                .check(new ClassFileImporter().importPackages("dev.lockstep.tui"));
    }

    private void watchingAtApprovalOf(String step, List<String> from) {
        state.watching = true;
        state.approverIdentity = "alice";
        EventData.Awaiting gate = new EventData.Awaiting(EventData.Awaiting.APPROVAL, List.of("run the migration"),
                "0123456789abcdef", 1, from, false, "carol", null);
        runChanged(DisplayedState.AWAITING_APPROVAL, step, gate, false);
    }

    private void runChanged(DisplayedState shown, String gateStep, EventData.Awaiting approval, boolean canRollback) {
        update(new Msg.RunChanged(shown, gateStep, approval, T0, null, shown.isFinished(), canRollback));
        assertEquals(shown, state.runState);
    }

    private void type(String text) {
        for (char c : text.toCharArray()) assertEquals(List.of(), key(Key.of(c)));
    }

    private void journal(EventType type, String step, EventData data) {
        update(new Msg.Journaled(event(type, step, data), null));
    }

    private Event event(EventType type, String step, EventData data) {
        seq++;
        return new Event(seq, T0.plusSeconds(seq), type, step, data);
    }

    private List<Effect> key(Key k) {
        return update(new Msg.Keyed(k, 0));
    }

    private List<Effect> update(Msg m) {
        return TuiUpdate.update(state, logs, m);
    }
}
