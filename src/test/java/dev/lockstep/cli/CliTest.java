package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.journal.RunLock;
import dev.lockstep.journal.StateDir;
import dev.lockstep.spi.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as users drive it, in-process: exit codes, messages and what lands on disk. */
class CliTest {
    static final String DEMO = "runbooks/demo.yaml";

    @TempDir
    Path tmp;

    LockstepCli cli;
    Path work;

    @BeforeEach
    void setUp() {
        cli = new LockstepCli(tmp.resolve("state"));
        work = tmp.resolve("work");
    }

    private LockstepCli.Result demo(String... extra) {
        String[] args = Stream.concat(Stream.of("run", DEMO, "--no-tui", "-p", "workdir=" + work), Stream.of(extra))
                .toArray(String[]::new);
        return cli.run(args);
    }

    private String onlyRunId() throws IOException {
        try (Stream<Path> s = Files.list(cli.stateDir().resolve("runs"))) {
            var ids = s.map(p -> p.getFileName().toString()).toList();
            assertEquals(1, ids.size(), "runs: " + ids);
            return ids.get(0);
        }
    }

    private String journal(String runId) throws IOException {
        return Files.readString(new StateDir(cli.stateDir()).journal(runId));
    }

    @Test
    void demoRunsToTheEndWhenEveryConfirmationIsGiven() throws IOException {
        LockstepCli.Result r = demo("--confirm", "switch=relay");
        assertEquals(0, r.exit(), r.all());
        assertEquals("readers=target", Files.readString(work.resolve("pointer")).trim());
        assertTrue(r.out().contains("outputs: source_rows=500"), r.out());
        LockstepCli.Result runs = cli.run("runs");
        assertTrue(runs.out().contains("succeeded") && runs.out().contains("5/5"), runs.out());
    }

    /** The log keeps every attempt of a step: after a resume, a line parts the new attempt from the old. */
    @Test
    void aRetryAfterAResumeIsPartedFromTheEarlierAttemptInTheLog() throws IOException {
        assertEquals(3, demo("-p", "corrupt=true").exit());
        LockstepCli.Result retried = cli.run("resume", "--no-tui", "--retry", "verify");
        assertEquals(3, retried.exit(), retried.all());
        String runId = onlyRunId();
        List<String> log = Files.readAllLines(new StateDir(cli.stateDir()).stepLog(runId, "verify"));
        List<String> separators = log.stream().filter(l -> l.contains("── attempt")).toList();
        assertEquals(1, separators.size(), "one line parts the two attempts: " + log);
        assertTrue(separators.get(0).matches(".*── attempt 2 \\(resumed \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\) ──"),
                separators.get(0));
        int at = log.indexOf(separators.get(0));
        assertTrue(log.subList(0, at).stream().anyMatch(l -> l.contains("[MISMATCH]")), "the first attempt's lines come first: " + log);
        assertTrue(log.subList(at, log.size()).stream().anyMatch(l -> l.contains("[MISMATCH]")), "then the second's: " + log);
        assertTrue(retried.out().contains("── attempt 2 (resumed "), "the plain lines show it too: " + retried.out());
    }

    /** Each succeeded step's duration as "show" lists it (step id to duration). */
    private Map<String, String> shownDurations(String runId) {
        LockstepCli.Result show = cli.run("show", runId);
        assertEquals(0, show.exit(), show.all());
        Map<String, String> out = new java.util.LinkedHashMap<>();
        show.out().lines().map(String::strip).map(l -> l.split("\\s+")).filter(w -> w.length >= 3 && w[1].equals("succeeded"))
                .forEach(w -> out.put(w[0], w[2]));
        return out;
    }

    /**
     * A finished step's duration is the one its journaled start and end give: the plain line says
     * what show says, and resuming the run later changes neither.
     */
    @Test
    void aFinishedStepsDurationIsTheJournalsOwnBeforeAndAfterAResume() throws IOException {
        LockstepCli.Result first = demo();
        assertEquals(7, first.exit(), first.all());
        Map<String, String> printed = new java.util.LinkedHashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("ok step (\\S+) succeeded in (\\S+):").matcher(first.out());
        while (m.find()) printed.put(m.group(1), m.group(2));
        assertEquals(List.of("prepare", "copy", "verify"), List.copyOf(printed.keySet()), first.out());
        String runId = onlyRunId();
        assertEquals(printed, shownDurations(runId), "the plain lines and show agree");
        LockstepCli.Result resumed = cli.run("resume", "--no-tui", "--confirm", "switch=relay");
        assertEquals(0, resumed.exit(), resumed.all());
        Map<String, String> after = shownDurations(runId);
        printed.forEach((step, took) -> assertEquals(took, after.get(step), step + " took what it took, after the resume too"));
    }

