package dev.lockstep.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a step or a runbook controls reaches GitHub's runner, the job summary and plain lines only as text:
 * it never starts a workflow command, never grows the summary past GitHub's limit, and never moves the
 * terminal (issue 20, findings 1, 7 and 8).
 */
class OutputStreamsTest {
    /** Every workflow command the issue saw get through, also after spaces, a tab and CR, and the legacy form. */
    private static final String COMMANDS = "::stop-commands::pwned\n   ::error title=Fake::forged\n\t::warning::w\n"
            + "ok\r::set-output name=a::b\n::add-mask::m\n::endgroup::\n::set-env name=X::y\nsee ##[error]legacy\n";

    @TempDir
    Path tmp;

    private LockstepCli github(Path summary) {
        return new LockstepCli(tmp.resolve("state")).env("HOSTILE_TOKEN", HostileOutput.SECRET).env("CI", "true")
                .env("GITHUB_ACTIONS", "true").env("GITHUB_STEP_SUMMARY", summary.toString())
                .env("GITHUB_WORKSPACE", tmp.toString());
    }

    private Path payload(String text) throws Exception {
        return Files.writeString(tmp.resolve("payload.txt"), text);
    }

    private static void noForgedCommand(String what, LockstepCli.Result r) {
        List<String> forged = HostileOutput.forgedCommands(r.out());
        forged.addAll(HostileOutput.forgedCommands(r.err()));
        assertEquals(List.of(), forged, what + " printed workflow commands lockstep did not mean:\n" + r.all());
    }

    @Test
    void nothingAStepOrARunbookPrintsBecomesAWorkflowCommand() throws Exception {
        Path summary = tmp.resolve("summary.md");
        Path payload = payload(COMMANDS);
        LockstepCli cli = github(summary);
        Path okHalt = HostileOutput.okThenHalt(tmp, "Title\n::error::from the title");

        LockstepCli.Result halted = cli.run("run", okHalt.toString(), "--no-tui", "-p", "payload=" + payload, "-p", "extra=" + COMMANDS);
        assertEquals(3, halted.exit(), halted.all());
        assertTrue(halted.out().contains("ok step emit succeeded"), halted.out());
        noForgedCommand("the ok and halt paths", halted);

        LockstepCli.Result failed = cli.run("run", HostileOutput.failing(tmp).toString(), "--no-tui", "-p", "payload=" + payload);
        assertEquals(1, failed.exit(), failed.all());
        assertTrue(failed.out().contains("FAILED step poll"), failed.out());
        noForgedCommand("the fail path", failed);

        LockstepCli.Result plan = cli.run("plan", okHalt.toString(), "-p", "payload=" + payload, "-p", "extra=" + COMMANDS);
        noForgedCommand("plan", plan);
        assertFalse(halted.all().contains(HostileOutput.SECRET) || plan.all().contains(HostileOutput.SECRET));
    }

    @Test
    void theJobSummaryStaysUnderGithubsLimitAndSaysWhatWasCut() throws Exception {
        Path summary = tmp.resolve("summary.md");
        Path payload = payload("MISMATCH " + "x".repeat(1_100_000) + "\n");
        LockstepCli cli = github(summary);
        Path junit = tmp.resolve("junit.xml");
        Path okHalt = HostileOutput.okThenHalt(tmp, "One megabyte line");
        LockstepCli.Result halted = cli.run("run", okHalt.toString(), "--no-tui", "-p", "payload=" + payload, "--junit", junit.toString());
        assertEquals(3, halted.exit(), halted.all());
        String runId = runId(halted);
        LockstepCli.Result rolledBack = cli.run("rollback", runId, "--yes", "--confirm-run", runId);
        assertEquals(0, rolledBack.exit(), rolledBack.all());

        long size = Files.size(summary);
        assertTrue(size <= 1024 * 1024, "GitHub refuses a step summary over 1 MiB; lockstep wrote " + size + " bytes");
        assertTrue(Files.readString(summary).contains("cut"), "the summary says what was cut");
        assertTrue(Files.size(junit) < 256 * 1024, "JUnit fields are bounded: " + Files.size(junit) + " bytes");
        LockstepCli.Result show = cli.run("show", runId, "--output", "json");
        assertTrue(show.out().length() < 512 * 1024, "show's JSON fields are bounded: " + show.out().length() + " chars");
    }

