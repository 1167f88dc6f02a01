package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `lockstep demo` unattended: the README's first command (docs/operator-guide.md, The demo), on a small database, with its own embedded PostgreSQL. */
@Tag("postgres")
class DemoTest {
    @TempDir
    Path tmp;

    @Test
    void runsTheCutoverThenHaltsOnAnInjectedMismatchRollsBackAndCleansUp() throws Exception {
        Path dir = tmp.resolve("demo");
        LockstepCli cli = new LockstepCli(tmp.resolve("unused"));
        LockstepCli.Result ok = cli.run("demo", "--dir", dir.toString(), "--rows", "5000", "--no-tui", "--yes");
        assertEquals(0, ok.exit(), ok.all());
        assertTrue(ok.out().contains("generated " + dir.resolve("relay.db") + ": 2,000 events, 2,900 event_tags, 100 kv"), ok.out());
        assertTrue(ok.out().contains("copied 5000 rows; copy verified: counts and checksums: 3 tables match"), ok.out());
        assertTrue(Files.readString(dir.resolve("relay.conf")).startsWith("database=postgresql"));

        LockstepCli.Result halted = cli.run("demo", "--dir", dir.toString(), "--rows", "5000", "--no-tui", "--yes",
                "--inject-mismatch");
        assertEquals(3, halted.exit(), halted.all());
        assertTrue(halted.out().contains("HALTED step verify"), halted.out());
        assertTrue(halted.out().contains("MISMATCH (count, checksum: keys 2000 differ; e.g. id = 2000)"), halted.out());
        assertFalse(halted.all().contains(Files.readString(dir.resolve("postgres.password")).trim()), "the password is masked");
        String state = "--state-dir " + dir.resolve("state");
        assertTrue(halted.err().contains("lockstep show " + state) && halted.err().contains("lockstep demo --dir " + dir + " --rollback"),
                "hints name the demo's state folder, and the demo's own rollback:\n" + halted.err());

        Path journal;
        try (var runs = Files.list(dir.resolve("state/runs"))) {
            journal = runs.sorted().reduce((a, b) -> b).orElseThrow().resolve("journal.jsonl");
        }
        String before = Files.readString(journal);
        LockstepCli.Result asked = cli.run("demo", "--dir", dir.toString(), "--no-tui", "--rollback");
        assertEquals(7, asked.exit(), asked.all());
        assertTrue(asked.out().contains("undo copy (halted)") || asked.out().contains("undo copy (succeeded)"), asked.out());
        assertTrue(asked.out().contains("undo stop-writes (succeeded): run"), "it lists what it would do:\n" + asked.out());
        assertEquals(before, Files.readString(journal), "and records nothing without --yes");

        LockstepCli.Result rolledBack = cli.run("demo", "--dir", dir.toString(), "--no-tui", "--yes", "--rollback");
        assertEquals(0, rolledBack.exit(), rolledBack.all());
        assertTrue(rolledBack.out().contains("[rollback] emptied events"), rolledBack.out());
        assertEquals("database=sqlite mode=read-write", Files.readString(dir.resolve("relay.conf")).trim());

        assertEquals(0, cli.run("demo", "--dir", dir.toString(), "--clean").exit());
        assertFalse(Files.exists(dir));
    }

    @Test
    void theDefaultFolderIsUnderTmpdir() {
        LockstepCli.Result clean = new LockstepCli(tmp.resolve("unused")).env("TMPDIR", tmp.toString()).run("demo", "--clean");
        assertEquals(0, clean.exit(), clean.all());
        assertEquals("removed " + tmp.resolve("lockstep-cutover-demo"), clean.out().trim());
    }

    @Test
    void aPostgresThatCannotStartIsSaidPlainlyNotReportedAsABug() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("demo"));
        Files.createFile(dir.resolve(".lockstep-demo"));
        Files.writeString(dir.resolve("postgres"), "a file where PostgreSQL's data folder goes");
        LockstepCli.Result r = new LockstepCli(tmp.resolve("unused")).env("XDG_CACHE_HOME", tmp.resolve("cache").toString())
                .run("demo", "--dir", dir.toString(), "--rows", "5000", "--no-tui", "--yes");
        assertEquals(12, r.exit(), r.all());
        assertTrue(r.err().contains("lockstep: the demo's embedded PostgreSQL did not start in " + dir.resolve("postgres") + ": "), r.err());
        assertFalse(r.all().contains("internal error") || Files.exists(tmp.resolve("cache/lockstep/crashes")), r.all());
    }
}
