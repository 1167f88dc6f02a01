package dev.lockstep.engine;

import static dev.lockstep.engine.StepState.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.TestPostgres;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Journal;
import dev.lockstep.journal.StateDir;
import dev.lockstep.plugin.StepTypes;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.Settings;
import dev.lockstep.store.LocalStore;
import dev.lockstep.store.PostgresStore;
import dev.lockstep.store.PostgresUrl;
import dev.lockstep.store.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Replays journals recorded from real runs of runbooks/replay.yaml (some cut short
 * where a crash would cut them) and checks the state they rebuild and what resuming does,
 * in both stores: the local directory and PostgreSQL (the journal brought there by state copy).
 */
@Tag("postgres")
class ReplayTest {
    private static final Path JOURNALS = Path.of("src/test/resources/journals");
    private static final Path RUNBOOK = Path.of("src/test/resources/runbooks/replay.yaml");
    /** Recorded for crashed-in-verify: a run cut short while its read-only db.verify step ran. */
    private static final Path READ_ONLY_RUNBOOK = Path.of("src/test/resources/runbooks/replay-read-only.yaml");
    private final StepTypes types = StepTypes.discover();
    private final RunbookLoader loader = new RunbookLoader(types);

    @TempDir
    Path tmp;

    private StateStore store;

    /** The stores every run can live in; each test that takes one runs once per store. */
    enum Store { LOCAL, POSTGRES }

    @AfterEach
    void closeStore() {
        if (store != null) store.close();
    }

    /** A store of this kind holding the recorded journal {@code name}. */
    private StateStore holding(Store kind, String name) throws IOException {
        StateDir recorded = new StateDir(tmp.resolve(kind == Store.LOCAL ? "state" : "recorded"));
        Files.createDirectories(recorded.runDir(name));
        Files.copy(JOURNALS.resolve(name + ".jsonl"), recorded.journal(name));
        LocalStore local = new LocalStore(recorded);
        if (kind == Store.LOCAL) {
            store = local;
        } else {
            store = PostgresStore.open(PostgresUrl.parse(TestPostgres.newStateUrl(), Map.of()), Duration.ofSeconds(30));
            StateCopy.copy(local, store, name, "test");
        }
        return store;
    }

    private RunSnapshot replay(Store kind, String name) throws IOException {
        return new Runs(holding(kind, name), "test").read(name);
    }