    @Test
    void aSummaryEarlierStepsNearlyFilledIsCutAtALineAndSaysWhere() throws Exception {
        Path summary = tmp.resolve("summary.md");
        // 100-byte lines leaving 1,176 bytes of GitHub's 1 MiB: less than the report needs.
        String earlier = ("earlier step's summary " + "-".repeat(76) + "\n").repeat(10_474);
        Files.writeString(summary, earlier);
        LockstepCli.Result halted = github(summary).run("run", HostileOutput.okThenHalt(tmp, "Nearly full").toString(), "--no-tui",
                "-p", "payload=" + payload("MISMATCH\n"));
        assertEquals(3, halted.exit(), halted.all());
        String written = Files.readString(summary);
        assertTrue(Files.size(summary) <= 1024 * 1024, "over GitHub's 1 MiB: " + Files.size(summary) + " bytes");
        assertTrue(written.startsWith(earlier), "what earlier steps wrote is kept");
        String added = written.substring(earlier.length());
        assertTrue(added.startsWith("# Nearly full\n"), added);
        assertTrue(added.contains("\n> lockstep cut this report here: GitHub keeps at most 1 MiB of summary per step and 1176 bytes "
                + "were left for its "), added);
        assertTrue(added.endsWith("; lockstep report " + runId(halted) + " writes it whole\n"), added);
    }

    static String runId(LockstepCli.Result r) {
        return r.err().lines().filter(l -> l.startsWith("run id: ")).findFirst().orElseThrow().substring(8).split(" ")[0];
    }

    @Test
    void plainLinesDropTheEscapesTheFullScreenDrops() throws Exception {
        String escapes = "\u001b]0;evil title\u0007\u001b[2J\u001b]8;;http://evil.example\u001b\\click\u001b]8;;\u001b\\ "
                + "\u001b[31mred\u001b[0m \u001bP+q544e\u001b\\\u001b[?1049h\u001bc done\n";
        Path payload = payload(escapes);
        Path okHalt = HostileOutput.okThenHalt(tmp, "Escapes");
        LockstepCli cli = new LockstepCli(tmp.resolve("state")).env("HOSTILE_TOKEN", HostileOutput.SECRET)
                .without("GITHUB_ACTIONS").without("NO_COLOR");
        LockstepCli.Result coloured = cli.run("run", okHalt.toString(), "--no-tui", "-p", "payload=" + payload);
        assertEquals(3, coloured.exit(), coloured.all());
        assertEquals(List.of(), HostileOutput.terminalEscapes(coloured.all(), true), coloured.all());
        assertTrue(coloured.out().contains("click \u001b[31mred\u001b[0m ") && coloured.out().contains(" done"), coloured.out());
        // The step's own lines show what the full screen shows; values on an event's line show the escapes as text.
        assertTrue(coloured.out().lines().filter(l -> l.contains("   | ")).noneMatch(l -> l.contains("evil title")),
                "an OSC's text is not shown: " + coloured.out());
        assertTrue(coloured.out().contains("outputs: o=\\e]0;evil title\\x07\\e[2J"), coloured.out());

        LockstepCli noColour = new LockstepCli(tmp.resolve("no-colour-state")).env("HOSTILE_TOKEN", HostileOutput.SECRET)
                .without("GITHUB_ACTIONS").env("NO_COLOR", "1");
        LockstepCli.Result plain = noColour.run("run", okHalt.toString(), "--no-tui", "-p", "payload=" + payload);
        assertEquals(3, plain.exit(), plain.all());
        assertEquals(List.of(), HostileOutput.terminalEscapes(plain.all(), false), plain.all());
        assertTrue(plain.out().contains("click red "), plain.out());
    }
}
