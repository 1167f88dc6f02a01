package dev.lockstep.team;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepProcess;
import dev.lockstep.TestPostgres;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lease on the PostgreSQL store, with real lockstep processes playing operators on different
 * machines ($LOCKSTEP_HOST): one driver at a time, a refusal names it, a dead driver's lease
 * expires and the run is resumed elsewhere exactly where it stopped, and a live one is taken only
 * on a typed confirmation, after which the old driver stops at its next append.
 */
@Tag("postgres")
@Tag("process")
class LeaseTest {
    private static final String TEAM = SharedStoreTest.TEAM;
    private static final List<String> EFFECTS = List.of("one", "slow-start", "slow-end", "idem", "last");

    @TempDir
    Path tmp;

    private Path effects;

    private Process run(String url, String host, String pause, Path log) throws Exception {
        return run(url, Team.on(host), pause, log);
    }

    private Process run(String url, java.util.Map<String, String> env, String pause, Path log) throws Exception {
        effects = tmp.resolve("effects");
        if (!Files.exists(effects)) Files.createFile(effects);
        return LockstepProcess.start(log, env, "run", TEAM, "--no-tui", "--state", url, "-p", "effects=" + effects,
                "-p", "pause=" + pause);
    }

    private int resume(String url, String host, Path log, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("resume", "--no-tui", "--state", url));
        args.addAll(List.of(more));
        return LockstepProcess.run(log, Team.on(host), args.toArray(String[]::new));
    }

    private void assertEveryEffectOnce() throws Exception {
        List<String> lines = Files.readAllLines(effects);
        for (String e : EFFECTS) assertEquals(1, lines.stream().filter(e::equals).count(), e + " in " + lines);
    }

    @Test
    void ofTwoDriversExactlyOneProceedsAndTheOtherNamesIt() throws Exception {
        String url = TestPostgres.newStateUrl();
        List<Process> starts = new ArrayList<>();
        for (int i = 0; i < 4; i++) starts.add(run(url, "host-" + i, "10", tmp.resolve("start-" + i + ".log")));
        String runId = Team.awaitEvent(url, "STEP_STARTED", "slow", null, null);
        long winner = Team.events(url, runId).get(0).data(EventData.RunStarted.class).pid();
        int refused = 0;
        for (int i = 0; i < starts.size(); i++) {
            if (starts.get(i).pid() == winner) continue;
            Path log = tmp.resolve("start-" + i + ".log");
            assertEquals(6, Team.exit(starts.get(i), log), Team.read(log));
            assertTrue(Team.read(log).contains("pid " + winner + " on host-"), "names the driver: " + Team.read(log));
            refused++;
        }
        assertEquals(3, refused);

        Path resumed = tmp.resolve("resume.log");
        assertEquals(6, resume(url, "host-b", resumed, runId), Team.read(resumed));
        assertTrue(Team.read(resumed).contains("is being driven by pid " + winner + " on host-")
                && Team.read(resumed).contains("lease renewed"), Team.read(resumed));

        Process driver = starts.stream().filter(p -> p.pid() == winner).findFirst().orElseThrow();
        int i = starts.indexOf(driver);
        assertEquals(0, Team.exit(driver, tmp.resolve("start-" + i + ".log")), Team.read(tmp.resolve("start-" + i + ".log")));
        assertEveryEffectOnce();
        assertEquals(1, Team.events(url, runId).stream().filter(e -> e.type() == EventType.RUN_STARTED).count());
    }

    @Test
    void aKilledDriversRunIsResumedOnAnotherMachineOnceItsLeaseExpires() throws Exception {
        String url = TestPostgres.newStateUrl();
        Path first = tmp.resolve("first.log");
        // A lease long enough that the first resume, a new JVM, surely finds it alive.
        Process driver = run(url, Team.on("host-a", "10"), "3", first);
        String runId = Team.awaitEvent(url, "STEP_STARTED", "slow", driver, first);
        Team.await("slow to start", () -> Team.read(effects).contains("slow-start"));
        driver.destroyForcibly().waitFor();

        Path early = tmp.resolve("early.log");
        assertEquals(6, resume(url, "host-b", early, runId), "the lease outlives its holder for a while: " + Team.read(early));
        assertTrue(Team.read(early).contains("pid " + driver.pid() + " on host-a"), Team.read(early));

        Team.awaitNoOrphans(runId, "slow");
        Team.await("the lease to expire", () -> {
            try {
                return Team.read(show(url, runId)).contains("lease expired");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        Path second = tmp.resolve("second.log");
        assertEquals(7, resume(url, "host-b", second), "the in-doubt step goes to the operator: " + Team.read(second));
        assertTrue(Team.read(second).contains("step slow was in flight"), Team.read(second));
        Path third = tmp.resolve("third.log");
        String decision = Team.read(effects).contains("slow-end") ? "--mark-done" : "--rerun";
        assertEquals(0, resume(url, "host-b", third, decision, "slow"), Team.read(third));
        if (decision.equals("--mark-done")) assertEveryEffectOnce();
        assertEquals(1, Files.readAllLines(effects).stream().filter("one"::equals).count(), "the finished step never runs again");

        List<Event> events = Team.events(url, runId);
        EventData.RunResumed taken = events.stream().filter(e -> e.type() == EventType.RUN_RESUMED).findFirst().orElseThrow()
                .data(EventData.RunResumed.class);
        assertEquals("host-b", taken.host());
        assertTrue(taken.tookOver().startsWith("the expired lease of pid " + driver.pid() + " on host-a"), taken.tookOver());
        assertTrue(events.stream().anyMatch(e -> e.type() == EventType.STEP_IN_DOUBT && "slow".equals(e.step())));
    }

    private Path show(String url, String runId) throws Exception {
        Path log = tmp.resolve("lock-show.log");
        Files.deleteIfExists(log);
        assertEquals(0, LockstepProcess.run(log, Team.on("host-b"), "lock", "show", runId, "--state", url), Team.read(log));
        return log;
    }

    @Test
    void aLiveDriverIsTakenOverOnlyOnATypedConfirmationAndStopsAtOnce() throws Exception {
        String url = TestPostgres.newStateUrl();
        Path first = tmp.resolve("first.log");
        Process driver = run(url, "host-a", "10", first);
        String runId = Team.awaitEvent(url, "STEP_STARTED", "slow", driver, first);

        Path mistyped = tmp.resolve("mistyped.log");
        assertEquals(2, resume(url, "host-b", mistyped, runId, "--take-over", "not-" + runId), Team.read(mistyped));
        assertTrue(Team.read(mistyped).contains("type its run id exactly (--take-over " + runId + ")"), Team.read(mistyped));

        Path taken = tmp.resolve("taken.log");
        int exit = resume(url, "host-b", taken, runId, "--take-over", runId);
        assertEquals(7, exit, "the step in flight is in doubt, its process still running here: " + Team.read(taken));
        assertTrue(Team.read(taken).contains("taking over the live lease of pid " + driver.pid() + " on host-a"), Team.read(taken));

        assertEquals(6, Team.exit(driver, first), "the old driver stops as soon as its lease says so: " + Team.read(first));
        assertTrue(Team.read(first).contains("was taken over by pid"), Team.read(first));
        List<String> done = Files.readAllLines(effects);
        assertFalse(done.contains("slow-end"), "its step in flight was stopped, not left to act: " + done);
        assertFalse(done.contains("idem"), "it stopped before its next effect: " + done);

        Team.awaitNoOrphans(runId, "slow");
        Path last = tmp.resolve("last.log");
        assertEquals(0, resume(url, "host-b", last, "--rerun", "slow"), Team.read(last));
        List<String> lines = Files.readAllLines(effects);
        for (String e : List.of("one", "slow-end", "idem", "last")) {
            assertEquals(1, lines.stream().filter(e::equals).count(), e + " in " + lines);
        }
        EventData.RunResumed r = Team.events(url, runId).stream().filter(e -> e.type() == EventType.RUN_RESUMED).findFirst()
                .orElseThrow().data(EventData.RunResumed.class);
        assertTrue(r.tookOver().contains("on typed confirmation"), r.tookOver());
    }

    @Test
    void breakingALiveLockNeedsTheRunIdAndIsRecorded() throws Exception {
        String url = TestPostgres.newStateUrl();
        Path first = tmp.resolve("first.log");
        Process driver = run(url, "host-a", "10", first);
        String runId = Team.awaitEvent(url, "STEP_STARTED", "slow", driver, first);

        Path refused = tmp.resolve("refused.log");
        assertEquals(7, LockstepProcess.run(refused, Team.on("host-b"), "lock", "break", runId, "--state", url), Team.read(refused));
        assertTrue(Team.read(refused).contains("--confirm " + runId), Team.read(refused));
        Path broken = tmp.resolve("broken.log");
        assertEquals(0, LockstepProcess.run(broken, Team.on("host-b"), "lock", "break", runId, "--state", url, "--confirm", runId),
                Team.read(broken));
        assertTrue(Team.read(broken).contains("took run " + runId + " from the live lease of pid " + driver.pid()), Team.read(broken));
        assertEquals("nobody holds run " + runId + "\n", Team.read(show(url, runId)));

        assertEquals(6, Team.exit(driver, first), Team.read(first));
        List<EventType> tail = Team.events(url, runId).stream().map(Event::type).toList();
        assertEquals(List.of(EventType.RUN_RESUMED, EventType.RUN_INTERRUPTED), tail.subList(tail.size() - 2, tail.size()),
                "the break is in the run's record, and nothing after it");
    }
}
