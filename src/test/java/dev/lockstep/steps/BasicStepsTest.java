package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run, manual and wait step types, through the CLI, on real shells and files. */
class BasicStepsTest {
    private static final String DIR = "src/test/resources/runbooks/steps/";

    @TempDir
    Path tmp;

    private LockstepCli cli() {
        return new LockstepCli(tmp.resolve("state"));
    }

    @Test
    void outputsComeFromJsonAndRegexCapturesAndReachLaterSteps() {
        LockstepCli.Result r = cli().env("EXPECTED_DIR", Path.of("src/test/resources/runbooks").toAbsolutePath().toString())
                .run("run", DIR + "capture.yaml", "--no-tui");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("outputs: rows=42 second=events"), r.out());
        assertTrue(r.out().contains("outputs: last_dest=10 both=42/OK"), r.out());
        assertTrue(r.out().contains("| in runbooks"), r.out());
    }

    @Test
    void aRequiredLineThatNeverAppearedHaltsEvenAfterUntil() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        LockstepCli.Result missing = cli().run("run", DIR + "require.yaml", "--no-tui", "-p", "out=" + out,
                "-p", "table_lines=kv events");
        assertEquals(3, missing.exit(), missing.all());
        assertTrue(missing.err().contains("step migrate halted: required output never appeared: /tags: .*\\[OK\\]/"),
                missing.err());
        assertTrue(!Files.exists(out.resolve("started")), "nothing after the halt ran");
    }

    /** A step that ends before its until line succeeds quietly: what the engine adds to its result is no fault of its type. */
    @Test
    void aStepThatEndsWithoutItsUntilLineSucceedsWithoutANotice() throws IOException {
        Path book = Files.writeString(tmp.resolve("until.yaml"), """
                lockstep: 1
                name: until
                steps:
                  - id: s
                    run: echo hello
                    logs:
                      until: never-appears
                """);
        LockstepCli.Result r = cli().run("run", book.toString(), "--no-tui", "--yes");
        assertEquals(0, r.exit(), r.all());
        assertFalse(r.all().contains("note:"), r.all());
    }

    @Test
    void aCountLineWithoutOkHaltsWhateverTheTableAndNamesTheLine() {
        LockstepCli.Result ok = cli().run("run", DIR + "every.yaml", "--no-tui");
        assertEquals(0, ok.exit(), ok.all());
        LockstepCli.Result failed = cli().run("run", DIR + "every.yaml", "--no-tui", "--new",
                "-p", "fourth=sphere_relay__reactions: source=5 dest=0 FAILED");
        assertEquals(3, failed.exit(), failed.all());
        // The process may end before the halt stops it; then its exit is said too ("…/; exit 0:   …").
        String halted = "step migrate halted: output matched logs.every lines /source=\\d+ dest=\\d+/ but not its must /\\[OK\\]/";
        assertTrue(failed.err().matches("(?s).*" + Pattern.quote(halted) + "(; exit \\d+)?:   "
                + Pattern.quote("sphere_relay__reactions: source=5 dest=0 FAILED") + ".*"), failed.err());
        assertFalse(failed.out().contains("step after started"), failed.out());
    }

    @Test
    void stepStartTimesAndUrlEncodedValuesReachLaterSteps() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        java.time.Instant before = java.time.Instant.now();
        LockstepCli.Result r = cli().run("run", DIR + "require.yaml", "--no-tui", "-p", "out=" + out);
        assertEquals(0, r.exit(), r.all());
        java.time.Instant started = java.time.Instant.parse(Files.readString(out.resolve("started")).trim());
        assertTrue(!started.isBefore(before.minusSeconds(1)) && !started.isAfter(java.time.Instant.now()), started.toString());
        assertEquals("postgres://zooid:p%40ss%2Fw%20rd@db:5432/zooid", Files.readString(out.resolve("url")).trim());
    }

    @Test
    void anOutputThatComesBackNullOrEmptyFailsTheStepThatProducedItNamingIt() {
        LockstepCli.Result ok = cli().run("run", DIR + "empty-output.yaml", "--no-tui");
        assertEquals(0, ok.exit(), ok.all());
        assertTrue(ok.out().contains("registering with access point fsap-0123"), ok.out());
        for (String[] c : new String[][] {{"{\"access_point\": null}", "null"}, {"{\"access_point\": \"\"}", "empty"}}) {
            LockstepCli.Result r = cli().run("run", DIR + "empty-output.yaml", "--no-tui", "--new", "-p", "doc=" + c[0]);
            assertEquals(1, r.exit(), r.all());
            assertTrue(r.err().contains("step ids failed: the step ran, but output access_point (" + DIR + "empty-output.yaml:11:21) "
                    + "came back " + c[1]), r.err());
            assertFalse(r.out().contains("step register started"), r.out());
        }
    }

    @Test
    void stdoutThatIsNotJsonFailsTheStep() {
        LockstepCli.Result r = cli().run("run", DIR + "not-json.yaml", "--no-tui");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains("step json failed: exit 0, but stdout is not JSON"), r.err());
    }

    @Test
    void retriesUntilTheAttemptsRunOutAndTimeoutsStopTheProcess() throws IOException {
        Path counter = tmp.resolve("counter");
        LockstepCli.Result r = cli().run("run", DIR + "timeout-retry.yaml", "--no-tui", "-p", "counter=" + counter);
        assertEquals(1, r.exit(), r.all());
        assertEquals(3, Files.readAllLines(counter).size(), "two failed attempts, the third succeeded");
        assertTrue(r.out().contains("step flaky attempt 1 failed: exit 1"), r.out());
        assertTrue(r.err().contains("step hangs failed: timed out after 300ms"), r.err());
    }

    @Test
    void untilEndsAStepSuccessfullyAndWaitGivesUpAtItsTimeout() {
        LockstepCli.Result r = cli().run("run", DIR + "until.yaml", "--no-tui");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("ok step tail succeeded"), r.out());
        assertTrue(r.out().contains("poll 2: not yet (exit 1)"), r.out());
        assertTrue(r.err().contains("step poll failed: timed out after 200ms: exit 1"), r.err());
    }

    @Test
    void manualStepsNeedTheOperatorAndHaveABuiltInUndo() {
        LockstepCli cli = cli();
        LockstepCli.Result declined = cli.run("run", DIR + "manual.yaml", "--no-tui");
        assertEquals(1, declined.exit(), declined.all());
        assertTrue(declined.err().contains("the operator did not confirm it was done"), declined.err());
        LockstepCli.Result done = cli.run("resume", "--no-tui", "--yes");
        assertEquals(0, done.exit(), done.all());
        assertTrue(done.out().contains("operator asked: Post the maintenance notice"), done.out());
        String manualRun = done.out().lines().filter(l -> l.startsWith("run manual-")).findFirst().orElseThrow().split(" ")[1];
        LockstepCli.Result rollback = cli.run("rollback", "--no-tui", "--yes", manualRun, "--confirm-run", manualRun);
        assertEquals(0, rollback.exit(), rollback.all());
        assertTrue(rollback.out().contains("undo announce (succeeded): manual (built-in undo)"), rollback.out());
        assertTrue(rollback.out().contains("operator asked: Post that maintenance is cancelled"), rollback.out());
    }

    @Test
    void aFailedRollbackIsContinuedWhereItStoppedWithoutUndoingAnythingTwice() throws IOException {
        LockstepCli cli = cli();
        Path dir = Files.createDirectories(tmp.resolve("work"));
        LockstepCli.Result run = cli.run("run", DIR + "rollback-fails.yaml", "--no-tui", "-p", "dir=" + dir);
        assertEquals(0, run.exit(), run.all());
        String id = run.out().lines().filter(l -> l.startsWith("run rollback-fails-")).findFirst().orElseThrow().split(" ")[1];
        LockstepCli.Result first = cli.run("rollback", id, "--no-tui", "--yes", "--confirm-run", id);
        assertEquals(1, first.exit(), first.all());
        assertTrue(first.err().contains("rollback of step b failed: exit 1"), first.err());
        assertEquals(java.util.List.of("undo-c"), Files.readAllLines(dir.resolve("undone")));
        assertTrue(cli.run("runs").out().contains("rollback-failed"));

        Files.createFile(dir.resolve("allow"));
        LockstepCli.Result second = cli.run("rollback", id, "--no-tui");
        assertEquals(0, second.exit(), "a rollback in progress needs no second confirmation: " + second.all());
        assertEquals(java.util.List.of("undo-c", "undo-b", "undo-a", "final"), Files.readAllLines(dir.resolve("undone")));
    }

    /**
     * A script is not a command-line argument (Linux refuses one over 128 KiB): a step, its check and its rollback
     * each run a script of 300 KB, as bash -c would run it ($0 is bash, no arguments, standard input empty).
     */
    @Test
    void scriptsOfAnySizeThatValidateRunAsStepChecksAndRollbacks() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("work"));
        String filler = ("      # " + "x".repeat(992) + "\n").repeat(300);
        String runbook = "lockstep: 1\nname: big-scripts\nparams:\n  dir: {}\nsteps:\n  - id: big\n"
                + "    check:\n      - readOnly: true\n        run: |\n" + filler.replace("      ", "          ")
                + "          echo check >> \"${{ params.dir }}/ran\"\n"
                + "    run: |\n" + filler
                + "      echo \"shell=$0 args=$# stdin=$(wc -c)\"\n      echo step >> \"${{ params.dir }}/ran\"\n"
                + "    rollback:\n      run: |\n" + filler.replace("      ", "        ")
                + "        echo rollback >> \"${{ params.dir }}/ran\"\n";
        assertTrue(runbook.length() > 3 * 300_000, "three scripts of 300 KB each");
        Path file = Files.writeString(tmp.resolve("big-scripts.yaml"), runbook);
        LockstepCli cli = cli();
        LockstepCli.Result run = cli.run("run", file.toString(), "--no-tui", "-p", "dir=" + dir);
        assertEquals(0, run.exit(), run.all());
        assertTrue(run.out().contains("| shell=bash args=0 stdin=0"), run.out());
        String id = run.out().lines().filter(l -> l.startsWith("run big-scripts-")).findFirst().orElseThrow().split(" ")[1];
        LockstepCli.Result rollback = cli.run("rollback", id, "--no-tui", "--yes", "--confirm-run", id);
        assertEquals(0, rollback.exit(), rollback.all());
        assertEquals(java.util.List.of("check", "step", "rollback"), Files.readAllLines(dir.resolve("ran")));
    }

    /** An environment variable Linux would refuse to pass on (over 128 KiB) is a problem at load, not a failure at run time. */
    @Test
    void anEnvironmentValueLinuxCannotPassIsRefusedAtLoad() throws IOException {
        String value = ("          " + "v".repeat(990) + "\n").repeat(140);
        Path file = Files.writeString(tmp.resolve("big-env.yaml"), "lockstep: 1\nname: big-env\nsteps:\n  - id: a\n"
                + "    run: echo \"$BIG\" | wc -c\n    with:\n      env:\n        BIG: |\n" + value);
        LockstepCli.Result r = cli().run("validate", file.toString());
        assertEquals(5, r.exit(), r.all());
        assertTrue(r.err().contains(file + ":7:7: with: env BIG: expected at most 131071 bytes with its name"), r.err());
        Path fits = Files.writeString(tmp.resolve("fits.yaml"), Files.readString(file).replace(value, value.substring(0, 120_000)));
        LockstepCli.Result run = cli().run("run", fits.toString(), "--no-tui");
        assertEquals(0, run.exit(), run.all());
    }
}
