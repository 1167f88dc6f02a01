package dev.lockstep.team;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepProcess;
import dev.lockstep.TcpProxy;
import dev.lockstep.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network between lockstep and PostgreSQL fails, through a proxy the test controls: a driver
 * cut off stops before its next effect and the run goes on elsewhere; a watcher that loses its
 * connection comes back and shows every event once, in order.
 */
@Tag("postgres")
@Tag("process")
class NetworkTest {
    private static final String CHATTY = "src/test/resources/runbooks/team/chatty.yaml";

    @TempDir
    Path tmp;

    @Test
    void aDriverCutOffFromTheStoreStopsBeforeItsNextEffectAndTheRunGoesOnElsewhere() throws Exception {
        try (TcpProxy proxy = new TcpProxy(TestPostgres.server().getPort())) {
            String direct = TestPostgres.newStateUrl();
            String viaProxy = direct.replace(":" + TestPostgres.server().getPort() + "/", ":" + proxy.port() + "/");
            Path effects = Files.createFile(tmp.resolve("effects"));
            Path first = tmp.resolve("first.log");
            Process driver = LockstepProcess.start(first, Team.on("host-a"), "run", SharedStoreTest.TEAM, "--no-tui",
                    "--state", viaProxy, "-p", "effects=" + effects, "-p", "pause=4");
            // Cut while the step's process runs (once its pid is recorded, so resume can tell it has ended).
            String runId = Team.awaitEvent(direct, "STEP_EXTERNAL_ID", "slow", driver, first);
            // The record is stored before the driver hears so; its script starts only once it has (a cut in between
            // would fail that append, not the lease's renewal while the step runs).
            Team.await("the slow step's script to start", () -> holds(effects, "slow-start"));
            proxy.refuse();

            assertEquals(15, Team.exit(driver, first), Team.read(first));
            String said = Team.read(first);
            assertTrue(said.contains("cannot renew the lease of run " + runId), "says so while the step runs: " + said);
            assertTrue(said.contains("records nothing more and stops before its next step"), said);
            assertTrue(said.contains("STATE_UNAVAILABLE"), said);
            assertEquals(List.of("one", "slow-start", "slow-end"), Files.readAllLines(effects),
                    "the step in flight ended; nothing after it ran");

            Team.await("the lease to expire", () -> leaseExpired(direct, runId));
            Path second = tmp.resolve("second.log");
            assertEquals(7, LockstepProcess.run(second, Team.on("host-b"), "resume", runId, "--no-tui", "--state", direct),
                    Team.read(second));
            assertTrue(Team.read(second).contains("step slow was in flight"), Team.read(second));
            Path third = tmp.resolve("third.log");
            assertEquals(0, LockstepProcess.run(third, Team.on("host-b"), "resume", runId, "--no-tui", "--state", direct,
                    "--mark-done", "slow"), Team.read(third));
            assertEquals(List.of("one", "slow-start", "slow-end", "idem", "last"), Files.readAllLines(effects));
        }
    }

    private static boolean holds(Path file, String line) {
        try {
            return Files.readAllLines(file).contains(line);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean leaseExpired(String url, String runId) {
        try (var c = TestPostgres.connect(Team.jdbc(url)); var s = c.prepareStatement(
                "SELECT count(*) FROM lockstep.leases WHERE run_id = ? AND expires_at > now()")) {
            s.setString(1, runId);
            try (var r = s.executeQuery()) {
                r.next();
                return r.getInt(1) == 0;
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aWatcherStartedMidRunSeesEveryEventOnceInOrderThroughAReconnect() throws Exception {
        try (TcpProxy proxy = new TcpProxy(TestPostgres.server().getPort())) {
            String direct = TestPostgres.newStateUrl();
            String viaProxy = direct.replace(":" + TestPostgres.server().getPort() + "/", ":" + proxy.port() + "/");
            Path driverLog = tmp.resolve("driver.log");
            Process driver = LockstepProcess.start(driverLog, Team.on("host-a"), "run", CHATTY, "--no-tui", "--state", direct,
                    "-p", "pause=0.4");
            String runId = Team.awaitEvent(direct, "STEP_SUCCEEDED", "s2", driver, driverLog);

            Path watchLog = tmp.resolve("watch.log");
            Process watcher = LockstepProcess.start(watchLog, Team.on("host-w"), "watch", runId, "--no-tui", "--state", viaProxy);
            Team.await("the watcher to catch up", () -> Team.read(watchLog).contains("  | s2 line 3"));
            Team.awaitEvent(direct, "STEP_STARTED", "s4", driver, driverLog);
            proxy.cut();

            assertEquals(0, Team.exit(driver, driverLog), Team.read(driverLog));
            assertEquals(0, Team.exit(watcher, watchLog), "the watcher ends with the run: " + Team.read(watchLog));
            String seen = Team.read(watchLog);
            assertTrue(seen.contains("lost the state store") && seen.contains("connected to the state store again"), seen);

            Team.assertChattyShownOnceInOrder(seen);
            assertFalse(seen.contains("Exception"), seen);
        }
    }
}