    private static Map<String, StepState> states(RunSnapshot s) {
        Map<String, StepState> out = new LinkedHashMap<>();
        s.steps().forEach((id, r) -> out.put(id, r.state()));
        return out;
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void completeRunReplaysToSucceeded(Store kind) throws IOException {
        RunSnapshot s = replay(kind, "complete");
        assertEquals(RunStatus.SUCCEEDED, s.status());
        assertEquals(Map.of("first", SUCCEEDED, "idem", SUCCEEDED, "once", SUCCEEDED, "verdict", SUCCEEDED), states(s));
        assertEquals("first", s.step("first").outputs().get("said"));
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void haltedRunKeepsItsEvidence(Store kind) throws IOException {
        RunSnapshot s = replay(kind, "halted");
        assertEquals(RunStatus.HALTED, s.status());
        assertEquals(HALTED, s.step("verdict").state());
        assertTrue(s.step("verdict").notes().get(0).contains("haltOn /MISMATCH/"));
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void crashMidStepReplaysAsRunningWithItsProcessId(Store kind) throws IOException {
        RunSnapshot s = replay(kind, "crashed-in-once");
        assertEquals(RunStatus.IN_DOUBT, s.status());
        assertEquals(RUNNING, s.step("once").state());
        assertEquals(PENDING, s.step("verdict").state());
        assertTrue(s.step("once").externalIds().containsKey("pid"));
    }

    @Test
    void tornLastRecordIsIgnoredWithAWarningAndCutOffBeforeAppending() throws IOException {
        Journal read = Journal.read(JOURNALS.resolve("torn-tail.jsonl"));
        assertEquals(Journal.read(JOURNALS.resolve("crashed-in-once.jsonl")).events().size(), read.events().size());
        assertEquals(1, read.warnings().size());
        assertTrue(read.warnings().get(0).contains("ignored a torn last record"), read.warnings().get(0));

        Path copy = tmp.resolve("journal.jsonl");
        Files.copy(JOURNALS.resolve("torn-tail.jsonl"), copy);
        try (Journal j = Journal.openForAppend(copy, tmp.resolve("driver"), "test", "torn")) {
            j.append(EventType.STEP_IN_DOUBT, "once", new EventData.Reason("test"));
        }
        Journal again = Journal.read(copy);
        assertTrue(again.warnings().isEmpty(), "the torn bytes were cut off: " + again.warnings());
        assertEquals(IN_DOUBT, RunSnapshot.replay("torn", "torn", again.events()).step("once").state());
    }

    @Test
    void damageBeforeTheLastRecordIsRefused() {
        LockstepException e = assertThrows(LockstepException.class, () -> Journal.read(JOURNALS.resolve("tampered.jsonl")));
        assertEquals(ErrorCode.STATE_CORRUPT, e.code());
        assertTrue(e.getMessage().contains("tampered.jsonl:3:"), e.getMessage());
    }

    @Test
    void anEventTheStateMachineForbidsIsRefusedOnReplay() {
        List<Event> events = new ArrayList<>(Journal.read(JOURNALS.resolve("complete.jsonl")).events().subList(0, 4));
        Event succeeded = events.get(3);
        events.add(new Event(events.size() + 1, succeeded.time(), EventType.STEP_STARTED, "first",
                new EventData.StepStarted(2, List.of(), List.of())));
        LockstepException e = assertThrows(LockstepException.class, () -> RunSnapshot.replay("x", "x", events));
        assertEquals(ErrorCode.STATE_CORRUPT, e.code());
        assertTrue(e.getMessage().contains("STEP_STARTED is not possible for step first in state succeeded"), e.getMessage());
    }

    /** Puts a recorded journal into a fresh store and resumes it with flags standing in for the operator. */
    private Outcome resume(Store kind, String name, Set<String> rerun, Set<String> markDone) throws IOException {
        return resume(kind, name, RUNBOOK, Map.of(), rerun, markDone);
    }

    /** As above, for a journal recorded from {@code runbookFile} with these parameter values. */
    private Outcome resume(Store kind, String name, Path runbookFile, Map<String, String> params, Set<String> rerun,
                           Set<String> markDone) throws IOException {
        Runs runs = new Runs(holding(kind, name), "test");
        Runbook runbook = loader.load(runbookFile);
        try (Run run = runs.reopen(name, p -> runbook,
                (rb, snap) -> Params.resolve(rb, params, Map.of(), Map.of(), d -> null),
                new RunListener() { }, "test", false, false)) {
            return new Engine(run, types, loader.contexts(), new TestOperator(rerun, markDone), Settings.of(Map.of())).forward();
        }
    }

    private RunSnapshot after(String name) {
        return new Runs(store, "test").read(name);
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void idempotentStepInFlightIsRunAgainOnResume(Store kind) throws IOException {
        Outcome o = resume(kind, "crashed-in-idem", Set.of(), Set.of());
        assertTrue(o.ok(), o.message());
        List<EventType> idem = after("crashed-in-idem").events().stream().filter(e -> "idem".equals(e.step()))
                .map(Event::type).toList();
        assertEquals(List.of(EventType.STEP_STARTED, EventType.STEP_EXTERNAL_ID, EventType.STEP_IN_DOUBT,
                EventType.STEP_STARTED, EventType.STEP_EXTERNAL_ID, EventType.STEP_SUCCEEDED), idem);
        assertEquals(1, after("crashed-in-idem").events().stream()
                .filter(e -> e.type() == EventType.STEP_STARTED && "first".equals(e.step())).count(),
                "the completed step is not run again");
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void nonIdempotentStepInFlightWaitsForTheOperator(Store kind) throws IOException {
        Outcome o = resume(kind, "crashed-in-once", Set.of(), Set.of());
        assertEquals(ErrorCode.NEEDS_OPERATOR, o.code());
        assertTrue(o.message().matches("(?s).*`lockstep resume \\S+ --rerun once` or `lockstep resume \\S+ --mark-done once` "
                + "\\(or --skip once --reason WHY\\).*"), o.message());
        RunSnapshot s = after("crashed-in-once");
        assertEquals(IN_DOUBT, s.step("once").state());
        assertEquals(PENDING, s.step("verdict").state(), "nothing after an undecided step runs");
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void readOnlyStepInFlightIsRunAgainWithoutAsking(Store kind) throws Exception {
        Map<String, String> databases = new LinkedHashMap<>();
        for (String side : List.of("source", "target")) {
            Path db = tmp.resolve(side + ".db");
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kv (id INTEGER PRIMARY KEY, v TEXT)");
                s.execute("INSERT INTO kv VALUES (1, 'v1'), (2, 'v2'), (3, 'v3')");
            }
            databases.put(side, db.toString());
        }
        // No operator answers: db.verify changes nothing, so lockstep must not ask.
        Outcome o = resume(kind, "crashed-in-verify", READ_ONLY_RUNBOOK, databases, Set.of(), Set.of());
        assertTrue(o.ok(), o.message());
        RunSnapshot s = after("crashed-in-verify");
        List<EventType> verify = s.events().stream().filter(e -> "verify".equals(e.step())).map(Event::type).toList();
        assertEquals(List.of(EventType.STEP_STARTED, EventType.STEP_IN_DOUBT, EventType.STEP_STARTED, EventType.STEP_SUCCEEDED), verify);
        assertEquals(SUCCEEDED, s.step("after").state());
        assertEquals(1, s.events().stream().filter(e -> e.type() == EventType.STEP_STARTED && "first".equals(e.step())).count(),
                "the completed step is not run again");
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void operatorMarksAnInDoubtStepDoneAndTheRunGoesOn(Store kind) throws IOException {
        Outcome o = resume(kind, "crashed-in-once", Set.of(), Set.of("once"));
        assertTrue(o.ok(), o.message());
        RunSnapshot s = after("crashed-in-once");
        assertEquals(SUCCEEDED, s.step("once").state());
        assertEquals(1, s.step("once").attempts(), "marked done, not run again");
        assertEquals(SUCCEEDED, s.step("verdict").state());
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void haltedRunDoesNotMoveOnByItself(Store kind) throws IOException {
        Outcome o = resume(kind, "halted", Set.of(), Set.of());
        assertEquals(ErrorCode.HALTED, o.code());
        assertTrue(o.message().contains("--override verdict=verdict"), o.message());
    }

    @Test
    void everyTransitionInTheTableLeadsSomewhereReachable() {
        for (StepState from : StepState.values()) {
            for (Map.Entry<EventType, StepState> t : StepStateMachine.from(from).entrySet()) {
                assertTrue(from == PENDING || reachable(from), from + " is not reachable from pending");
                assertTrue(StepStateMachine.next(from, t.getKey()).isPresent());
            }
        }
        assertTrue(StepStateMachine.from(SKIPPED).isEmpty(), "skipped is final");
        assertTrue(StepStateMachine.from(ROLLED_BACK).isEmpty(), "rolled back is final");
        assertTrue(StepStateMachine.next(SUCCEEDED, EventType.STEP_STARTED).isEmpty(), "a succeeded step never starts again");
        assertNull(StepStateMachine.next(HALTED, EventType.STEP_STARTED).orElse(null), "a halt needs retry or override first");
    }

    @Test
    void everyRunPhaseIsReachableAndTheEndsAreFinal() {
        java.util.Set<RunStateMachine.Phase> seen = java.util.EnumSet.of(RunStateMachine.Phase.NEW);
        List<RunStateMachine.Phase> frontier = new ArrayList<>(seen);
        while (!frontier.isEmpty()) {
            RunStateMachine.Phase p = frontier.remove(0);
            for (EventType e : RunStateMachine.from(p)) {
                RunStateMachine.Phase n = RunStateMachine.next(p, e).orElseThrow();
                if (seen.add(n)) frontier.add(n);
            }
        }
        assertEquals(java.util.EnumSet.allOf(RunStateMachine.Phase.class), seen);
        assertTrue(RunStateMachine.from(RunStateMachine.Phase.ROLLED_BACK).isEmpty(), "rolled back is final");
        assertTrue(RunStateMachine.from(RunStateMachine.Phase.ABANDONED).isEmpty(), "abandoned is final");
        assertTrue(RunStateMachine.next(RunStateMachine.Phase.SUCCEEDED, EventType.STEP_STARTED).isEmpty(),
                "a finished run starts no step");
        assertTrue(RunStateMachine.next(RunStateMachine.Phase.ACTIVE, EventType.STEP_ROLLBACK_STARTED).isEmpty(),
                "a step is rolled back only inside a rollback");
    }

    private static boolean reachable(StepState target) {
        List<StepState> frontier = new ArrayList<>(List.of(PENDING));
        java.util.Set<StepState> seen = new java.util.HashSet<>(frontier);
        while (!frontier.isEmpty()) {
            StepState s = frontier.remove(0);
            for (StepState n : StepStateMachine.from(s).values()) if (seen.add(n)) frontier.add(n);
        }
        return seen.contains(target);
    }
}
