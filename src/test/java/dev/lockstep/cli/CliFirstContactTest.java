package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a newcomer's first mistakes print: the error, the nearest right spelling, and where the help is. */
class CliFirstContactTest {
    @TempDir
    Path tmp;

    LockstepCli cli;

    @BeforeEach
    void setUp() {
        cli = new LockstepCli(tmp.resolve("state"));
    }

    private static void assertUsage(LockstepCli.Result r, String error, String command) {
        assertEquals(2, r.exit(), r.all());
        assertEquals("lockstep: " + error + "\nsee " + command + " --help\n", r.err());
    }

    @Test
    void aMistypedCommandOrOptionIsOneLineWithTheNearestMatch() {
        assertUsage(cli.run("shwo"), "unknown command 'shwo' (did you mean show?)", "lockstep");
        assertUsage(cli.run("runs", "--outptu", "json"), "unknown option '--outptu' (did you mean --output?)", "lockstep runs");
        assertUsage(cli.run("runs", "--outptu=json"), "unknown option '--outptu' (did you mean --output?)", "lockstep runs");
        assertUsage(cli.run("lock", "brek"), "unknown command 'brek' (did you mean break?)", "lockstep lock");
        assertUsage(cli.run("validate", "--frobnicate", "x.yaml"), "unknown option '--frobnicate'", "lockstep validate");
    }

    @Test
    void aMistypedStepIdSuggestsTheNearestOne() {
        LockstepCli.Result r = cli.run("run", "runbooks/demo.yaml", "--no-tui", "-p", "workdir=" + tmp.resolve("work"),
                "--confirm", "swtich=relay");
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().contains("--confirm swtich: runbook demo has no step 'swtich' (did you mean switch?): expected one of "),
                r.err());
    }

    @Test
    void helpDescribesNestedCommandsAndListsMan() {
        LockstepCli.Result nested = cli.run("help", "lock", "break");
        assertEquals(0, nested.exit(), nested.all());
        assertTrue(nested.out().startsWith("Usage: lockstep lock break "), nested.out());
        LockstepCli.Result typo = cli.run("help", "lock", "brek");
        assertEquals(2, typo.exit(), typo.all());
        assertTrue(typo.err().contains("lockstep lock has no command 'brek' (did you mean break?)"), typo.err());
        LockstepCli.Result help = cli.run("help");
        assertTrue(help.out().lines().anyMatch(l -> l.startsWith("  man ")), help.out());
    }

    @Test
    void aMissingFileDoesNotStopValidateCheckingTheOthers() throws IOException {
        Path broken = Files.writeString(tmp.resolve("broken.yaml"), "lockstep: 1\nname: broken\nstepz: []\n");
        Path missing = tmp.resolve("missing.yaml");
        LockstepCli.Result r = cli.run("validate", "runbooks/demo.yaml", missing.toString(), broken.toString());
        assertEquals(12, r.exit(), r.all());
        assertEquals("ok runbooks/demo.yaml (5 steps)\n", r.out());
        assertTrue(r.err().contains("lockstep: cannot read " + missing + ": no such file\n"), r.err());
        assertTrue(r.err().contains(broken + ":"), "the broken file was checked too: " + r.err());
        assertTrue(r.err().endsWith(" found, 1 file not read (IO)\n"), r.err());
    }

    /** The shortest start of {@code id} that {@code other} does not share. */
    private static String uniqueStart(String id, String other) {
        int shared = 0;
        while (id.charAt(shared) == other.charAt(shared)) shared++;
        return id.substring(0, shared + 1);
    }

    @Test
    void everyCommandTakingARunIdAcceptsAUniqueStartAndDefaultsToTheLatest() throws IOException {
        String first = ReportFileTest.finishedRun(cli, tmp);
        String second = ReportFileTest.finishedRun(cli, tmp);
        String firstStart = uniqueStart(first, second);
        String secondStart = uniqueStart(second, first);

        assertTrue(cli.run("show").out().startsWith("Run " + second + ": "), "show defaults to the latest run");
        assertTrue(cli.run("show", firstStart).out().startsWith("Run " + first + ": "));
        LockstepCli.Result report = cli.run("report", secondStart, "-o", "-");
        assertEquals(0, report.exit(), report.all());
        assertTrue(report.out().contains(second), report.out());
        String state = cli.stateDir().toString();
        assertEquals("nobody holds run " + second + "\n", cli.run("lock", "show", "--state-dir", state).out());
        assertEquals("nobody holds run " + first + "\n", cli.run("lock", "show", firstStart, "--state-dir", state).out());
        for (String command : new String[] {"resume", "rollback"}) {
            LockstepCli.Result r = cli.run(command, firstStart, "--no-tui");
            assertTrue(r.all().contains(first) && !r.all().contains("no run " + firstStart), command + ": " + r.all());
        }

        String shared = first.substring(0, first.indexOf('-') + 1);
        for (String[] args : new String[][] {{"show", shared}, {"report", shared}, {"resume", shared, "--no-tui"},
                {"rollback", shared, "--no-tui"}, {"lock", "show", shared, "--state-dir", state},
                {"lock", "break", shared, "--state-dir", state},
                {"state", "copy", firstStart, shared, "--from", state, "--to", tmp.resolve("elsewhere").toString()}}) {
            LockstepCli.Result r = cli.run(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.all());
            assertTrue(r.err().contains("run id '" + shared + "' is the start of 2 runs: "), r.err());
            assertTrue(r.err().contains(first) && r.err().contains(second), r.err());
        }
        assertFalse(Files.exists(tmp.resolve("elsewhere")), "no run copied when one of the ids is ambiguous");
        LockstepCli.Result copied = cli.run("state", "copy", firstStart, "--from", state, "--to", tmp.resolve("elsewhere").toString());
        assertEquals(0, copied.exit(), copied.all());
        assertTrue(copied.out().contains(first), copied.out());
    }

    @Test
    void timesSayTheirZone() throws IOException {
        String id = ReportFileTest.finishedRun(cli, tmp);
        String runs = cli.run("runs").out();
        assertTrue(runs.lines().skip(1).allMatch(l -> l.matches(".* \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\d{4}-.* UTC run_finished")),
                runs);
        String show = cli.run("show", id).out();
        assertTrue(show.lines().anyMatch(l -> l.matches("Started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC by .*")), show);
        assertTrue(show.lines().anyMatch(l -> l.matches("  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC  run_finished.*")), show);
    }

    /** A run id's stamp is in UTC, as printed times are, whatever this machine's zone (+05:45 here). */
    @Test
    void runIdsAreStampedInUtcAsTimesArePrinted() throws IOException {
        TimeZone before = TimeZone.getDefault();
        String id;
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kathmandu"));
            id = ReportFileTest.finishedRun(cli, tmp);
        } finally {
            TimeZone.setDefault(before);
        }
        Matcher stamp = Pattern.compile("tiny-(\\d{8}-\\d{6})-.*").matcher(id);
        assertTrue(stamp.matches(), id);
        LocalDateTime fromId = LocalDateTime.parse(stamp.group(1), DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Matcher started = Pattern.compile("(?s).*\nStarted (\\S+ \\S+) UTC by .*").matcher(cli.run("show", id).out());
        assertTrue(started.matches(), id);
        LocalDateTime printed = LocalDateTime.parse(started.group(1), DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
        // The id is made a moment before the run records its start: the same minute, not 5 h 45 min apart.
        assertTrue(Duration.between(fromId, printed).abs().toMinutes() < 1, fromId + " vs " + printed);
    }
}
