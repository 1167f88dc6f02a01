package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.PrintedHints;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every lockstep command a hint suggests, on the ways a run stops short, runs as printed. */
@Tag("postgres")
class HintsAsPrintedTest {
    @TempDir
    Path tmp;

    /** A CLI whose default state folder is empty: a hint that forgot to name its folder finds no run there. */
    private LockstepCli cli(Path state) {
        return new LockstepCli(state).env("XDG_STATE_HOME", tmp.resolve("default-state").toString());
    }

    @Test
    void theDemosHaltHintsNameTheDemoAndWorkAsPrinted() {
        Path dir = tmp.resolve("demo dir");
        LockstepCli cli = cli(tmp.resolve("unused"));
        LockstepCli.Result halted = cli.run("demo", "--dir", dir.toString(), "--rows", "500", "--no-tui", "--yes",
                "--inject-mismatch");
        assertEquals(3, halted.exit(), halted.all());
        String demo = "lockstep demo --dir '" + dir + "'";
        assertEquals(List.of(demo + " --retry verify", demo + " --override verify=verify", demo + " --rollback"),
                PrintedHints.in(halted.err()).subList(0, 3), halted.err());

        PrintedHints hints = new PrintedHints(cli).runAll(halted.all());
        assertTrue(hints.hints().containsAll(List.of(demo + " --rollback", demo + " --clean")), String.join("\n", hints.ran()));
    }

    @Test
    void theDemoStoppedAtItsConfirmationHintsAtItsOwnCommands() {
        Path dir = tmp.resolve("demo");
        LockstepCli cli = cli(tmp.resolve("unused"));
        LockstepCli.Result stopped = cli.run("demo", "--dir", dir.toString(), "--rows", "500", "--no-tui");
        assertEquals(7, stopped.exit(), stopped.all());
        PrintedHints hints = new PrintedHints(cli).runAll(stopped.all());
        assertTrue(hints.hints().stream().noneMatch(h -> h.startsWith("lockstep resume") || h.startsWith("lockstep rollback")),
                String.join("\n", hints.ran()));
    }

    @Test
    void aHaltedRunsHintsWorkAsPrinted() {
        LockstepCli cli = cli(tmp.resolve("state"));
        LockstepCli.Result halted = cli.run("run", CliTest.DEMO, "--no-tui", "-p", "workdir=" + tmp.resolve("work"),
                "-p", "corrupt=true", "--confirm", "switch=relay");
        assertEquals(3, halted.exit(), halted.all());
        PrintedHints hints = new PrintedHints(cli).runAll(halted.all());
        assertTrue(hints.hints().stream().anyMatch(h -> h.startsWith("lockstep rollback")), String.join("\n", hints.ran()));
    }

    @Test
    void anUnfinishedRunsHintsWorkAsPrinted() {
        LockstepCli cli = cli(tmp.resolve("state"));
        String[] run = {"run", CliTest.DEMO, "--no-tui", "-p", "workdir=" + tmp.resolve("work")};
        assertEquals(7, cli.run(run).exit());
        LockstepCli.Result refused = cli.run(run);
        assertEquals(9, refused.exit(), refused.all());
        PrintedHints hints = new PrintedHints(cli).runAll(refused.all());
        assertTrue(hints.hints().stream().anyMatch(h -> h.endsWith(" --new")), String.join("\n", hints.ran()));
    }

    @Test
    void aRunStoppedAtAConfirmationItCannotAnswerHintsThatWorkAsPrinted() {
        LockstepCli cli = cli(tmp.resolve("state"));
        LockstepCli.Result stopped = cli.run("run", CliTest.DEMO, "--no-tui", "-p", "workdir=" + tmp.resolve("work"));
        assertEquals(7, stopped.exit(), stopped.all());
        PrintedHints hints = new PrintedHints(cli).runAll(stopped.all());
        assertTrue(hints.hints().stream().anyMatch(h -> h.startsWith("lockstep show")), String.join("\n", hints.ran()));
    }
}