    @Test
    void typedConfirmationMustMatchExactly() throws IOException {
        LockstepCli.Result none = demo();
        assertEquals(7, none.exit(), none.all());
        assertTrue(none.err().contains("needs the typed confirmation 'relay' (--confirm switch=VALUE)"), none.err());
        assertEquals("readers=source", Files.readString(work.resolve("pointer")).trim());
        LockstepCli.Result wrong = cli.run("resume", "--no-tui", "--confirm", "switch=Relay");
        assertEquals(7, wrong.exit(), wrong.all());
        assertTrue(wrong.err().contains("the typed confirmation did not match: expected 'relay' (--confirm switch=VALUE)"),
                wrong.err());
        assertTrue(journal(onlyRunId()).contains("\"type\":\"STEP_BLOCKED\",\"step\":\"switch\",\"data\":{\"reason\":"
                + "\"the typed confirmation did not match: expected 'relay'\"}"), "the journal records a mismatch");
        LockstepCli.Result right = cli.run("resume", "--no-tui", "--confirm", "switch=relay");
        assertEquals(0, right.exit(), right.all());
        assertTrue(journal(onlyRunId()).contains("\"type\":\"STEP_CONFIRMED\",\"step\":\"switch\""));
    }

    @Test
    void mismatchHaltsUntilTheOperatorOverridesWithATypedConfirmation() throws IOException {
        LockstepCli.Result halted = demo("-p", "corrupt=true", "--confirm", "switch=relay");
        assertEquals(3, halted.exit(), halted.all());
        assertTrue(halted.out().contains("HALTED step verify"), halted.out());
        assertTrue(halted.out().contains("evidence: table: source=500 dest=499 [MISMATCH]"), halted.out());
        assertEquals("readers=source", Files.readString(work.resolve("pointer")).trim(), "nothing after the halt ran");

        LockstepCli.Result again = cli.run("resume", "--no-tui", "--confirm", "switch=relay");
        assertEquals(3, again.exit(), "a plain resume does not pass a halt: " + again.all());

        LockstepCli.Result badOverride = cli.run("resume", "--no-tui", "--override", "verify=yes");
        assertEquals(2, badOverride.exit(), badOverride.all());

        LockstepCli.Result overridden = cli.run("resume", "--no-tui", "--override", "verify=verify", "--confirm", "switch=relay");
        assertEquals(0, overridden.exit(), overridden.all());
        String id = onlyRunId();
        LockstepCli.Result report = cli.run("report", id, "-o", "-");
        assertTrue(report.out().contains("halt overridden by"), report.out());
        assertTrue(report.out().contains("halt evidence: `table: source=500 dest=499 [MISMATCH]`"), report.out());
    }

