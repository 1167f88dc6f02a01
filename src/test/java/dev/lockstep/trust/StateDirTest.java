package dev.lockstep.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state directory holds what an attacker would like to redirect: it never leaves, never follows a link, never shares. */
class StateDirTest {
    private static final String DEMO = "runbooks/demo.yaml";
    private static final Path RECORDED = Path.of("src/test/resources/journals/halted.jsonl");

    @TempDir
    Path tmp;

    private LockstepCli cli;

    @BeforeEach
    void setUp() {
        cli = new LockstepCli(tmp.resolve("state"));
    }

    private LockstepCli.Result demo(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("run", DEMO, "--no-tui", "-p", "workdir=" + tmp.resolve("work")));
        args.addAll(List.of(extra));
        return cli.run(args.toArray(String[]::new));
    }

    @Test
    void runIdsCannotLeaveTheStateDirectory() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("x"));
        Files.copy(RECORDED, outside.resolve("journal.jsonl"));
        byte[] before = Files.readAllBytes(outside.resolve("journal.jsonl"));
        for (List<String> command : List.of(List.of("rollback", "../../x", "--yes"), List.of("resume", "../../x", "--yes"),
                List.of("show", "../../x"), List.of("report", "../../x"), List.of("show", "/etc"), List.of("show", ".hidden"))) {
            LockstepCli.Result r = cli.run(command.toArray(String[]::new));
            assertEquals(2, r.exit(), command + ": " + r.all());
            assertTrue(r.err().contains("run id"), r.err());
        }
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(outside.resolve("journal.jsonl"))), "outside journal untouched");
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(1, s.count(), "nothing written beside it");
        }
    }

    @Test
    void aLinkPlantedAtTheLockFileIsNotFollowed() throws Exception {
        Path victim = Files.writeString(tmp.resolve("victim"), "precious");
        Path locks = Files.createDirectories(tmp.resolve("state/locks"));
        Files.createSymbolicLink(locks.resolve("demo.lock"), victim);
        LockstepCli.Result r = demo();
        assertEquals(12, r.exit(), r.all());
        assertTrue(r.err().contains("demo.lock"), r.err());
        assertEquals("precious", Files.readString(victim));
    }

    @Test
    void aLinkPlantedAtTheReportOrAStepLogIsNotFollowed() throws Exception {
        assertEquals(7, demo().exit());
        String runId = SecretsTest.runIds(cli.stateDir()).get(0);
        Path runDir = cli.stateDir().resolve("runs").resolve(runId);
        Path victim = Files.writeString(tmp.resolve("victim"), "precious");
        Files.createSymbolicLink(runDir.resolve("report.md"), victim);
        LockstepCli.Result report = cli.run("report", runId);
        assertEquals(0, report.exit(), report.all());
        assertEquals("precious", Files.readString(victim));
        assertFalse(Files.isSymbolicLink(runDir.resolve("report.md")), "the report replaced the link itself");
        assertTrue(Files.readString(runDir.resolve("report.md")).contains(runId));

        Path log = runDir.resolve("logs/switch.log");
        Files.deleteIfExists(log);
        Files.createSymbolicLink(log, victim);
        LockstepCli.Result resumed = cli.run("resume", runId, "--no-tui", "--confirm", "switch=relay");
        assertEquals(0, resumed.exit(), resumed.all());
        assertEquals("precious", Files.readString(victim), "the step's output did not go through the link");
        assertTrue(resumed.out().contains("cannot open the log of step switch"), resumed.all());
    }

    @Test
    void everythingWrittenIsPrivate() throws Exception {
        assertEquals(7, demo().exit());
        String runId = SecretsTest.runIds(cli.stateDir()).get(0);
        assertEquals(0, cli.run("report", runId).exit());
        assertEquals(0, cli.run("resume", runId, "--no-tui", "--confirm", "switch=relay").exit());
        try (Stream<Path> all = Files.walk(cli.stateDir())) {
            for (Path p : all.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", mode, p.toString());
            }
        }
    }

    @Test
    void aJournalWithNoCompleteFirstRecordIsListedAsDamagedAndBlocksNothing() throws Exception {
        Path runs = Files.createDirectories(tmp.resolve("state/runs"));
        Files.createDirectories(runs.resolve("demo-20260101-000000-0000"));
        Files.createFile(runs.resolve("demo-20260101-000000-0000/journal.jsonl"));
        Files.createDirectories(runs.resolve("demo-20260101-000001-0001"));
        Files.writeString(runs.resolve("demo-20260101-000001-0001/journal.jsonl"), "{\"seq\":1,\"ts\":\"2026-01-01T00:00");

        LockstepCli.Result listed = cli.run("runs");
        assertEquals(0, listed.exit(), listed.all());
        assertEquals(2, listed.out().lines().filter(l -> l.contains("damaged")).count(), listed.out());
        assertTrue(listed.out().contains("never started"), listed.out());

        LockstepCli.Result run = demo();
        assertEquals(7, run.exit(), "a new run starts (and stops at its confirmation): " + run.all());
        assertTrue(run.out().contains("cannot be read and is left as it is"), run.out());
        assertEquals(0, demo("--new", "--confirm", "switch=relay").exit());
        LockstepCli.Result show = cli.run("show", "demo-20260101-000000-0000");
        assertEquals(11, show.exit(), show.all());
        assertTrue(show.err().contains("journal.jsonl:1:"), show.err());
    }
}
