package dev.lockstep.team;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepProcess;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Journal;
import dev.lockstep.journal.StateDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** watch and lock on the local store: following the journal file, and a lock that only its process can give up. */
@Tag("process")
class LocalTeamTest {
    private static final String CHATTY = "src/test/resources/runbooks/team/chatty.yaml";

    @TempDir
    Path tmp;

    static String awaitRunning(Path state, String step, Process driver, Path log) throws Exception {
        String[] found = new String[1];
        Team.await("step " + step + " to start", () -> {
            if (!driver.isAlive()) throw new AssertionError("lockstep ended: " + Team.read(log));
            for (String id : new StateDir(state).runIds()) {
                if (Team.read(new StateDir(state).journal(id)).contains("\"STEP_STARTED\",\"step\":\"" + step + "\"")) {
                    found[0] = id;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    @Test
    void aWatcherFollowsTheJournalFileFromTheFirstRecord() throws Exception {
        Path state = tmp.resolve("state");
        Path driverLog = tmp.resolve("driver.log");
        Process driver = LockstepProcess.start(driverLog, "run", CHATTY, "--no-tui", "--state-dir", state.toString(),
                "-p", "pause=0.3");
        String runId = awaitRunning(state, "s3", driver, driverLog);
        Path watchLog = tmp.resolve("watch.log");
        Process watcher = LockstepProcess.start(watchLog, "watch", runId, "--no-tui", "--state-dir", state.toString());
        assertEquals(0, Team.exit(driver, driverLog), Team.read(driverLog));
        assertEquals(0, Team.exit(watcher, watchLog), Team.read(watchLog));
        String seen = Team.read(watchLog);
        assertTrue(seen.contains("driven by pid " + driver.pid()), "names the driver: " + seen);
        Team.assertChattyShownOnceInOrder(seen);
    }

    @Test
    void breakingALocalLockAsksItsProcessToLetGoAndRecordsIt() throws Exception {
        Path state = tmp.resolve("state");
        Path effects = Files.createFile(tmp.resolve("effects"));
        Path driverLog = tmp.resolve("driver.log");
        Process driver = LockstepProcess.start(driverLog, "run", SharedStoreTest.TEAM, "--no-tui", "--state-dir", state.toString(),
                "-p", "effects=" + effects, "-p", "pause=30");
        String runId = awaitRunning(state, "slow", driver, driverLog);

        Path shown = tmp.resolve("show.log");
        assertEquals(0, LockstepProcess.run(shown, "lock", "show", runId, "--state-dir", state.toString()), Team.read(shown));
        assertTrue(Team.read(shown).contains("is held by pid " + driver.pid()), Team.read(shown));
        Path refused = tmp.resolve("refused.log");
        assertEquals(7, LockstepProcess.run(refused, "lock", "break", runId, "--state-dir", state.toString()), Team.read(refused));
        Path broken = tmp.resolve("broken.log");
        assertEquals(0, LockstepProcess.run(broken, "lock", "break", runId, "--state-dir", state.toString(), "--confirm", runId),
                Team.read(broken));
        assertEquals(6, Team.exit(driver, driverLog), "the driver let the run go and says so: " + Team.read(driverLog));
        assertTrue(Team.read(driverLog).contains("run " + runId + " was taken over by pid "), Team.read(driverLog));

        List<Event> events = Journal.read(new StateDir(state).journal(runId)).events();
        List<EventType> tail = events.stream().map(Event::type).toList().subList(events.size() - 4, events.size());
        assertEquals(List.of(EventType.STEP_IN_DOUBT, EventType.RUN_INTERRUPTED, EventType.RUN_RESUMED, EventType.RUN_INTERRUPTED),
                tail, "the driver recorded where it stopped, then the break was recorded");
        String from = events.get(events.size() - 2).data(EventData.RunResumed.class).tookOver();
        assertTrue(from.startsWith("pid " + driver.pid()) && from.endsWith("on typed confirmation"), from);
        Path after = tmp.resolve("after.log");
        assertEquals(0, LockstepProcess.run(after, "lock", "show", runId, "--state-dir", state.toString()), Team.read(after));
        assertEquals("nobody holds run " + runId + "\n", Team.read(after));
    }
}
