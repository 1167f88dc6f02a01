package dev.lockstep.team;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.LockstepProcess;
import dev.lockstep.TestPostgres;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four eyes on the shared store, with the approvers' own database roles: the driver (driver_role) waits at a
 * step's approval gate while others approve or reject from their own sessions; the database says who did.
 */
@Tag("postgres")
@Tag("process")
class ApprovalsTest {
    private static final String FOUR_EYES = "src/test/resources/runbooks/approvals/four-eyes.yaml";
    private static final String TWO_APPROVERS = "src/test/resources/runbooks/approvals/two-approvers.yaml";

    @TempDir
    Path tmp;
    private String database;
    private Path effects;

    @BeforeEach
    void rolesOnANewStore() throws Exception {
        String url = TestPostgres.newStateUrl();
        // The schema is created by its owner; the roles only get to read and write its tables.
        assertEquals(0, LockstepCli.onStore(url).run("runs").exit());
        database = url.substring(url.indexOf('@') + 1);
        try (Connection c = TestPostgres.connect(SharedStoreTest.jdbc(url)); Statement s = c.createStatement()) {
            for (String role : List.of("driver_role", "alice", "bob")) {
                s.execute("DO $$ BEGIN CREATE ROLE " + role + " LOGIN PASSWORD 'pw-" + role + "'; "
                        + "EXCEPTION WHEN duplicate_object THEN NULL; END $$");
                s.execute("GRANT USAGE ON SCHEMA lockstep TO " + role);
                s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA lockstep TO " + role);
            }
        }
        effects = Files.createFile(tmp.resolve("effects"));
    }

    private String as(String role) {
        return "postgres://" + role + ":pw-" + role + "@" + database;
    }

    private LockstepCli cli(String role) {
        return LockstepCli.onStore(as(role)).env("SWITCH_TOKEN", "first-token");
    }

    /** The driver, a process of its own, waiting at approval gates for as long as it takes. */
    private Process driver(String runbook, Path log) throws Exception {
        Map<String, String> env = new HashMap<>(Team.on("host-driver", "30"));
        env.put("SWITCH_TOKEN", "first-token");
        return LockstepProcess.start(log, env, "run", runbook, "--no-tui", "--await-approval", "-p", "effects=" + effects,
                "--state", as("driver_role"));
    }

    private List<Event> events(String runId, EventType type) {
        return Team.events(as("driver_role"), runId).stream().filter(e -> e.type() == type).toList();
    }

    @Test
    void theDriverCannotApproveItsOwnGateNorCanSomeoneNotNamedAndTheApproverIsTheDatabaseRole() throws Exception {
        Path log = tmp.resolve("driver.log");
        Process driver = driver(FOUR_EYES, log);
        String runId = Team.awaitEvent(as("driver_role"), "STEP_AWAITING", "switch", driver, log);

        LockstepCli.Result own = cli("driver_role").run("approve", runId, "switch", "--confirm", "switch");
        assertEquals(18, own.exit(), own.all());
        assertTrue(own.err().contains("driver_role drives the run") && own.err().contains("notDriver"), own.err());
        LockstepCli.Result notNamed = cli("bob").run("approve", runId, "switch", "--confirm", "switch");
        assertEquals(18, notNamed.exit(), notNamed.all());
        assertTrue(notNamed.err().contains("bob may not approve this step: it needs alice, driver_role"), notNamed.err());
        LockstepCli.Result mistyped = cli("alice").run("approve", runId, "switch", "--confirm", "swicth");
        assertEquals(2, mistyped.exit(), mistyped.all());

        LockstepCli.Result approved = cli("alice").run("approve", runId, "switch", "--confirm", "switch");
        assertEquals(0, approved.exit(), approved.all());
        assertTrue(approved.out().contains("Switch traffic to the new database"), "the approver sees the message: " + approved.out());
        assertTrue(approved.out().contains("test -n \"******\"") && !approved.out().contains("first-token"), "and the resolved plan, masked: " + approved.out());
        assertTrue(approved.out().contains("as alice"), approved.out());
        assertEquals(0, Team.exit(driver, log), Team.read(log));
        assertEquals(List.of("prepare", "switch", "verify"), Files.readAllLines(effects));

        EventData.Awaiting gate = events(runId, EventType.STEP_AWAITING).get(0).data(EventData.Awaiting.class);
        assertEquals(EventData.Awaiting.APPROVAL, gate.gate());
        assertEquals("driver_role", gate.driver());
        List<Event> approvals = events(runId, EventType.STEP_APPROVED);
        assertEquals(1, approvals.size(), "the refused ones were never recorded: " + approvals);
        EventData.Approval a = approvals.get(0).data(EventData.Approval.class);
        assertEquals("alice", a.by());
        assertEquals(gate.digest(), a.digest());
        assertTrue(Team.read(log).contains("AWAITING APPROVAL") && Team.read(log).contains("approved by alice"), Team.read(log));
    }

