package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.PrintedHints;
import dev.lockstep.spi.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every command's help, as a newcomer reads it: options in groups, examples that work as printed, nothing broken mid-entry. */
class HelpPagesTest {
    @TempDir
    Path tmp;

    /** The commands whose examples run here, against a state folder holding a real run: they change nothing. */
    private static final Set<String> SAFE = Set.of("validate", "plan", "schema", "runs", "show");

    private static Cli quietCli() {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        return new Cli(Map.of(), new ByteArrayInputStream(new byte[0]), nowhere, nowhere);
    }

    /** Every command, as the words that name it ({@code [lock, break]}), the top one first. */
    private static List<List<String>> commands() {
        List<List<String>> out = new ArrayList<>();
        collect(Main.commandLine(quietCli()), new ArrayList<>(), out);
        return out;
    }

    private static void collect(CommandLine command, List<String> words, List<List<String>> out) {
        if (command.getCommandSpec().usageMessage().hidden()) return;
        out.add(List.copyOf(words));
        command.getSubcommands().forEach((name, sub) -> {
            List<String> deeper = new ArrayList<>(words);
            deeper.add(name);
            collect(sub, deeper, out);
        });
    }

    private static String help(LockstepCli cli, List<String> command) {
        List<String> args = new ArrayList<>(command);
        args.add("--help");
        LockstepCli.Result r = cli.runAsPrinted(args);
        assertEquals(0, r.exit(), command + ": " + r.all());
        return r.out();
    }

    /** The lines under "Examples:", as printed. */
    private static List<String> examples(String help) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : help.split("\n")) {
            if (line.equals("Examples:")) {
                in = true;
            } else if (in && line.isBlank()) {
                break;
            } else if (in) {
                out.add(line.strip());
            }
        }
        return out;
    }

    @Test
    void optionsAreGroupedAndTheLocalDemoNamesNoCloud() {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        String run = help(cli, List.of("run"));
        int own = run.indexOf("\nOptions:\n");
        int state = run.indexOf("\nState options:\n");
        int aws = run.indexOf("\nAWS options:\n");
        int kube = run.indexOf("\nKubernetes options:\n");
        assertTrue(own > 0 && own < state && state < aws && aws < kube, run);
        assertTrue(run.indexOf("--state-dir=DIR") > state && run.indexOf("--state-dir=DIR") < aws, run);
        assertTrue(run.indexOf("--region=REGION") > aws && run.indexOf("--region=REGION") < kube, run);
        assertTrue(run.indexOf("--namespace=NAMESPACE") > kube, run);
        assertTrue(run.indexOf("--plan=FILE") > own && run.indexOf("--plan=FILE") < state, run);

        String demo = help(cli, List.of("demo"));
        for (String cloud : List.of("AWS", "Kubernetes", "--region", "--profile", "--endpoint-url", "--kubeconfig", "--namespace",
                "--context")) {
            assertFalse(demo.contains(cloud), cloud + " in the demo's help:\n" + demo);
        }
        assertTrue(demo.startsWith("Usage: lockstep demo [OPTIONS]\n"), demo);

        String show = help(cli, List.of("show"));
        assertTrue(show.contains("\nState options:\n") && !show.contains("AWS options"), show);
    }

    @Test
    void theManPagesHaveTheSameGroupsAndExamples() {
        CommandLine top = Main.commandLine(quietCli());
        CommandLine run = top.getSubcommands().get("run");
        String page = ManCommand.page(run.getCommandSpec(), top);
        assertTrue(page.contains(".SS State options\n") && page.contains(".SS AWS options\n")
                && page.contains(".SS Kubernetes options\n"), page);
        assertTrue(page.indexOf(".SS AWS options") < page.lastIndexOf("\\fB\\-\\-region\\fR"), page);
        assertTrue(page.contains(".SH EXAMPLES\n.nf\nlockstep run runbooks/demo.yaml\n"), page);
    }

    @Test
    void everyExampleInEveryHelpWorksAsPrinted() {
        Path state = tmp.resolve("state");
        LockstepCli cli = new LockstepCli(state).env("XDG_STATE_HOME", tmp.resolve("default-state").toString());
        LockstepCli.Result started = cli.run("run", CliTest.DEMO, "--no-tui", "-p", "workdir=" + tmp.resolve("work"));
        assertEquals(7, started.exit(), started.all());

        List<String> ran = new ArrayList<>();
        for (List<String> command : commands()) {
            List<String> examples = examples(help(cli, command));
            assertTrue(examples.size() >= 2 && examples.size() <= 4, "lockstep " + String.join(" ", command)
                    + " --help shows 2 to 4 examples: " + examples);
            for (String example : examples) {
                List<String> words = PrintedHints.words(example);
                assertEquals("lockstep", words.get(0), example);
                List<String> args = words.subList(1, words.size());
                assertEquals(command, args.subList(0, command.size()), example + " is an example of another command");
                String[] argv = args.toArray(String[]::new);
                try {
                    Main.commandLine(quietCli(), argv).parseArgs(argv);
                } catch (CommandLine.ParameterException e) {
                    throw new AssertionError(example + " does not parse: " + e.getMessage(), e);
                }
                // A shared store's example cannot run against a folder; every other safe one runs as printed.
                if (!args.isEmpty() && SAFE.contains(args.get(0)) && !args.contains("--state")) {
                    LockstepCli.Result r = cli.run(argv);
                    assertEquals(0, r.exit(), example + "\n" + r.all());
                    ran.add(example);
                }
            }
        }
        assertTrue(ran.containsAll(List.of("lockstep show demo", "lockstep runs", "lockstep schema --plan",
                "lockstep validate runbooks/demo.yaml", "lockstep plan runbooks/demo.yaml")), String.join("\n", ran));
    }

    @Test
    void atEightyColumnsNoExitCodeAndNoPathIsBroken() {
        Set<String> codes = new TreeSet<>();
        codes.add("0");
        for (ErrorCode c : ErrorCode.values()) codes.add(String.valueOf(c.exitCode()));
        for (List<String> command : commands()) {
            CommandLine line = Main.commandLine(quietCli(), command.toArray(String[]::new));
            for (String word : command) line = line.getSubcommands().get(word);
            line.getCommandSpec().usageMessage().width(80);
            String help = line.getUsageMessage();
            for (String l : help.split("\n")) assertTrue(l.length() <= 80, "wider than 80: " + l + "\n" + help);

            Set<String> listed = new TreeSet<>();
            String exitCodes = help.substring(help.indexOf("\nExit codes:\n") + "\nExit codes:\n".length());
            for (String l : exitCodes.split("\n")) {
                for (String entry : l.strip().split(" {3}")) {
                    assertTrue(entry.matches("[0-9]+ [a-z].*"), "an exit code broken across lines: '" + entry + "'\n" + help);
                    listed.add(entry.substring(0, entry.indexOf(' ')));
                }
            }
            assertEquals(codes, listed, help);
            if (help.contains("--state-dir")) assertTrue(help.contains(" ~/.local/state/lockstep)."), help);
        }
    }
}
