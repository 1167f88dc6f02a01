package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
