package dev.lockstep.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.engine.RunStatus;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Journal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Journal records whose checksum holds but whose content is wrong, and histories no run
 * can have: each is refused with exit 11 and the journal line, never half-understood.
 */
class JournalForgeryTest {
    private static final String START = "{\"seq\":1,\"ts\":\"2026-11-21T10:00:00Z\",\"type\":\"RUN_STARTED\",\"data\":{"
            + "\"format\":1,\"runbook\":\"/r.yaml\",\"name\":\"r\",\"title\":\"R\",\"checksum\":\"00\",\"steps\":[\"a\",\"b\"],"
            + "\"definitions\":{},\"params\":{},\"secrets\":[],\"by\":\"me@h\",\"host\":\"h\",\"pid\":1,\"version\":\"t\","
            + "\"command\":\"test\"}}";

    @TempDir
    Path tmp;

    static EventData.RunStarted started(List<String> steps) {
        return new EventData.RunStarted(Journal.FORMAT, "/r.yaml", "r", "R", "00", steps, Map.of(), Map.of(), List.of(),
                List.of(), "me@h", "h", 1, "t", "test", null, null);
    }

    /** A journal line with a valid checksum, whatever its content. */
    static String forge(String body) {
        CRC32 c = new CRC32();
        c.update(body.getBytes(StandardCharsets.UTF_8));
        return body.substring(0, body.length() - 1) + ",\"crc\":\"" + String.format("%08x", c.getValue()) + "\"}";
    }

    private static String record(int seq, String type, String step, String data) {
        return forge("{\"seq\":" + seq + ",\"ts\":\"2026-11-21T10:00:0" + seq + "Z\",\"type\":\"" + type + "\""
                + (step != null ? ",\"step\":\"" + step + "\"" : "") + ",\"data\":" + data + "}");
    }

    private LockstepCli.Result show(String... lines) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("state/runs/r-20261121-100000-0000"));
        Files.writeString(dir.resolve("journal.jsonl"), String.join("\n", lines) + "\n");
        return new LockstepCli(tmp.resolve("state")).run("show", "r-20261121-100000-0000");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "index is a string     | CHECK_PASSED | a | {\"index\":\"0\",\"check\":\"run\",\"observed\":\"x\"} | data.index: expected a whole number",
            "reason is missing     | STEP_FAILED  | a | {}                                                  | data.reason: required",
            "data is a list        | STEP_FAILED  | a | []                                                  | data: expected an object",
            "unknown field         | STEP_FAILED  | a | {\"reason\":\"x\",\"extra\":1}                      | data.extra: not a field",
            "unknown event type    | STEP_EXPLODED| a | {}                                                  | unknown event type",
            "step event, no step   | STEP_FAILED  |   | {\"reason\":\"x\"}                                  | does not name its step",
            "outputs is a string   | STEP_SUCCEEDED | a | {\"summary\":\"s\",\"outputs\":\"x\",\"durationMs\":1} | data.outputs: expected an object",
            "huge attempt          | STEP_STARTED | a | {\"attempt\":99999999999}                           | data.attempt: expected a whole number (32-bit)",
    })
    void aRecordWithAValidChecksumButWrongContentIsRefusedWithItsLine(String why, String type, String step, String data,
                                                                      String expected) throws Exception {
        String started = record(2, "STEP_STARTED", "a", "{\"attempt\":1}");
        LockstepCli.Result r = show(forge(START), started, record(3, type, step == null || step.isBlank() ? null : step, data));
        assertEquals(11, r.exit(), why + ": " + r.all());
        assertTrue(r.err().contains("journal.jsonl:3:"), why + ": " + r.err());
        assertTrue(r.err().contains(expected), why + ": " + r.err());
        assertFalse(r.all().contains("Exception") || r.all().contains("\tat "), r.all());
    }

    @Test
    void historiesNoRunCanHaveAreRefused() throws Exception {
        LockstepCli.Result twice = show(forge(START), record(2, "ROLLBACK_FINISHED", null, "{\"by\":\"x\"}"),
                record(3, "RUN_FINISHED", null, "{\"by\":\"x\"}"), forge(START.replace("\"seq\":1", "\"seq\":4")));
        assertEquals(11, twice.exit(), twice.all());
        assertTrue(twice.err().contains("journal.jsonl:2: ROLLBACK_FINISHED is not possible while the run is active"),
                twice.err());

        LockstepCli.Result early = show(forge(START), record(2, "RUN_FINISHED", null, "{\"by\":\"x\"}"));
        assertEquals(11, early.exit(), early.all());
        assertTrue(early.err().contains("RUN_FINISHED is not possible: step a is pending"), early.err());

        LockstepCli.Result restarted = show(forge(START), forge(START.replace("\"seq\":1", "\"seq\":2")));
        assertTrue(restarted.err().contains("journal.jsonl:2: RUN_STARTED is not possible while the run is active"),
                restarted.err());

        LockstepCli.Result gap = show(forge(START), record(3, "RUN_INTERRUPTED", null, "{\"by\":\"x\"}"));
        assertTrue(gap.err().contains("expected record 2, found record 3"), gap.err());

        String next = String.valueOf(Journal.FORMAT + 1);
        LockstepCli.Result newer = show(forge(START.replace("\"format\":1", "\"format\":" + next)));
        assertEquals(11, newer.exit());
        assertTrue(newer.err().contains("journal format " + next + " was written by a newer lockstep"), newer.err());
    }

    @Test
    void aStepCalledRollbackDoesNotConfuseTheRunbookRollback() {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        String runbook = "src/test/resources/runbooks/trust/rollback-named-step.yaml";
        assertEquals(0, cli.run("run", runbook, "--no-tui").exit());
        String runId = cli.run("runs").out().lines().skip(1).findFirst().orElseThrow().split(" ")[0];
        LockstepCli.Result back = cli.run("rollback", runId, "--yes", "--confirm-run", runId);
        assertEquals(0, back.exit(), back.all());
        assertTrue(back.out().contains("rollback finished"), back.out());
        RunSnapshot s = new dev.lockstep.engine.Runs(new dev.lockstep.journal.StateDir(tmp.resolve("state")), "t").all().get(0);
        assertEquals(RunStatus.ROLLED_BACK, s.status());
        List<Event> runbookIds = s.events().stream().filter(e -> e.type() == EventType.FINAL_ROLLBACK_EXTERNAL_ID).toList();
        assertEquals(1, runbookIds.size(), "the runbook rollback's process id is its own");
        assertEquals(0, runbookIds.get(0).data(EventData.RunbookActionExternalId.class).index());
        assertTrue(s.step("rollback").externalIds().keySet().stream().allMatch(k -> k.equals("pid") || k.equals("rollback:pid")),
                "the step called rollback kept only its own ids: " + s.step("rollback").externalIds());
    }
}