    @Test
    void retryOfAHaltedStepRunsItAgain() throws IOException {
        assertEquals(3, demo("-p", "corrupt=true").exit());
        Files.copy(work.resolve("source.tsv"), work.resolve("target.tsv"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        LockstepCli.Result retried = cli.run("resume", "--no-tui", "--retry", "verify", "--confirm", "switch=relay");
        assertEquals(0, retried.exit(), retried.all());
        assertTrue(retried.out().contains("table: source=500 dest=500 [OK]"), retried.out());
    }

    @Test
    void failedPreconditionStopsBeforeAnythingRuns() throws IOException {
        Files.createDirectories(work);
        LockstepCli.Result r = cli.run("run", "src/test/resources/runbooks/cli/precondition.yaml", "--no-tui",
                "-p", "dir=" + work);
        assertEquals(4, r.exit(), r.all());
        assertTrue(r.err().contains("step guarded did not start: check 1 (the ready file exists): exitCode=1 (expected 0)"),
                "a check's name is used in every message about it:\n" + r.err());
        assertTrue(r.out().contains("check 1 (the ready file exists) FAILED: exitCode=1 (expected 0)"), r.out());
        assertFalse(Files.exists(work.resolve("guarded-ran")));
        Files.createFile(work.resolve("ready"));
        LockstepCli.Result resumed = cli.run("resume", "--no-tui");
        assertEquals(0, resumed.exit(), resumed.all());
        assertTrue(Files.exists(work.resolve("guarded-ran")));
    }

    @Test
    void planWritesNothingAndRunsOnlyReadOnlyChecks() throws IOException {
        Files.createDirectories(work);
        Path state = tmp.resolve("plan-state");
        LockstepCli planCli = new LockstepCli(state).env("LOCKSTEP_STATE_DIR", state.toString());
        LockstepCli.Result r = planCli.run("plan", "src/test/resources/runbooks/cli/plan-side-effects.yaml",
                "-p", "dir=" + work);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("check 1: run -> PASS"), r.out());
        assertTrue(r.out().contains("check 2: run -> NOT_RUN (not read-only"), r.out());
        assertTrue(r.out().contains("check 1: run -> NOT_RUN (depends on steps.change.outputs.stamp)"), r.out());
        assertTrue(r.out().contains("$ echo \"${LS_STEPS_CHANGE_OUTPUTS_STAMP}\""), r.out());
        assertTrue(r.out().contains("env LS_STEPS_CHANGE_OUTPUTS_STAMP=<steps.change.outputs.stamp>"), r.out());
        try (Stream<Path> s = Files.list(work)) {
            assertEquals(0, s.count(), "plan must not run steps or non-read-only checks");
        }
        assertFalse(Files.exists(state), "plan must not create the state dir, a journal or a lock");
    }

    @Test
    void secretsAppearNowhere() throws IOException {
        String secret = "s3cr3t-Pa55+word/xyz";
        cli.env("DEMO_API_TOKEN", secret);
        LockstepCli.Result r = demo("--confirm", "switch=relay");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("(token: ******)"), r.out());
        String id = onlyRunId();
        LockstepCli.Result report = cli.run("report", id);
        LockstepCli.Result show = cli.run("show", id);
        LockstepCli.Result rollback = cli.run("rollback", id, "--no-tui", "--yes", "--confirm-run", id);
        assertEquals(0, rollback.exit(), rollback.all());
        String printed = r.all() + report.all() + show.all() + rollback.all();
        assertFalse(printed.contains(secret), printed);
        assertFalse(printed.contains("s3cr3t-Pa55%2Bword%2Fxyz"), "URL-encoded form too");
        try (Stream<Path> files = Files.walk(cli.stateDir())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = Files.readString(f);
                assertFalse(content.contains(secret), "secret in " + f);
            }
        }
        LockstepCli.Result onCommandLine = cli.run("run", DEMO, "--no-tui", "-p", "api_token=" + secret);
        assertEquals(2, onCommandLine.exit());
        assertTrue(onCommandLine.err().contains("cannot be given with -p"), onCommandLine.err());
        assertFalse(onCommandLine.all().contains(secret));
    }

    @Test
    void parameterValuesNeverBecomeShellSyntax() throws IOException {
        Files.createDirectories(work);
        String hostile = "$(touch " + work.resolve("pwned") + "); `touch " + work.resolve("pwned2") + "`";
        LockstepCli.Result r = cli.run("run", "src/test/resources/runbooks/cli/inject.yaml", "--no-tui", "-p", "value=" + hostile);
        assertEquals(0, r.exit(), r.all());
        assertFalse(Files.exists(work.resolve("pwned")));
        assertFalse(Files.exists(work.resolve("pwned2")));
        assertTrue(r.out().contains("got " + hostile), r.out());
    }

    @Test
    void aSecondProcessIsToldWhoHoldsTheLock() {
        Path lockFile = new StateDir(cli.stateDir()).lockFile("demo");
        try (RunLock held = RunLock.acquire(lockFile, "another lockstep")) {
            LockstepCli.Result r = demo();
            assertEquals(6, r.exit(), r.all());
            assertTrue(r.err().contains("pid " + ProcessHandle.current().pid()), r.err());
            assertTrue(r.err().contains("(another lockstep)"), r.err());
        }
        assertEquals(7, demo().exit(), "once released, the runbook can be driven again");
    }

    @Test
    void anUnfinishedRunMustBeResumedOrAbandoned() throws IOException {
        assertEquals(7, demo().exit());
        LockstepCli.Result again = demo();
        assertEquals(9, again.exit(), again.all());
        assertTrue(again.err().contains("has an unfinished run demo-"), again.err());
        LockstepCli.Result fresh = demo("--new", "--confirm", "switch=relay");
        assertEquals(0, fresh.exit(), fresh.all());
        assertTrue(cli.run("runs").out().contains("abandoned"));
    }

    @Test
    void resumeRefusesWhenACompletedStepChangedUnlessForced() throws IOException {
        Path runbook = tmp.resolve("demo.yaml");
        Files.copy(Path.of(DEMO), runbook);
        LockstepCli.Result first = cli.run("run", runbook.toString(), "--no-tui", "-p", "workdir=" + work);
        assertEquals(7, first.exit(), first.all());
        Files.writeString(runbook, Files.readString(runbook).replace("seq 1 ", "seq 2 "));
        LockstepCli.Result refused = cli.run("resume", "--no-tui", "--confirm", "switch=relay");
        assertEquals(8, refused.exit(), refused.all());
        assertTrue(refused.err().contains("step prepare (succeeded) changed its run"), refused.err());
        LockstepCli.Result forced = cli.run("resume", "--no-tui", "--force", "--confirm", "switch=relay");
        assertEquals(0, forced.exit(), forced.all());
        assertTrue(journal(onlyRunId()).contains("\"forced\":[\"step prepare (succeeded) changed its run\"]"));
    }

    @Test
    void rollbackNeedsConfirmationThenUndoesLastStepFirst() throws IOException {
        assertEquals(0, demo("--confirm", "switch=relay").exit());
        String id = onlyRunId();
        String before = journal(id);
        LockstepCli.Result unconfirmed = cli.run("rollback", id, "--no-tui");
        assertEquals(7, unconfirmed.exit(), unconfirmed.all());
        assertTrue(Files.exists(work), "nothing rolled back without confirmation");
        assertEquals(before, journal(id), "a declined rollback writes nothing to the journal");
        assertTrue(unconfirmed.out().contains("1. undo switch (succeeded): run\n       shell: bash"), unconfirmed.out());
        assertTrue(unconfirmed.out().contains("$ echo \"readers=source\" > \"" + work + "/pointer\""),
                "the rollback's actions, resolved:\n" + unconfirmed.out());
        LockstepCli.Result reflex = cli.run("rollback", id, "--no-tui", "--yes");
        assertEquals(7, reflex.exit(), reflex.all());
        assertTrue(reflex.err().contains("succeeded: rolling it back needs its run id typed (--confirm-run " + id + ")"),
                reflex.err());
        assertEquals(before, journal(id), "--yes alone does not undo a run that succeeded");
        LockstepCli.Result r = cli.run("rollback", id, "--no-tui", "--yes", "--confirm-run", id);
        assertEquals(0, r.exit(), r.all());
        String out = r.out();
        assertTrue(out.indexOf("1. undo switch") < out.indexOf("2. undo copy"), out);
        assertTrue(out.indexOf("2. undo copy") < out.indexOf("3. undo prepare"), out);
        assertTrue(out.contains("4. runbook rollback action 1 (to run): run"), out);
        assertTrue(out.contains("No rollback (left as they are): confirm-readers, verify"), out);
        assertFalse(Files.exists(work), "prepare's rollback removes the work folder");
        assertTrue(cli.run("runs").out().contains("rolled-back"));
        assertEquals(10, cli.run("rollback", id, "--no-tui", "--yes").exit(), "a rolled-back run is finished");
    }

    @Test
    void wrongUsageSaysWhereTheHelpIsAndExitsTwo() {
        LockstepCli.Result unknownOption = cli.run("run", DEMO, "--frobnicate");
        assertEquals(2, unknownOption.exit());
        assertTrue(unknownOption.err().contains("unknown option '--frobnicate'"), unknownOption.err());
        assertTrue(unknownOption.err().contains("see lockstep run --help"), unknownOption.err());
        assertEquals(2, cli.run().exit());
        LockstepCli.Result unknownParam = cli.run("run", DEMO, "--no-tui", "-p", "nope=1");
        assertEquals(2, unknownParam.exit());
        assertTrue(unknownParam.err().contains("unknown parameter nope"), unknownParam.err());
        LockstepCli.Result badPattern = cli.run("run", DEMO, "--no-tui", "-p", "rows=lots");
        assertEquals(5, badPattern.exit());
        assertTrue(badPattern.err().contains("runbooks/demo.yaml:17:3: parameter rows: expected a value matching"), badPattern.err());
        assertEquals(10, cli.run("show", "no-such-run").exit());
        LockstepCli.Result badEndpoint = cli.run("plan", DEMO, "--endpoint-url", "localhost 4566");
        assertEquals(2, badEndpoint.exit());
        assertTrue(badEndpoint.err().contains("--endpoint-url: expected http(s)://HOST[:PORT], got 'localhost 4566'"), badEndpoint.err());
        LockstepCli.Result badRegion = cli.run("plan", DEMO, "--region", "Mars");
        assertEquals(2, badRegion.exit());
        assertTrue(badRegion.err().contains("--region: expected an AWS region such as me-central-1, got 'Mars'"), badRegion.err());
    }

    @Test
    void validateReportsEveryProblemOfEveryFile() {
        LockstepCli.Result r = cli.run("validate", DEMO, "src/test/resources/runbooks/invalid/references.yaml",
                "src/test/resources/runbooks/invalid/params.yaml");
        assertEquals(5, r.exit());
        assertTrue(r.out().contains("ok runbooks/demo.yaml (5 steps)"), r.out());
        assertTrue(r.err().contains("lockstep: 12 problems found"), r.err());
    }

    @Test
    @SuppressWarnings("unchecked")
    void thousandsOfProblemsShowTheFirstHundredAndCountTheRest() throws Exception {
        StringBuilder yaml = new StringBuilder("lockstep: 1\nname: many\nsteps:\n");
        for (int i = 0; i < 3000; i++) yaml.append("  - id: s").append(i).append("\n    bogus: 1\n    run: echo\n");
        Path runbook = Files.writeString(tmp.resolve("many.yaml"), yaml);
        for (String command : List.of("validate", "plan")) {
            LockstepCli.Result r = cli.run(command, runbook.toString());
            assertEquals(5, r.exit(), r.err());
            List<String> lines = r.err().lines().toList();
            assertEquals(100, lines.stream().filter(l -> l.startsWith(runbook + ":")).count(), command + ": " + r.err());
            assertTrue(r.err().contains("... and 2900 more not shown"), r.err());
            assertTrue(r.err().contains("lockstep: 3000 problems found"), r.err());
        }
        LockstepCli.Result json = cli.run("validate", runbook.toString(), "--output", "json");
        Map<String, Object> out = (Map<String, Object>) Json.parse(json.out());
        assertEquals(3000, ((Number) out.get("problems")).intValue(), "JSON keeps every problem");
    }

    @Test
    @SuppressWarnings("unchecked")
    void schemaIsJsonDescribingEveryStepType() {
        LockstepCli.Result r = cli.run("schema");
        assertEquals(0, r.exit());
        Map<String, Object> schema = (Map<String, Object>) Json.parse(r.out());
        Map<String, Object> defs = (Map<String, Object>) schema.get("$defs");
        assertTrue(defs.keySet().containsAll(java.util.List.of("with.run", "with.manual", "with.wait", "step", "param")));
        Map<String, Object> run = (Map<String, Object>) ((Map<String, Object>) defs.get("with.run")).get("properties");
        assertTrue(run.containsKey("capture") && run.containsKey("shell"));
    }

    @Test
    void versionAndHelp() {
        LockstepCli.Result v = cli.run("--version");
        assertEquals(0, v.exit());
        assertTrue(v.out().startsWith("lockstep "), v.out());
        LockstepCli.Result h = cli.run("--help");
        assertTrue(h.out().contains("Exit codes:") && h.out().contains("resume"), h.out());
    }
}
