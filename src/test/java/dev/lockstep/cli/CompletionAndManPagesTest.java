package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.LockstepProcess;
import dev.lockstep.engine.ShellWords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shell completion and man pages, generated from the same picocli model as --help, used by the real tools. */
@Tag("process")
class CompletionAndManPagesTest {
    @TempDir
    Path tmp;

    private final LockstepCli cli = new LockstepCli(Path.of("unused"));

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError(command + " did not finish");
        return out;
    }

    /** What bash offers after {@code words}, with the script loaded as ~/.bashrc would. */
    private String complete(Path script, String... words) throws Exception {
        String line = String.join(" ", words);
        return run(List.of("bash", "-c", "source '" + script + "' 2>/dev/null; COMP_WORDS=(" + line + "); COMP_CWORD="
                + (words.length - 1) + "; COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}; _complete_lockstep 2>/dev/null;"
                + " printf '%s\\n' \"${COMPREPLY[@]}\""));
    }

    @Test
    void bashCompletesCommandsOptionsAndTheirValues() throws Exception {
        LockstepCli.Result r = cli.run("completion", "bash");
        assertEquals(0, r.exit(), r.all());
        Path script = tmp.resolve("lockstep.bash");
        Files.writeString(script, r.out());
        assertEquals(List.of("plan"), complete(script, "lockstep", "pl").lines().toList());
        assertTrue(complete(script, "lockstep", "run", "--no").lines().toList().contains("--no-tui"));
        assertTrue(complete(script, "lockstep", "runs", "--output", "").lines().toList().containsAll(List.of("TEXT", "JSON")));
        assertTrue(complete(script, "lockstep", "plan", "--re").lines().toList().contains("--region"),
                "the context plugins' options too");
        assertEquals(r.out(), cli.run("completion", "zsh").out(), "zsh loads the same script through bashcompinit");
        assertTrue(r.out().contains("bashcompinit"), "it says so");
        assertEquals(2, cli.run("completion", "fish").exit());
    }

    /** A real run in a state folder of its own, a {@code lockstep} on the PATH, and the completion script. */
    private record Shell(Path script, Path bin, Path state, String runId) {
        /** What {@code _lockstep} offers after {@code words} (the last one being completed), in {@code shell}. */
        List<String> complete(String shell, String... words) throws Exception {
            StringBuilder line = new StringBuilder();
            for (String w : words) line.append(ShellWords.quote(w).isEmpty() ? "''" : ShellWords.quote(w)).append(' ');
            // As zsh's bashcompinit calls a bash completion function: with arrays counted from 0.
            String zero = shell.equals("zsh") ? "setopt ksharrays; " : "";
            String print = shell.equals("zsh") ? "print -l -- \"${COMPREPLY[@]}\"" : "printf '%s\\n' \"${COMPREPLY[@]}\"";
            ProcessBuilder pb = new ProcessBuilder(shell, "-c", "source '" + script + "' 2>/dev/null; " + zero + "COMP_WORDS=(" + line
                    + "); COMP_CWORD=" + (words.length - 1) + "; _lockstep 2>/dev/null; " + print);
            pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
            pb.environment().put("XDG_STATE_HOME", state.resolveSibling("default-state").toString());
            pb.environment().remove("LOCKSTEP_STATE_DIR");
            pb.environment().remove("LOCKSTEP_STATE");
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) throw new AssertionError(shell + " did not finish");
            return out.lines().filter(l -> !l.isEmpty()).toList();
        }
    }

    private Shell shellWithARun() throws Exception {
        Path state = tmp.resolve("state");
        LockstepCli here = new LockstepCli(state);
        LockstepCli.Result started = here.run("run", CliTest.DEMO, "--no-tui", "-p", "workdir=" + tmp.resolve("work"));
        assertEquals(7, started.exit(), started.all());
        String runId = here.run("__complete", "runs", "--state-dir", state.toString()).out().strip();
        assertTrue(runId.startsWith("demo-"), runId);
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        StringBuilder launcher = new StringBuilder("#!/bin/sh\nexec");
        for (String word : LockstepProcess.command()) launcher.append(' ').append(ShellWords.quote(word));
        Files.writeString(bin.resolve("lockstep"), launcher.append(" \"$@\"\n").toString());
        assertTrue(bin.resolve("lockstep").toFile().setExecutable(true));
        Path script = tmp.resolve("lockstep.bash");
        Files.writeString(script, cli.run("completion", "bash").out());
        return new Shell(script, bin, state, runId);
    }

    private static final List<String> DEMO_STEPS = List.of("prepare", "copy", "verify", "switch", "confirm-readers");

    @Test
    void bashCompletesRunIdsAndStepIdsFromTheStoreOnTheLine() throws Exception {
        Shell sh = shellWithARun();
        String dir = sh.state().toString();
        assertEquals(List.of(sh.runId()), sh.complete("bash", "lockstep", "show", "--state-dir", dir, ""));
        assertEquals(List.of(sh.runId()), sh.complete("bash", "lockstep", "resume", "--state-dir", "=", dir, "de"),
                "--state-dir=DIR, which bash splits at the =");
        assertEquals(List.of(), sh.complete("bash", "lockstep", "show", ""), "the default folder has no runs");
        assertEquals(List.of(sh.runId()), sh.complete("bash", "lockstep", "lock", "break", "--state-dir", dir, ""));
        assertEquals(DEMO_STEPS, sh.complete("bash", "lockstep", "resume", sh.runId(), "--state-dir", dir, "--rerun", ""));
        for (String option : List.of("--retry", "--skip", "--mark-done")) {
            assertEquals(DEMO_STEPS, sh.complete("bash", "lockstep", "resume", "--state-dir", dir, "demo", option, ""), option);
        }
        assertEquals(List.of("switch="), sh.complete("bash", "lockstep", "resume", "--state-dir", dir, "--confirm", "sw"),
                "without a run named, the latest unfinished one's");
        assertEquals(List.of("copy"), sh.complete("bash", "lockstep", "rollback", "--state-dir", dir, "--mark-done", "cop"));
        assertEquals(List.of("--output"), sh.complete("bash", "lockstep", "show", "--state-dir", dir, "--out"),
                "options as before");
        assertEquals(List.of(), sh.complete("bash", "lockstep", "resume", "no-such-run", "--state-dir", dir, "--rerun", ""));
        assertEquals(List.of(), sh.complete("bash", "lockstep", "resume", "no-such-run", "--state-dir", dir, "--confirm", ""));
    }

    @Test
    void zshCompletesThemThroughBashcompinit() throws Exception {
        Shell sh = shellWithARun();
        assertEquals(0, new ProcessBuilder("sh", "-c", "command -v zsh").start().waitFor(), "zsh is installed here");
        String dir = sh.state().toString();
        assertEquals(List.of(sh.runId()), sh.complete("zsh", "lockstep", "show", "--state-dir", dir, ""));
        assertEquals(DEMO_STEPS, sh.complete("zsh", "lockstep", "resume", "--state-dir", dir, sh.runId(), "--skip", ""));
        assertTrue(sh.complete("zsh", "lockstep", "resume", "--state-dir", dir, "--override", "v").contains("verify="));
    }

    @Test
    void theCompletionHelperPrintsNothingWhenItCannotSay() {
        for (String[] args : List.of(new String[] {"__complete", "runs", "--state-dir", tmp.resolve("missing").toString()},
                new String[] {"__complete", "steps", "nope", "--state-dir", tmp.resolve("missing").toString()},
                new String[] {"__complete", "steps", "--state-dir", tmp.toString()})) {
            LockstepCli.Result r = cli.run(args);
            assertEquals("", r.out(), String.join(" ", args));
            assertFalse(r.all().contains("\tat "), r.all());
        }
        LockstepCli.Result help = cli.run("--help");
        assertFalse(help.out().contains("__complete"), help.out());
        LockstepCli.Result mistyped = cli.run("complete");
        assertEquals(2, mistyped.exit(), mistyped.all());
        assertFalse(mistyped.err().contains("__complete"), "a hidden command is never suggested: " + mistyped.err());
        assertFalse(cli.run("man", "--dir", tmp.resolve("man").toString()).out().contains("__complete"));
    }

    @Test
    void manPagesRenderWithoutWarningsAndSayWhatHelpSays() throws Exception {
        LockstepCli.Result r = cli.run("man", "--dir", tmp.toString());
        assertEquals(0, r.exit(), r.all());
        try (var pages = Files.list(tmp)) {
            assertTrue(pages.map(p -> p.getFileName().toString()).toList().containsAll(List.of("lockstep.1", "lockstep-run.1",
                    "lockstep-plan.1", "lockstep-validate.1", "lockstep-completion.1")));
        }
        try (var pages = Files.list(tmp)) {
            for (Path page : pages.toList()) {
                assertEquals("", run(List.of("groff", "-man", "-ww", "-z", page.toString())), "groff finds nothing wrong in " + page);
            }
        }
        String run = run(List.of("groff", "-man", "-Tascii", "-P", "-cbou", tmp.resolve("lockstep-run.1").toString()));
        assertTrue(run.contains("lockstep-run - Start a run of a runbook"), run);
        assertTrue(run.contains("--plan FILE") && run.contains("--junit FILE") && run.contains("--region REGION"), run);
        assertTrue(run.replaceAll("\\s+", " ").contains("16 the runbook, a parameter, the place or a step's action differs "
                + "from the saved plan"), run);
        String top = run(List.of("groff", "-man", "-Tascii", "-P", "-cbou", tmp.resolve("lockstep.1").toString()));
        assertTrue(top.contains("lockstep-rollback(1)") && top.contains("COMMANDS"), top);
    }
}
