package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step whose inputs are all known before the run, and cannot work: plan says WOULD FAIL and exits
 * non-zero, and a run refuses before its first step, unless the step is accepted by name (recorded).
 */
class WouldFailTest {
    private static final String BOOK = "src/test/resources/runbooks/plan/would-fail.yaml";

    @TempDir
    Path tmp;

    @Test
    void planSaysWouldFailAndExitsNonZero() {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        LockstepCli.Result plan = cli.run("plan", BOOK, "-p", "dir=" + tmp);
        assertEquals(17, plan.exit(), plan.all());
        assertTrue(plan.out().contains("WOULD FAIL: "), plan.out());
        assertTrue(plan.out().endsWith("\n2 steps: 1 checked, 0 would halt, 1 would fail, 0 could not be checked before the run\n"),
                "the plan's last line counts them:\n" + plan.out());
        assertTrue(plan.err().contains("step second would fail: "), plan.err());
        assertTrue(plan.err().contains("soon"), "the value that cannot work is named: " + plan.err());
    }

    @Test
    void aRunRefusesBeforeItsFirstStepUnlessTheStepIsAccepted() {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        LockstepCli.Result run = cli.run("run", BOOK, "-p", "dir=" + tmp, "--no-tui");
        assertEquals(17, run.exit(), run.all());
        assertTrue(run.err().contains("--accept-would-fail second"), run.err());
        assertFalse(Files.exists(tmp.resolve("first-ran")), "the first step did not run");
        assertTrue(cli.run("runs").out().startsWith("no runs"), "nothing was recorded");

        LockstepCli.Result unknown = cli.run("run", BOOK, "-p", "dir=" + tmp, "--no-tui", "--accept-would-fail", "secnod");
        assertEquals(2, unknown.exit(), unknown.all());

        LockstepCli.Result accepted = cli.run("run", BOOK, "-p", "dir=" + tmp, "--no-tui", "--accept-would-fail", "second");
        assertEquals(7, accepted.exit(), accepted.all());
        assertTrue(accepted.all().contains("step second did not start: its values cannot be resolved"), accepted.all());
        assertTrue(Files.exists(tmp.resolve("first-ran")), "accepted: the run went on to its first step");
        String runId = accepted.out().replaceAll("(?s).*run id: (\\S+).*", "$1");
        LockstepCli.Result show = cli.run("show", runId, "--output", "json");
        assertTrue(show.out().contains("--accept-would-fail second"), "the acceptance is recorded with the run:\n" + show.out());
    }

    @Test
    void aSavedPlanThatWouldFailRunsOnlyAccepted() {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        Path plan = tmp.resolve("plan.json");
        assertEquals(17, cli.run("plan", BOOK, "-p", "dir=" + tmp, "--out", plan.toString()).exit());
        LockstepCli.Result run = cli.run("run", BOOK, "--plan", plan.toString(), "--no-tui");
        assertEquals(17, run.exit(), run.all());
        assertTrue(run.err().contains("the reviewed plan says step(s) second would fail or halt"), run.err());
        assertFalse(Files.exists(tmp.resolve("first-ran")));
        LockstepCli.Result accepted = cli.run("run", BOOK, "--plan", plan.toString(), "--no-tui", "--accept-would-fail", "second");
        assertEquals(7, accepted.exit(), accepted.all());
        assertTrue(accepted.all().contains("step second did not start: its values cannot be resolved"), accepted.all());
        assertTrue(Files.exists(tmp.resolve("first-ran")));
    }
}
