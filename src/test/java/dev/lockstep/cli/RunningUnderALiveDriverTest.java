package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.LockstepCli;
import dev.lockstep.LockstepProcess;
import dev.lockstep.journal.StateDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What runs and show say of a step that a driver in another process is running now: running, not in doubt. */
@Tag("process")
class RunningUnderALiveDriverTest {
    @TempDir
    Path tmp;

    @Test
    void runsAndShowSayRunningWhileTheDriverRunsTheStep() throws Exception {
        Path state = tmp.resolve("state");
        Path driverLog = tmp.resolve("driver.log");
        Process driver = LockstepProcess.start(driverLog, "run", "src/test/resources/runbooks/trust/slow.yaml", "--no-tui",
                "--state-dir", state.toString(), "-p", "seconds=600");
        try {
            StateDir dir = new StateDir(state);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (dir.runIds().isEmpty() || !Files.readString(dir.journal(dir.runIds().get(0))).contains("STEP_STARTED")) {
                if (System.nanoTime() > deadline || !driver.isAlive()) fail("the run did not start: " + Files.readString(driverLog));
                Thread.sleep(20);
            }
            String runId = dir.runIds().get(0);
            LockstepCli cli = new LockstepCli(state);

            LockstepCli.Result runs = cli.run("runs");
            assertEquals(0, runs.exit(), runs.all());
            String line = runs.out().lines().filter(l -> l.startsWith(runId)).findFirst().orElseThrow();
            assertTrue(line.contains(" running ") && !line.contains("in-doubt"), runs.out());

            LockstepCli.Result show = cli.run("show", runId);
            assertEquals(0, show.exit(), show.all());
            assertTrue(show.out().startsWith("Run " + runId + ": ") && show.out().lines().findFirst().orElseThrow()
                    .endsWith(" — running"), show.out());
            assertTrue(show.out().contains("  wait-a-while             running"), show.out());
            assertFalse(show.out().contains("in-doubt"), show.out());

            LockstepCli.Result json = cli.run("show", runId, "--output", "json");
            assertTrue(json.out().contains("\"state\": \"running\""), json.out());
        } finally {
            // The step's shell too: its sleep would outlive the driver.
            driver.descendants().forEach(ProcessHandle::destroyForcibly);
            driver.destroyForcibly();
            driver.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
