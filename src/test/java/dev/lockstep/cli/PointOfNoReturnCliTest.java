package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.spi.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The point of no return as an operator meets it in plain lines: marked in the plan, a typed go/no-go before it
 * that --yes does not answer (as no typed confirmation is), what can still be undone named, and a runbook
 * whose declared point differs from lockstep's told so by validate and plan.
 */
@Tag("process")
class PointOfNoReturnCliTest {
    private static final String RUNBOOK = "src/test/resources/runbooks/cli/point-of-no-return.yaml";

    @TempDir
    Path tmp;

    private LockstepCli cli;
    private Path work;

    @BeforeEach
    void setUp() {
        cli = new LockstepCli(tmp.resolve("state"));
        work = tmp.resolve("work");
    }

    @Test
    void theGoNoGoBeforeThePointOfNoReturnNeedsItsTypedConfirmationEvenWithYes() throws IOException {
        LockstepCli.Result stopped = cli.run("run", RUNBOOK, "--no-tui", "--yes", "-p", "work=" + work);
        assertEquals(7, stopped.exit(), stopped.all());
        assertTrue(stopped.err().contains("step accept-writes is the point of no return: needs the typed confirmation "
                + "'accept-writes' (--confirm accept-writes=VALUE). POINT OF NO RETURN: after step accept-writes a rollback "
                + "cannot restore the world (the runbook says irreversible: true (its rollback, run, cannot restore the world)). "
                + "1 step can still be undone: prepare (run)."), stopped.err());
        assertTrue(Files.exists(work.resolve("copy")), "the steps before it ran");
        assertFalse(Files.exists(work.resolve("writes")), "the point of no return did not run");

        LockstepCli.Result passed = cli.run("resume", "--no-tui", "--yes", "--confirm", "accept-writes=accept-writes");
        assertEquals(0, passed.exit(), passed.all());
        assertTrue(passed.all().contains("passed the point of no return at step accept-writes (confirmed by "), passed.all());
        assertEquals("writes", Files.readString(work.resolve("writes")).trim());

        List<String> show = cli.run("show").out().lines().toList();
        int marker = show.indexOf("  ---- POINT OF NO RETURN: after accept-writes a rollback cannot restore the world (the runbook "
                + "says irreversible: true (its rollback, run, cannot restore the world)) ----");
        assertTrue(marker > 0 && show.get(marker + 1).startsWith("  accept-writes "), "show marks it before the step:\n" + show);
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(cli.run("show", "--output", "json").out());
        assertEquals("accept-writes", json.get("pointOfNoReturn"));
        String report = cli.run("report", "-o", "-").out();
        assertTrue(report.contains("Point of no return: **accept-writes**, after which a rollback cannot restore the world"), report);
        assertTrue(report.contains("| accept-writes ⊘ point of no return | succeeded |"), report);
    }

    @Test
    void thePlanMarksThePointOfNoReturnAndSaysWhatCanBeUndoneBeforeIt() {
        LockstepCli.Result plan = cli.run("plan", RUNBOOK, "-p", "work=" + work);
        assertEquals(0, plan.exit(), plan.all());
        List<String> lines = plan.out().lines().toList();
        int marker = lines.indexOf("    ---- POINT OF NO RETURN: after accept-writes a rollback cannot restore the world "
                + "(the runbook says irreversible: true (its rollback, run, cannot restore the world)) ----");
        assertTrue(marker > 0, plan.out());
        assertEquals("    ---- go/no-go before it: a typed confirmation ----", lines.get(marker + 1));
        assertTrue(lines.get(marker + 2).startsWith(" 3. accept-writes  "), "the marker stands before the step:\n" + plan.out());
        assertTrue(lines.contains("Point of no return: accept-writes (the runbook says irreversible: true (its rollback, run, "
                + "cannot restore the world)); before it 1 can be undone: prepare"), plan.out());
    }

    /** Saved in one process, run in another: the reviewed document holds the point, and the run still asks its go/no-go. */
    @Test
    void aSavedPlanHoldsThePointOfNoReturnAndItsRunAsksTheGoNoGo() throws IOException {
        LockstepCli processes = cli.inSeparateProcesses();
        Path saved = tmp.resolve("no-return.plan.json");
        LockstepCli.Result plan = processes.run("plan", RUNBOOK, "-p", "work=" + work, "--out", saved.toString());
        assertEquals(0, plan.exit(), plan.all());
        @SuppressWarnings("unchecked")
        Map<String, Object> document = (Map<String, Object>) ((Map<String, Object>) Json.parse(Files.readString(saved))).get("plan");
        assertEquals(3, ((Number) document.get("lockstepPlan")).intValue());
        assertEquals(Map.of("step", "accept-writes", "computed", "accept-writes", "declared", "accept-writes",
                "why", "the runbook says irreversible: true (its rollback, run, cannot restore the world)", "gated", true,
                "undoableBefore", List.of("prepare")), document.get("pointOfNoReturn"));

        LockstepCli.Result stopped = processes.run("run", RUNBOOK, "--plan", saved.toString(), "--no-tui", "--yes");
        assertEquals(7, stopped.exit(), stopped.all());
        assertTrue(stopped.err().contains("step accept-writes is the point of no return"), stopped.err());
        LockstepCli.Result passed = processes.run("resume", "--no-tui", "--confirm", "accept-writes=accept-writes");
        assertEquals(0, passed.exit(), passed.all());
        assertTrue(Files.exists(work.resolve("writes")));
    }

    @Test
    void aDeclaredPointThatLockstepDoesNotComputeIsAWarningInValidateAndPlan() throws IOException {
        Path later = tmp.resolve("later.yaml");
        Files.writeString(later, Files.readString(Path.of(RUNBOOK)).replace("pointOfNoReturn: accept-writes", "pointOfNoReturn: after"));
        String warning = later + ":9:18: warning: the runbook declares its point of no return at step after, but lockstep computes "
                + "step accept-writes: the runbook says irreversible: true (its rollback, run, cannot restore the world)";

        LockstepCli.Result validate = cli.run("validate", later.toString());
        assertEquals(0, validate.exit(), "a warning, not an error: " + validate.all());
        assertTrue(validate.err().lines().anyMatch(warning::equals), validate.all());

        LockstepCli.Result json = cli.run("validate", later.toString(), "--output", "json");
        assertEquals(0, json.exit(), json.all());
        @SuppressWarnings("unchecked")
        Map<String, Object> file = (Map<String, Object>) ((List<Object>) ((Map<String, Object>) Json.parse(json.out())).get("files")).get(0);
        assertEquals(true, file.get("valid"));
        assertEquals(List.of(warning), file.get("warnings"));

        LockstepCli.Result plan = cli.run("plan", later.toString(), "-p", "work=" + work);
        assertEquals(0, plan.exit(), plan.all());
        assertTrue(plan.out().lines().anyMatch(warning::equals), plan.out());
        assertTrue(plan.out().contains("Point of no return: after (the runbook declares it (pointOfNoReturn)); before it 1 can be "
                + "undone: prepare"), "the runbook's own is the one marked:\n" + plan.out());
        LockstepCli.Result planJson = cli.run("plan", later.toString(), "-p", "work=" + work, "--output", "json");
        assertEquals(0, planJson.exit(), planJson.all());
        assertTrue(planJson.err().lines().anyMatch(warning::equals), planJson.all());
    }
}
