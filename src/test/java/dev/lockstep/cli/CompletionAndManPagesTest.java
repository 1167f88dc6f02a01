package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shell completion and man pages, generated from the same picocli model as --help, used by the real tools. */
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

    @Test
    void manPagesRenderWithoutWarningsAndSayWhatHelpSays() throws Exception {
        LockstepCli.Result r = cli.run("man", "--dir", tmp.toString());
        assertEquals(0, r.exit(), r.all());
        try (var pages = Files.list(tmp)) {
            assertTrue(pages.map(p -> p.getFileName().toString()).toList().containsAll(List.of("lockstep.1", "lockstep-run.1",
                    "lockstep-plan.1", "lockstep-validate.1", "lockstep-completion.1")));
        }
        assertEquals("", run(List.of("groff", "-man", "-ww", "-z", tmp.resolve("lockstep-run.1").toString())),
                "groff finds nothing wrong");
        String run = run(List.of("groff", "-man", "-Tascii", "-P", "-cbou", tmp.resolve("lockstep-run.1").toString()));
        assertTrue(run.contains("lockstep-run - Start a run of a runbook"), run);
        assertTrue(run.contains("--plan FILE") && run.contains("--junit FILE") && run.contains("--region REGION"), run);
        assertTrue(run.replaceAll("\\s+", " ").contains("16 the runbook, a parameter, the place or a step's action differs "
                + "from the saved plan"), run);
        String top = run(List.of("groff", "-man", "-Tascii", "-P", "-cbou", tmp.resolve("lockstep.1").toString()));
        assertTrue(top.contains("lockstep-rollback(1)") && top.contains("COMMANDS"), top);
    }
}
