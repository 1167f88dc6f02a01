package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report (and every file a command writes) goes where a relative or bare name says, on either store. */
class ReportFileTest {
    static final String TINY = "lockstep: 1\nname: tiny\ntitle: One step\nsteps:\n  - id: hello\n    run: echo hi\n";

    @TempDir
    Path tmp;

    /** Runs the one-step runbook to its end; returns the run's id. */
    static String finishedRun(LockstepCli cli, Path tmp) throws IOException {
        Path runbook = Files.writeString(tmp.resolve("tiny.yaml"), TINY);
        LockstepCli.Result run = cli.run("run", runbook.toString(), "--no-tui");
        assertEquals(0, run.exit(), run.all());
        return run.out().lines().filter(l -> l.startsWith("run tiny-")).findFirst().orElseThrow().split(" ")[1];
    }

    /** The current folder is the project's: a bare name lands there, with its timeline picture, and the test removes both. */
    private static void assertWrittenThenRemove(Path file, LockstepCli.Result r) throws IOException {
        Path picture = file.resolveSibling(file.getFileName().toString().replaceFirst("\\.md$", ".svg"));
        try {
            assertEquals(0, r.exit(), r.all());
            assertEquals("report written to " + file + " (its timeline: " + picture + ")\n", r.out());
            assertTrue(Files.readString(file).contains("# "), "a Markdown report");
            assertTrue(Files.readString(picture).startsWith("<svg "), "its timeline");
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(picture);
        }
    }

    @Test
    void aBareOrRelativeFileNameIsWrittenInTheCurrentFolder() throws IOException {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        String id = finishedRun(cli, tmp);
        Path bare = Path.of("report-test-" + id + ".md");
        assertWrittenThenRemove(bare, cli.run("report", id, "-o", bare.toString()));
        Path relative = Path.of("").toAbsolutePath().relativize(tmp.resolve("report.md"));
        assertWrittenThenRemove(relative, cli.run("report", id, "--out", relative.toString()));
        Path plan = Path.of("").toAbsolutePath().relativize(tmp.resolve("plan.json"));
        LockstepCli.Result saved = cli.run("plan", tmp.resolve("tiny.yaml").toString(), "-o", plan.toString());
        assertEquals(0, saved.exit(), saved.all());
        assertTrue(Files.isRegularFile(tmp.resolve("plan.json")), saved.all());
    }

    @Test
    void theOldOutputSpellingIsRefusedWithAHint() throws IOException {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        String id = finishedRun(cli, tmp);
        for (String value : new String[] {"json", "report.md"}) {
            LockstepCli.Result r = cli.run("report", id, "--output", value);
            assertEquals(2, r.exit(), r.all());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains("report --output " + value + ": the report's file is named with -o/--out FILE"), r.err());
            assertFalse(Files.exists(Path.of(value)), "nothing written");
        }
    }

    @Tag("postgres")
    @Test
    void theDefaultReportOnPostgresIsWrittenInTheCurrentFolder() throws IOException {
        LockstepCli cli = LockstepCli.onStore(TestPostgres.newStateUrl());
        String id = finishedRun(cli, tmp);
        assertWrittenThenRemove(Path.of("report-" + id + ".md"), cli.run("report", id));
    }
}
