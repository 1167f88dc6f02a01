package dev.lockstep.team;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.LockstepProcess;
import dev.lockstep.PrintedHints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hints of a run taken from its driver (lock break) and of the step it leaves in doubt, each run as
 * printed. The in-doubt step's two ways on are alternatives: each runs from the same state.
 */
@Tag("process")
class HintsAfterTakeOverTest {
    @TempDir
    Path tmp;

    @Test
    void theHintsOfABrokenLockAndOfTheStepLeftInDoubtWorkAsPrinted() throws Exception {
        Path state = tmp.resolve("state");
        Path effects = Files.createFile(tmp.resolve("effects"));
        Path driverLog = tmp.resolve("driver.log");
        Process driver = LockstepProcess.start(driverLog, "run", SharedStoreTest.TEAM, "--no-tui", "--state-dir", state.toString(),
                "-p", "effects=" + effects, "-p", "pause=3");
        String runId = LocalTeamTest.awaitRunning(state, "slow", driver, driverLog);
        // The default state folder is empty: a hint that forgets its folder finds no run there (exit 10).
        LockstepCli cli = new LockstepCli(tmp.resolve("default-state")).env("XDG_STATE_HOME", tmp.resolve("xdg").toString());
        LockstepCli.Result broken = cli.run("lock", "break", runId, "--state-dir", state.toString(), "--confirm", runId);
        assertEquals(0, broken.exit(), broken.all());
        assertEquals(6, Team.exit(driver, driverLog), "the driver let the run go: " + Team.read(driverLog));

        String resume = PrintedHints.in(broken.all()).stream().filter(h -> h.startsWith("lockstep resume")).findFirst()
                .orElseThrow(() -> new AssertionError("lock break says how to go on: " + broken.all()));
        String farewell = PrintedHints.in(Team.read(driverLog)).stream().filter(h -> h.startsWith("lockstep resume")).findFirst()
                .orElseThrow(() -> new AssertionError("the driver that lost the run says how to go on: " + Team.read(driverLog)));
        assertEquals(resume, farewell, "the taken-over driver's way on is the same command, run as printed below");
        PrintedHints hints = new PrintedHints(cli);
        LockstepCli.Result inDoubt = hints.runOne(resume);
        assertEquals(7, inDoubt.exit(), inDoubt.all());
        List<String> waysOn = PrintedHints.in(inDoubt.all()).stream().filter(h -> h.contains("--rerun slow") || h.contains("--mark-done slow"))
                .toList();
        assertEquals(2, waysOn.size(), "both ways on are commands:\n" + inDoubt.all());
        Path before = tmp.resolve("before");
        copy(state, before);
        for (String wayOn : waysOn) {
            restore(before, state);
            LockstepCli.Result r = hints.runOne(wayOn);
            assertEquals(0, r.exit(), wayOn + "\n" + r.all());
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.sorted().toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(target);
                else Files.copy(f, target);
            }
        }
    }

    private static void restore(Path snapshot, Path state) throws IOException {
        try (Stream<Path> files = Files.walk(state)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
        copy(snapshot, state);
    }
}
