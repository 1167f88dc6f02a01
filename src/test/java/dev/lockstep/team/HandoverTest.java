package dev.lockstep.team;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.TestPostgres;
import dev.lockstep.journal.Journal;
import dev.lockstep.journal.StateDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lockstep state copy: a run started on a laptop is handed to the shared store, finished there by
 * a teammate, and copied back; only one copy can be driven at a time, and the records keep their
 * text (checksums included).
 */
@Tag("postgres")
class HandoverTest {
    private static final String HANDOVER = "src/test/resources/runbooks/team/handover.yaml";

    @TempDir
    Path tmp;

    @Test
    void aRunStartedLocallyIsFinishedFromTheSharedStoreAndCopiedBack() throws Exception {
        String url = TestPostgres.newStateUrl();
        Path folder = tmp.resolve("laptop");
        Path effects = Files.createFile(tmp.resolve("effects"));
        LockstepCli laptop = new LockstepCli(folder);
        LockstepCli team = LockstepCli.onStore(url);

        LockstepCli.Result started = laptop.run("run", HANDOVER, "--no-tui", "-p", "effects=" + effects);
        assertEquals(7, started.exit(), "stops for the typed confirmation: " + started.all());
        String id = SharedStoreTest.runId(started);

        LockstepCli.Result copy = laptop.run("state", "copy", id, "--from", folder.toString(), "--to", url);
        assertEquals(0, copy.exit(), copy.all());
        assertTrue(copy.out().contains("copied run " + id), copy.out());
        List<String> localRecords = Journal.read(new StateDir(folder).journal(id)).records();
        assertEquals(localRecords, Team.events(url, id).stream().map(dev.lockstep.journal.Records::encode).toList(),
                "the same records, checksums included");

        LockstepCli.Result refused = laptop.run("resume", id, "--no-tui", "--confirm", "switch=switch");
        assertEquals(10, refused.exit(), refused.all());
        assertTrue(refused.err().contains("handed over to another store") && refused.err().contains(url.substring(0, 20)),
                refused.err());
        assertTrue(laptop.run("runs").out().contains("(moved)"), laptop.run("runs").out());
        assertEquals(List.of("prepare"), Files.readAllLines(effects), "nothing ran on the laptop after the copy");

        LockstepCli.Result finished = team.run("resume", id, "--no-tui", "--confirm", "switch=switch");
        assertEquals(0, finished.exit(), finished.all());
        assertEquals(List.of("prepare", "switch", "verify"), Files.readAllLines(effects));
        LockstepCli.Result watched = team.run("watch", id, "--no-tui");
        assertTrue(watched.out().contains("  | prepared") && watched.out().contains("  | switched"),
                "the laptop's output came along: " + watched.out());

        LockstepCli.Result back = laptop.run("state", "copy", id, "--from", url, "--to", folder.toString());
        assertEquals(0, back.exit(), back.all());
        LockstepCli.Result shown = laptop.run("show", id);
        assertTrue(shown.out().contains("succeeded"), shown.out());
        assertEquals(10, team.run("resume", id, "--no-tui").exit(), "the shared copy is now the read-only one");
        LockstepCli.Result again = laptop.run("state", "copy", id, "--from", url, "--to", folder.toString());
        assertEquals(0, again.exit(), again.all());
        assertTrue(again.out().contains("already in"), again.out());
        assertTrue(Files.readString(new StateDir(folder).stepLog(id, "switch")).contains("switched"));
    }
}
