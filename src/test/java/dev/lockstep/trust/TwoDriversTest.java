package dev.lockstep.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.LockstepProcess;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.RunStatus;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Journal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One process drives a run, even when its lock file is deleted, and a refusal always names the driver. */
@Tag("process")
class TwoDriversTest {
    private static final String SLOW = "src/test/resources/runbooks/trust/slow.yaml";

    @TempDir
    Path tmp;

    @Test
    void deletingTheLockFileDoesNotLetASecondProcessDriveTheRun() throws Exception {
        Path state = tmp.resolve("state");
        Process driver = LockstepProcess.start(tmp.resolve("driver.out"), "run", SLOW, "--no-tui", "--state-dir",
                state.toString(), "-p", "seconds=8");
        try {
            Path journal = awaitStep(state);
            String runId = journal.getParent().getFileName().toString();
            Files.delete(state.resolve("locks/slow.lock"));

            LockstepCli cli = new LockstepCli(state);
            LockstepCli.Result resume = cli.run("resume", runId, "--no-tui");
            assertEquals(6, resume.exit(), resume.all());
            assertTrue(resume.err().contains("pid " + driver.pid()), "names the driver: " + resume.err());
            LockstepCli.Result fresh = cli.run("run", SLOW, "--no-tui", "--new");
            assertEquals(6, fresh.exit(), "abandoning the driven run needs its journal: " + fresh.all());
            assertTrue(fresh.err().contains("pid " + driver.pid()), fresh.err());

            assertTrue(driver.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, driver.exitValue(), Files.readString(tmp.resolve("driver.out")));
            Journal read = Journal.read(journal);
            assertTrue(read.warnings().isEmpty(), "no torn record: " + read.warnings());
            assertEquals(RunStatus.SUCCEEDED, RunSnapshot.replay(runId, journal.toString(), read.events()).status());
            assertEquals(1, read.events().stream().filter(e -> e.type() == EventType.RUN_STARTED).count());
        } finally {
            driver.destroyForcibly();
        }
    }

    @Test
    void ofSimultaneousStartsOneDrivesAndTheOthersNameIt() throws Exception {
        Path state = tmp.resolve("state");
        List<Process> starts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            starts.add(LockstepProcess.start(tmp.resolve("start-" + i + ".out"), "run", SLOW, "--no-tui", "--state-dir",
                    state.toString(), "-p", "seconds=20"));
        }
        try {
            Path journal = awaitStep(state);
            long winner = Journal.read(journal).events().get(0).data(EventData.RunStarted.class).pid();
            int refused = 0;
            for (int i = 0; i < starts.size(); i++) {
                Process p = starts.get(i);
                if (p.pid() == winner) continue;
                assertTrue(p.waitFor(60, TimeUnit.SECONDS), "start " + i + " did not give way");
                String out = Files.readString(tmp.resolve("start-" + i + ".out"));
                assertEquals(6, p.exitValue(), out);
                assertTrue(out.contains("pid " + winner), "start " + i + " names the driver: " + out);
                refused++;
            }
            assertEquals(7, refused);
        } finally {
            starts.forEach(Process::destroyForcibly);
        }
    }

    @Test
    void aJournalThatGrewUnderItsDriverIsNotAppendedTo() throws Exception {
        Path file = tmp.resolve("runs/r/journal.jsonl");
        try (Journal j = Journal.create(file, file.resolveSibling("driver"), "test")) {
            j.append(EventType.RUN_STARTED, null, JournalForgeryTest.started(List.of("a")));
            Files.writeString(file, Files.readString(file).lines().findFirst().orElseThrow() + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
            var e = org.junit.jupiter.api.Assertions.assertThrows(dev.lockstep.spi.LockstepException.class,
                    () -> j.append(EventType.STEP_SKIPPED, "a", new EventData.ByReason("me", "x")));
            assertEquals(dev.lockstep.spi.ErrorCode.STATE_CORRUPT, e.code());
            assertTrue(e.getMessage().contains("changed under this process"), e.getMessage());
        }
    }

    /** Waits until a run's only step is running, and returns its journal. */
    private static Path awaitStep(Path state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Path runs = state.resolve("runs");
            if (Files.isDirectory(runs)) {
                try (var s = Files.list(runs)) {
                    for (Path dir : s.toList()) {
                        Path journal = dir.resolve("journal.jsonl");
                        if (Files.exists(journal) && Files.readString(journal).contains("\"STEP_STARTED\"")) return journal;
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no run started in " + state);
    }
}
