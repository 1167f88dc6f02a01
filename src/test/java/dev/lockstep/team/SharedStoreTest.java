package dev.lockstep.team;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.TestPostgres;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Records;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command works on the PostgreSQL store as on a folder, with the same records. */
@Tag("postgres")
class SharedStoreTest {
    static final String TEAM = "src/test/resources/runbooks/team/team.yaml";

    @TempDir
    Path tmp;

    static String runId(LockstepCli.Result r) {
        Matcher m = Pattern.compile("run id: (\\S+)").matcher(r.out());
        assertTrue(m.find(), "prints its run id: " + r.all());
        return m.group(1);
    }

    static String jdbc(String stateUrl) {
        return "jdbc:postgresql://" + stateUrl.substring(stateUrl.indexOf('@') + 1);
    }

    @Test
    void aPlanSavedOnOneMachineRunsOnAnotherOnceWithItsDigestInTheStore() throws Exception {
        String url = TestPostgres.newStateUrl();
        Path effects = Files.createFile(tmp.resolve("effects"));
        Path plan = tmp.resolve("team.plan");
        LockstepCli reviewer = LockstepCli.onStore(url).env("LOCKSTEP_HOST", "daylight");
        LockstepCli.Result saved = reviewer.run("plan", TEAM, "-p", "effects=" + effects, "-p", "pause=0", "--out", plan.toString());
        assertEquals(0, saved.exit(), saved.all());
        try (Connection c = TestPostgres.connect(jdbc(url)); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT file_sha256, runbook, used_by FROM lockstep.plans")) {
            assertTrue(r.next(), "the plan is recorded in the store");
            assertEquals(dev.lockstep.spi.Digests.sha256(Files.readAllBytes(plan)), r.getString(1));
            assertEquals("team", r.getString(2));
            assertEquals(null, r.getString(3));
        }

        LockstepCli operator = LockstepCli.onStore(url).env("LOCKSTEP_HOST", "night");
        LockstepCli.Result run = operator.run("run", TEAM, "--plan", plan.toString(), "--no-tui");
        assertEquals(0, run.exit(), run.all());
        assertEquals(List.of("one", "slow-start", "slow-end", "idem", "last"), Files.readAllLines(effects));
        LockstepCli.Result again = operator.run("run", TEAM, "--plan", plan.toString(), "--no-tui");
        assertEquals(16, again.exit(), again.all());
        assertTrue(again.err().contains("was run already, by run " + runId(run)), again.err());

        LockstepCli elsewhere = new LockstepCli(tmp.resolve("local-state"));
        LockstepCli.Result local = elsewhere.run("run", TEAM, "--plan", plan.toString(), "--no-tui");
        assertEquals(16, local.exit(), local.all());
        assertTrue(local.err().contains("has no record of plan"), local.err());
    }

    @Test
    void everyCommandWorksOnPostgresWithTheSameRecords() throws Exception {
        String url = TestPostgres.newStateUrl();
        LockstepCli cli = LockstepCli.onStore(url);
        Path effects = Files.createFile(tmp.resolve("effects"));

        LockstepCli.Result run = cli.run("run", TEAM, "--no-tui", "-p", "effects=" + effects, "-p", "pause=0");
        assertEquals(0, run.exit(), run.all());
        String id = runId(run);
        assertEquals(List.of("one", "slow-start", "slow-end", "idem", "last"), Files.readAllLines(effects));

        LockstepCli.Result runs = cli.run("runs");
        assertEquals(0, runs.exit(), runs.all());
        assertTrue(runs.out().contains(id) && runs.out().contains("succeeded"), runs.out());
        LockstepCli.Result show = cli.run("show", id);
        assertEquals(0, show.exit(), show.all());
        assertTrue(show.out().contains("slow") && show.out().contains("run_finished"), show.out());
        LockstepCli.Result report = cli.run("report", id, "-o", "-");
        assertEquals(0, report.exit(), report.all());
        assertTrue(report.out().contains("# "), report.out());
        LockstepCli.Result lock = cli.run("lock", "show", id, "--state", url);
        assertEquals(0, lock.exit(), lock.all());
        assertEquals("nobody holds run " + id + "\n", lock.out());
        LockstepCli.Result watch = cli.run("watch", id, "--no-tui");
        assertEquals(0, watch.exit(), watch.all());
        assertTrue(watch.out().contains("  | last said bye") && watch.out().contains("run finished"), watch.out());

        List<Event> events = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        try (Connection c = TestPostgres.connect(jdbc(url)); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT seq, record FROM lockstep.events WHERE run_id = '" + id + "' ORDER BY seq")) {
                while (r.next()) events.add(Records.decodeWhole(r.getString(2), "row " + r.getLong(1) + ": "));
            }
            try (ResultSet r = s.executeQuery("SELECT lines FROM lockstep.logs WHERE run_id = '" + id + "' ORDER BY chunk")) {
                while (r.next()) lines.addAll(List.of(r.getString(1).split("\n")));
            }
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM lockstep.leases")) {
                r.next();
                assertEquals(0, r.getInt(1), "the driver gave its lease up when it ended");
            }
        }
        assertEquals(EventType.RUN_STARTED, events.get(0).type());
        assertEquals(EventType.RUN_FINISHED, events.get(events.size() - 1).type());

        LockstepCli.Result rollback = cli.run("rollback", id, "--no-tui", "--yes", "--confirm-run", id);
        assertEquals(0, rollback.exit(), rollback.all());
        assertTrue(rollback.out().contains("No rollback (left as they are): last, idem, slow, one"), rollback.out());
        assertTrue(cli.run("show", id).out().contains("rolled-back"), "the rollback is in the shared record");
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} one said hello")), lines.toString());
        assertFalse(Files.exists(Path.of("report-" + id + ".md")));
    }
}
