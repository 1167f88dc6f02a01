package dev.lockstep.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.StateDir;
import dev.lockstep.plugin.StepTypes;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.Settings;
import dev.lockstep.store.LocalStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's paths on a scripted step type, in memory: retry, a failure the operator retries or skips, a halt
 * overridden by typing the step id, a timeout, Ctrl-C leaving a step in doubt, and rollback last-first. No shell,
 * no process: each case says exactly what was asked of the step type and what the journal holds.
 */
class ScriptedEngineTest {
    @TempDir
    Path tmp;

    private final ScriptedStep scripted = new ScriptedStep();
    private final StepTypes types = StepTypes.discover().with(scripted);
    private final RunbookLoader loader = new RunbookLoader(types);
    private LocalStore store;
    private Run run;

    @AfterEach
    void close() {
        if (run != null) run.close();
        if (store != null) store.close();
    }

    private Engine engine(String steps) throws IOException {
        Path file = tmp.resolve("scripted.yaml");
        Files.writeString(file, "lockstep: 1\nname: scripted\nsteps:\n" + steps);
        Runbook runbook = loader.load(file);
        store = new LocalStore(new StateDir(tmp.resolve("state")));
        run = new Runs(store, "test").start(runbook, Params.resolve(runbook, Map.of(), Map.of(), Map.of(), d -> null),
                new RunListener() { }, "test", false);
        return new Engine(run, types, loader.contexts(), new TestOperator(Set.of(), Set.of(), true), Settings.of(Map.of()));
    }

    private List<EventType> events(String step) {
        return run.snapshot().events().stream().filter(e -> step.equals(e.step())).map(Event::type).toList();
    }

    @Test
    void aFailedAttemptIsRetriedUntilTheStepSucceeds() throws IOException {
        Outcome o = engine("  - { id: flaky, uses: scripted, with: { outcomes: [fail, throw, ok] }, retry: { attempts: 3, delay: 0s } }\n")
                .forward();
        assertTrue(o.ok(), o.message());
        assertEquals(List.of("execute flaky #1", "execute flaky #2", "execute flaky #3"), scripted.asked());
        assertEquals(List.of(EventType.STEP_STARTED, EventType.STEP_ATTEMPT_FAILED, EventType.STEP_ATTEMPT_FAILED,
                EventType.STEP_SUCCEEDED), events("flaky").subList(events("flaky").indexOf(EventType.STEP_STARTED),
                events("flaky").size()));
        assertEquals(StepState.SUCCEEDED, run.snapshot().step("flaky").state());
    }

    @Test
    void aStepThatFailsStopsTheRunUntilItIsRetriedOrSkipped() throws IOException {
        Engine engine = engine("""
                  - { id: first, uses: scripted, with: { outcomes: [fail, ok] } }
                  - { id: second, uses: scripted, with: { outcomes: [fail] } }
                  - { id: third, uses: scripted, with: { outcomes: [ok] } }
                """);
        Outcome o = engine.forward();
        assertEquals(ErrorCode.STEP_FAILED, o.code(), o.message());
        assertEquals(StepState.FAILED, run.snapshot().step("first").state());
        engine.retry("first");
        o = engine.forward();
        assertEquals(ErrorCode.STEP_FAILED, o.code(), o.message());
        assertEquals(StepState.FAILED, run.snapshot().step("second").state());
        engine.skip("second", "done by hand");
        assertTrue(engine.forward().ok());
        assertEquals(List.of("execute first #1", "execute first #2", "execute second #1", "execute third #1"), scripted.asked());
        assertEquals(StepState.SKIPPED, run.snapshot().step("second").state());
    }

    @Test
    void aHaltIsOverriddenOnlyByTypingTheStepId() throws IOException {
        Engine engine = engine("  - { id: guard, uses: scripted, with: { outcomes: [halt] } }\n"
                + "  - { id: after, uses: scripted, with: { outcomes: [ok] } }\n");
        Outcome o = engine.forward();
        assertEquals(ErrorCode.HALTED, o.code(), o.message());
        assertTrue(o.message().contains("halted as scripted"), o.message());
        assertEquals(StepState.HALTED, run.snapshot().step("guard").state());
        LockstepException mistyped = assertThrows(LockstepException.class, () -> engine.override("guard", "gaurd"));
        assertTrue(mistyped.getMessage().contains("type its id exactly"), mistyped.getMessage());
        assertEquals(StepState.HALTED, run.snapshot().step("guard").state(), "a mistyped id overrides nothing");
        engine.override("guard", "guard");
        assertTrue(engine.forward().ok());
        assertEquals(List.of("execute guard #1", "execute after #1"), scripted.asked(), "an override does not run the step again");
        assertTrue(events("guard").contains(EventType.STEP_OVERRIDDEN));
    }

    @Test
    void anAttemptThatOutlivesItsTimeoutFails() throws IOException {
        Outcome o = engine("  - { id: slow, uses: scripted, with: { outcomes: [hang] }, timeout: 200ms }\n").forward();
        assertEquals(ErrorCode.STEP_FAILED, o.code(), o.message());
        assertTrue(o.message().contains("timed out after 200ms"), o.message());
    }

    @Test
    void ctrlCLeavesTheStepInFlightInDoubt() throws Exception {
        Engine engine = engine("  - { id: long, uses: scripted, with: { outcomes: [hang, ok] } }\n");
        CompletableFuture<Outcome> forward = new CompletableFuture<>();
        Thread engineThread = new Thread(() -> forward.complete(engine.forward()));
        engineThread.start();
        while (run.snapshot().step("long").state() != StepState.RUNNING) Thread.sleep(10);
        engine.interrupt(engineThread);
        Outcome o = forward.get(30, TimeUnit.SECONDS);
        assertEquals(ErrorCode.INTERRUPTED, o.code(), o.message());
        assertEquals(StepState.IN_DOUBT, run.snapshot().step("long").state());
        assertTrue(events("long").contains(EventType.STEP_IN_DOUBT));
    }

    /** A take-over stops the driver without knowing its thread; asked as the step starts, the stop must not be lost. */
    @Test
    void aStopAskedAsTheStepStartsIsNotLost() throws Exception {
        Engine engine = engine("  - { id: long, uses: scripted, with: { outcomes: [hang, ok] } }\n");
        CompletableFuture<Outcome> forward = CompletableFuture.supplyAsync(engine::forward);
        while (run.snapshot().step("long").state() != StepState.RUNNING) Thread.onSpinWait();
        engine.interrupt(null);
        Outcome o = forward.get(30, TimeUnit.SECONDS);
        assertEquals(ErrorCode.INTERRUPTED, o.code(), o.message());
        assertEquals(StepState.IN_DOUBT, run.snapshot().step("long").state());
    }

    @Test
    void rollbackUndoesWhatRanLastFirst() throws IOException {
        Engine engine = engine("""
                  - { id: a, uses: scripted, with: { outcomes: [ok] } }
                  - { id: b, uses: scripted, with: { outcomes: [ok] } }
                  - { id: c, uses: scripted, with: { outcomes: [halt] } }
                """);
        assertEquals(ErrorCode.HALTED, engine.forward().code());
        Outcome o = engine.rollback();
        assertTrue(o.ok(), o.message());
        assertEquals(List.of("execute a #1", "execute b #1", "execute c #1", "rollback c", "rollback b", "rollback a"),
                scripted.asked(), "a halted step ran, so it is undone too");
        assertTrue(events("c").contains(EventType.STEP_ROLLBACK_SUCCEEDED));
    }
}
