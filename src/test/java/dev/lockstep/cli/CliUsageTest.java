package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Wrong usage is exit 2 with the usage, help is on stdout with exit 0, and nothing a user types is ignored. */
class CliUsageTest {
    private static final String DEMO = "runbooks/demo.yaml";
    private static final String DEMO_STEPS = "expected one of prepare, copy, verify, switch, confirm-readers";

    @TempDir
    Path tmp;

    LockstepCli cli;

    @BeforeEach
    void setUp() {
        cli = new LockstepCli(tmp.resolve("state"));
    }

    /** Every command lockstep has, as picocli sees it: a new command cannot slip through without help. */
    private static List<String> commands() {
        Cli none = new Cli(Map.of(), new ByteArrayInputStream(new byte[0]), new PrintStream(PrintStream.nullOutputStream()),
                new PrintStream(PrintStream.nullOutputStream()));
        return List.copyOf(Main.commandLine(none).getSubcommands().keySet());
    }

    @Test
    void everyCommandAnswersHelpOnStdoutAndHelpCommandWorks() {
        List<String> commands = commands();
        assertTrue(commands.containsAll(List.of("demo", "run", "resume", "rollback", "plan", "validate", "runs", "show",
                "report", "schema", "help")), commands.toString());
        for (String command : commands) {
            for (String[] args : List.of(new String[] {command, "--help"}, new String[] {command, "-h"},
                    new String[] {"help", command})) {
                LockstepCli.Result r = cli.run(args);
                assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.all());
                assertTrue(r.out().contains("Usage: lockstep " + command + " "), String.join(" ", args) + ": " + r.out());
                assertEquals("", r.err(), String.join(" ", args));
            }
        }
        LockstepCli.Result help = cli.run("help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("Exit codes:"), help.out());
        LockstepCli.Result unknown = cli.run("help", "nosuch");
        assertEquals(2, unknown.exit(), unknown.all());
    }

    @Test
    void versionAndHelpTakeNothingElse() {
        assertEquals(0, cli.run("--version").exit());
        for (String[] args : List.of(new String[] {"--version", "extra"}, new String[] {"--help", "extra"},
                new String[] {"runs", "--version", "extra"})) {
            LockstepCli.Result r = cli.run(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.all());
            assertTrue(r.err().contains("Unmatched argument") && r.err().contains("'extra'"), r.err());
            assertTrue(r.err().contains("Usage: lockstep"), r.err());
        }
    }

    @Test
    void unknownOptionsAndBadValuesAreUsageErrorsWithoutAStackTrace() {
        for (String command : commands()) {
            LockstepCli.Result r = cli.run(command, "--frobnicate");
            assertEquals(2, r.exit(), command + ": " + r.all());
            assertTrue(r.err().contains("Usage: lockstep " + command), command + ": " + r.err());
            assertNoTrace(r);
        }
        LockstepCli.Result notANumber = cli.run("demo", "--rows", "99999999999");
        assertEquals(2, notANumber.exit(), notANumber.all());
        assertTrue(notANumber.err().contains("Invalid value for option '--rows'"), notANumber.err());
        assertNoTrace(notANumber);
    }

    @Test
    void aStepIdTheRunbookDoesNotHaveIsAUsageErrorNamingTheValidOnes() throws IOException {
        Path work = tmp.resolve("work");
        LockstepCli.Result typo = cli.run("run", DEMO, "--no-tui", "-p", "workdir=" + work, "--confirm", "swich=relay");
        assertEquals(2, typo.exit(), typo.all());
        assertTrue(typo.err().contains("--confirm swich: runbook demo has no step 'swich': " + DEMO_STEPS), typo.err());
        assertFalse(Files.exists(tmp.resolve("state/runs")), "a usage error starts no run");

        assertEquals(7, cli.run("run", DEMO, "--no-tui", "-p", "workdir=" + work).exit(), "stops for the confirmation");
        for (String[] flags : List.of(new String[] {"--mark-done", "nosuch"}, new String[] {"--rerun", "nosuch"},
                new String[] {"--retry", "nosuch"}, new String[] {"--skip", "nosuch", "--reason", "r"},
                new String[] {"--override", "nosuch=nosuch"}, new String[] {"--confirm", "nosuch=relay"})) {
            String[] args = Stream.concat(Stream.of("resume", "--no-tui"), Stream.of(flags)).toArray(String[]::new);
            LockstepCli.Result r = cli.run(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.all());
            assertTrue(r.err().contains(flags[0] + " nosuch: runbook demo has no step 'nosuch': " + DEMO_STEPS), r.err());
        }
        LockstepCli.Result rollback = cli.run("rollback", "--no-tui", "--yes", "--mark-done", "nosuch");
        assertEquals(2, rollback.exit(), rollback.all());
        assertTrue(rollback.err().contains("--mark-done nosuch: runbook demo has no step 'nosuch'"), rollback.err());
        LockstepCli.Result resumed = cli.run("resume", "--no-tui", "--confirm", "switch=relay");
        assertEquals(0, resumed.exit(), "the refusals released the run: " + resumed.all());
    }

    @Test
    void aFileOrAForeignFolderWhereAFolderBelongsIsRefusedAndLeftAlone() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "keep me");
        for (String command : List.of("runs", "resume")) {
            LockstepCli.Result r = new LockstepCli(file).run(command);
            assertEquals(2, r.exit(), command + ": " + r.all());
            assertTrue(r.err().contains("--state-dir " + file + ": expected a folder, but it is a file"), r.err());
        }
        LockstepCli.Result below = new LockstepCli(file.resolve("state")).run("runs");
        assertEquals(2, below.exit(), below.all());
        assertTrue(below.err().contains("expected a folder, but " + file + " is a file"), below.err());
        for (String[] args : List.of(new String[] {"demo", "--dir", file.toString(), "--no-tui", "--yes"},
                new String[] {"demo", "--dir", file.toString(), "--clean"})) {
            LockstepCli.Result r = cli.run(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.all());
            assertTrue(r.err().contains("--dir " + file + ": expected a folder, but it is a file"), r.err());
            assertNoTrace(r);
        }
        assertEquals("keep me", Files.readString(file), "--clean must not delete a file given as --dir");
        for (String[] args : List.of(new String[] {"demo", "--dir", tmp.toString(), "--no-tui", "--yes"},
                new String[] {"demo", "--dir", tmp.toString(), "--clean"})) {
            LockstepCli.Result r = cli.run(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.all());
            assertTrue(r.err().contains("--dir " + tmp + " holds files the demo did not make"), r.err());
        }
        assertEquals("keep me", Files.readString(file), "--clean must not empty a folder the demo did not make");
        LockstepCli.Result folder = cli.run("validate", DEMO, "--params-file", tmp.toString());
        assertEquals(12, folder.exit(), folder.all());
        assertTrue(folder.err().contains("it is a folder, expected a file"), folder.err());
    }

    private static void assertNoTrace(LockstepCli.Result r) {
        for (String trace : List.of("Exception", "\tat ", "at dev.lockstep", "lockstep: internal error")) {
            assertFalse(r.all().contains(trace), "'" + trace + "' in: " + r.all());
        }
    }
}