    @Test
    void anApprovalGivenBeforeTheParameterChangedDoesNotCountAndTheStepAsksAgain() throws Exception {
        LockstepCli.Result stopped = cli("driver_role").run("run", FOUR_EYES, "--no-tui", "--yes", "-p", "effects=" + effects);
        assertEquals(7, stopped.exit(), stopped.all());
        String runId = SharedStoreTest.runId(stopped);
        assertTrue(stopped.err().contains("--yes never approves") && stopped.err().contains("lockstep approve " + runId + " switch"),
                "an unattended run says how to approve: " + stopped.err());
        assertEquals(0, cli("alice").run("approve", runId, "switch", "--confirm", "switch").exit());

        LockstepCli.Result changed = cli("driver_role").env("SWITCH_TOKEN", "second-token").run("resume", runId, "--no-tui");
        assertEquals(7, changed.exit(), "the approved plan had the other token: " + changed.all());
        assertTrue(changed.err().contains("lockstep approve " + runId + " switch"), changed.err());
        List<Event> gates = events(runId, EventType.STEP_AWAITING);
        assertEquals(2, gates.size());
        assertNotEquals(gates.get(0).data(EventData.Awaiting.class).digest(), gates.get(1).data(EventData.Awaiting.class).digest());
        assertEquals(List.of(), events(runId, EventType.STEP_APPROVED), "the approval of the old plan is not journaled");
        assertEquals(List.of("prepare"), Files.readAllLines(effects));

        assertEquals(0, cli("alice").run("approve", runId, "switch", "--confirm", "switch").exit());
        LockstepCli.Result finished = cli("driver_role").env("SWITCH_TOKEN", "second-token").run("resume", runId, "--no-tui");
        assertEquals(0, finished.exit(), finished.all());
        List<Event> approvals = events(runId, EventType.STEP_APPROVED);
        assertEquals(1, approvals.size());
        assertEquals(gates.get(1).data(EventData.Awaiting.class).digest(), approvals.get(0).data(EventData.Approval.class).digest());
        assertEquals(List.of("prepare", "switch", "verify"), Files.readAllLines(effects));
    }

    @Test
    void aRejectionHaltsTheStepWithItsReasonOnTheDriversLinesAndInTheReport() throws Exception {
        Path log = tmp.resolve("driver.log");
        Process driver = driver(FOUR_EYES, log);
        String runId = Team.awaitEvent(as("driver_role"), "STEP_AWAITING", "switch", driver, log);
        LockstepCli.Result noReason = cli("alice").run("reject", runId, "switch", "--confirm", "switch");
        assertEquals(2, noReason.exit(), noReason.all());
        assertEquals(18, cli("bob").run("reject", runId, "switch", "--confirm", "switch", "--reason", "no").exit(),
                "only those named may reject too");

        LockstepCli.Result rejected = cli("alice").run("reject", runId, "switch", "--confirm", "switch", "--reason", "not during the sale");
        assertEquals(0, rejected.exit(), rejected.all());
        assertEquals(3, Team.exit(driver, log), Team.read(log));
        assertTrue(Team.read(log).contains("REJECTED step switch by alice") && Team.read(log).contains("not during the sale"),
                Team.read(log));
        assertEquals(List.of("prepare"), Files.readAllLines(effects));
        EventData.Approval r = events(runId, EventType.STEP_REJECTED).get(0).data(EventData.Approval.class);
        assertEquals("alice", r.by());
        assertEquals("not during the sale", r.reason());

        Path report = tmp.resolve("report.md");
        assertEquals(0, cli("bob").run("report", runId, "-o", report.toString()).exit());
        assertTrue(Files.readString(report).contains("rejected by alice") && Files.readString(report).contains("not during the sale"),
                Files.readString(report));
        LockstepCli.Result again = cli("alice").run("approve", runId, "switch", "--confirm", "switch");
        assertEquals(18, again.exit(), "a halted step awaits nothing: " + again.all());
        assertTrue(again.err().contains("is not awaiting approval"), again.err());
    }

    @Test
    void aDriverKilledWhileAwaitingApprovalKeepsTheRecordedApprovalOnResumeWhenThePlanIsUnchanged() throws Exception {
        Path log = tmp.resolve("driver.log");
        Process driver = driver(TWO_APPROVERS, log);
        String runId = Team.awaitEvent(as("driver_role"), "STEP_AWAITING", "switch", driver, log);
        assertEquals(0, cli("alice").run("approve", runId, "switch", "--confirm", "switch").exit());
        Team.awaitEvent(as("driver_role"), "STEP_APPROVED", "switch", driver, log);
        LockstepCli.Result twice = cli("alice").run("approve", runId, "switch", "--confirm", "switch");
        assertTrue(twice.exit() == 0 && twice.out().contains("approved this plan of step switch already"),
                "one person is one approval: " + twice.all());
        driver.destroyForcibly().waitFor();

        assertEquals(0, cli("bob").run("approve", runId, "switch", "--confirm", "switch").exit(),
                "the gate is still open in the journal while nobody drives");
        LockstepCli.Result resumed = cli("driver_role").run("resume", runId, "--no-tui", "--take-over", runId);
        assertEquals(0, resumed.exit(), resumed.all());
        assertEquals(List.of("switch"), Files.readAllLines(effects));
        List<String> approvers = events(runId, EventType.STEP_APPROVED).stream()
                .map(e -> e.data(EventData.Approval.class).by()).toList();
        assertEquals(List.of("alice", "bob"), approvers, "alice's approval, journaled before the kill, still counts");
        assertEquals(1, events(runId, EventType.STEP_AWAITING).size(), "with both approvals in, the resumed driver asks nobody");
    }
}
