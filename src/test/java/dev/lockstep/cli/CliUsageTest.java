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

/** Wrong usage is exit 2 with a short error and where the help is, help is on stdout with exit 0, and nothing a user types is ignored. */
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
            assertTrue(r.err().contains("'extra'"), r.err());
            assertTrue(r.err().endsWith(" --help\n") && r.err().contains("see lockstep"), r.err());
        }
    }

    @Test
    void unknownOptionsAndBadValuesAreUsageErrorsWithoutAStackTrace() {
        for (String command : commands()) {
            LockstepCli.Result r = cli.run(command, "--frobnicate");
            assertEquals(2, r.exit(), command + ": " + r.all());
            assertTrue(r.err().endsWith("\nsee lockstep " + command + " --help\n"), command + ": " + r.err());
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
        assertTrue(typo.err().contains("--confirm swich: runbook demo has no step 'swich' (did you mean switch?): " + DEMO_STEPS),
                typo.err());
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

    /** Values that are words, not places; every other option's value is a URL, a path or a name of a place to act in. */
    private static final List<String> FREE_TEXT = List.of("KEY=VALUE", "STEP", "STEP=STEP", "STEP=VALUE", "RUN_ID", "TEXT",
            "FORMAT", "N", "SHELL");

    /**
     * {@code --endpoint-url ''} (often an unset variable in a script) is usage, as {@code 'not a url'} is, never the
     * default: so for every option of every command whose value is a URL, a path or a name of where to act.
     */
    @Test
    void everyOptionWithAUrlOrAPathRefusesAnEmptyValue() {
        LockstepCli.Result endpoint = cli.run("plan", DEMO, "--endpoint-url", "");
        assertEquals(2, endpoint.exit(), endpoint.all());
        assertTrue(endpoint.err().contains("Invalid value for option '--endpoint-url': expected a URL, got an empty value"),
                endpoint.err());
        Cli none = new Cli(Map.of(), new ByteArrayInputStream(new byte[0]), new PrintStream(PrintStream.nullOutputStream()),
                new PrintStream(PrintStream.nullOutputStream()));
        int checked = 0;
        for (CommandLine command : allCommands(Main.commandLine(none))) {
            for (CommandLine.Model.OptionSpec option : command.getCommandSpec().options()) {
                if (option.arity().max() == 0 || FREE_TEXT.contains(option.paramLabel())) continue;
                List<String> args = new java.util.ArrayList<>(List.of(command.getCommandSpec().qualifiedName(" ").split(" ")));
                args.set(0, args.get(0).equals("lockstep") ? null : args.get(0));
                args.remove(null);
                args.addAll(List.of(option.longestName(), ""));
                LockstepCli.Result r = cli.run(args.toArray(String[]::new));
                assertEquals(2, r.exit(), args + ": " + r.all());
                // A repeatable option's message names its value too: "option '--notify' (URL): expected …".
                assertTrue(r.err().contains("Invalid value for option '" + option.longestName() + "': expected ")
                        || r.err().contains("Invalid value for option '" + option.longestName() + "' (" + option.paramLabel() + "): expected "),
                        args + ": " + r.err());
                assertTrue(r.err().contains(", got an empty value"), args + ": " + r.err());
                assertNoTrace(r);
                checked++;
            }
        }
        assertTrue(checked >= 30, checked + " options checked");
        LockstepCli.Result positional = cli.run("plan", "");
        assertEquals(2, positional.exit(), positional.all());
        assertTrue(positional.err().contains("expected a runbook file, got an empty value"), positional.err());
    }

    private static List<CommandLine> allCommands(CommandLine root) {
        List<CommandLine> out = new java.util.ArrayList<>();
        for (CommandLine sub : root.getSubcommands().values()) {
            out.add(sub);
            out.addAll(allCommands(sub));
        }
        return out;
    }

    /**
     * A mistyped output path (as root, at /) must not become new folders: refused before anything is planned. (Only
     * --junit says it makes its folder: CI jobs write reports/junit.xml into a fresh checkout.)
     */
    @Test
    void outputFilesAreWrittenOnlyIntoFoldersThatExist() throws IOException {
        LockstepCli.Result run = cli.run("run", "src/test/resources/runbooks/steps/every.yaml", "--no-tui");
        assertEquals(0, run.exit(), run.all());
        String id = run.out().lines().filter(l -> l.startsWith("run every-")).findFirst().orElseThrow().split(" ")[1];
        Path missing = tmp.resolve("no-such-folder");
        Path notAFolder = Files.writeString(tmp.resolve("a-file"), "");
        for (Path folder : List.of(missing.resolve("dir"), notAFolder)) {
            for (String[] args : List.of(new String[] {"report", id, "-o", folder.resolve("report.md").toString()},
                    new String[] {"plan", DEMO, "--out", folder.resolve("plan.json").toString()})) {
                LockstepCli.Result r = cli.run(args);
                assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.all());
                assertTrue(r.err().contains(": the folder " + folder + (folder == notAFolder ? " is not a folder"
                        : " does not exist (lockstep makes no folders for its output: make it first)")), r.err());
                assertFalse(r.out().contains("Plan:"), "refused before planning: " + r.out());
                assertNoTrace(r);
            }
        }
        assertFalse(Files.exists(missing), "no folder made");
    }
}
