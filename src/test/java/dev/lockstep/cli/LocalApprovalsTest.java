package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Journal;
import dev.lockstep.journal.StateDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approvals on a local state folder: a file per approval in the run's folder, whose owner is the approver.
 * The driver's own OS account cannot pass a notDriver gate, and the run says what such a gate is worth here.
 */
class LocalApprovalsTest {
    private static final String FOUR_EYES = "src/test/resources/runbooks/approvals/four-eyes.yaml";
    private static final String SCREEN = "src/test/resources/runbooks/approvals/screen.yaml";

    @TempDir
    Path tmp;

    private static String runId(LockstepCli.Result r) {
        Matcher m = Pattern.compile("run id: (\\S+)").matcher(r.out());
        assertTrue(m.find(), r.all());
        return m.group(1);
    }

    @Test
    void theDriversOwnAccountCannotPassANotDriverGateAndTheRunSaysWhatTheGateIsWorthOnAFolder() throws Exception {
        LockstepCli cli = new LockstepCli(tmp.resolve("state")).env("SWITCH_TOKEN", "local-token");
        LockstepCli.Result stopped = cli.run("run", FOUR_EYES, "--no-tui", "--yes", "-p", "effects=" + Files.createFile(tmp.resolve("e")));
        assertEquals(7, stopped.exit(), stopped.all());
        assertTrue(stopped.out().contains("only as strong as the OS account"), stopped.all());
        String id = runId(stopped);
        LockstepCli.Result own = cli.run("approve", id, "switch", "--confirm", "switch");
        assertEquals(18, own.exit(), own.all());
        assertTrue(own.err().contains(System.getProperty("user.name") + " drives the run, and this step needs an approval from "
                + "someone else (notDriver)"), own.err());
    }

    @Test
    void anApprovalIsAFileOwnedByTheApproverThatOnlyTheResumedDriverJournals() throws Exception {
        StateDir state = new StateDir(tmp.resolve("state"));
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        LockstepCli.Result stopped = cli.run("run", SCREEN, "--no-tui");
        assertEquals(7, stopped.exit(), stopped.all());
        String id = runId(stopped);
        LockstepCli.Result notAwaited = cli.run("approve", id, "nothing-here", "--confirm", "nothing-here");
        assertEquals(10, notAwaited.exit(), notAwaited.all());

        LockstepCli.Result approved = cli.run("approve", id, "gated", "--confirm", "gated");
        assertEquals(0, approved.exit(), approved.all());
        String me = System.getProperty("user.name");
        try (var files = Files.list(state.runDir(id).resolve("approvals"))) {
            List<Path> all = files.toList();
            assertEquals(1, all.size(), all.toString());
            assertEquals(me, Files.getOwner(all.get(0)).getName());
        }
        assertTrue(Journal.read(state.journal(id)).events().stream().noneMatch(e -> e.type() == EventType.STEP_APPROVED),
                "the approver wrote nothing to the journal");

        // Files lockstep did not write, left in the folder by anyone who can write it, are passed over, not fatal.
        Path folder = state.runDir(id).resolve("approvals");
        Files.writeString(folder.resolve("garbage.json"), "{not json");
        Files.writeString(folder.resolve("wrong.json"), "{\"step\":\"gated\",\"verdict\":\"approve\",\"at\":\"yesterday\"}");
        Files.createDirectory(folder.resolve("folder.json"));
        LockstepCli.Result resumed = cli.run("resume", id, "--no-tui");
        assertEquals(0, resumed.exit(), resumed.all());
        List<EventData.Approval> journaled = Journal.read(state.journal(id)).events().stream()
                .filter(e -> e.type() == EventType.STEP_APPROVED).map(e -> e.data(EventData.Approval.class)).toList();
        assertEquals(1, journaled.size());
        assertEquals(me, journaled.get(0).by());
    }
}
