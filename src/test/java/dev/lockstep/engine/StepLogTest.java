package dev.lockstep.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.expr.Scope;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.secret.Redactor;
import dev.lockstep.spi.Settings;
import dev.lockstep.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step whose log cannot be written (a full disk: /dev/full) still shows its output, and says
 * so once; a step whose worker was interrupted (a haltOn line stops it) keeps every later line.
 */
class StepLogTest {
    @TempDir
    Path tmp;

    @Test
    void aFullDiskIsReportedOnceWithACount() {
        Path full = Path.of("/dev/full");
        assertTrue(Files.exists(full), "this test needs /dev/full");
        List<String> notices = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        RunListener listener = new RunListener() {
            @Override
            public void line(String stepId, String text) {
                shown.add(text);
            }

            @Override
            public void notice(String text) {
                notices.add(text);
            }
        };
        StepDef step = new StepDef("chatty", null, null, null, List.of(), Map.of(), null, null, null, null, StepDef.Retry.NONE,
                false, null, StepDef.LogPatterns.NONE, null, dev.lockstep.runbook.Lazy.known(Map.of()));
        StepRun run = new StepRun(step, "", Path.of("."), Settings.of(Map.of()), new LinkedHashMap<>(), Redactor.none(),
                listener, () -> LocalStore.fileLog(full), StepDef.LogPatterns.NONE, Map.of(), (k, v) -> { }, (c, s, d) -> null,
                Scope.of(Map.of(), Map.of(), Map.of()), Operator.NOBODY, false);
        for (int i = 0; i < 15_953; i++) run.line("line " + i);
        run.close();
        assertEquals(15_953, shown.size(), "every line is still shown");
        assertEquals(2, notices.size(), notices.toString());
        assertTrue(notices.get(0).contains("cannot write the log of step chatty"), notices.get(0));
        assertTrue(notices.get(1).startsWith("15953 line(s) of step chatty could not be written"), notices.get(1));
    }

    /** A step relay-logs with these patterns, writing its log to {@code file}. */
    private static StepRun relayLogs(Path file, RunListener listener, StepDef.LogPatterns patterns) {
        StepDef step = new StepDef("relay-logs", null, null, null, List.of(), Map.of(), null, null, null, null, StepDef.Retry.NONE,
                false, null, patterns, null, dev.lockstep.runbook.Lazy.known(Map.of()));
        return new StepRun(step, "", Path.of("."), Settings.of(Map.of()), new LinkedHashMap<>(), Redactor.none(),
                listener, () -> LocalStore.fileLog(file), patterns, Map.of(), (k, v) -> { }, (c, s, d) -> null,
                Scope.of(Map.of(), Map.of(), Map.of()), Operator.NOBODY, false);
    }

    @Test
    void everyLineAfterTheHaltInterruptedTheWorkerIsKept() throws Exception {
        Path file = tmp.resolve("relay-logs.log");
        List<String> notices = new ArrayList<>();
        RunListener listener = new RunListener() {
            @Override
            public void notice(String text) {
                notices.add(text);
            }
        };
        StepRun run = relayLogs(file, listener, new StepDef.LogPatterns(List.of(Pattern.compile("fatal")), null, List.of(), List.of()));
        // The step's worker is this thread: the haltOn line interrupts it, and it goes on writing, as LogTail does.
        run.bindWorker(Thread.currentThread());
        try {
            run.line("relay: fatal: could not connect");
            assertTrue(Thread.currentThread().isInterrupted(), "the halt stopped the worker");
            run.line("relay: shutting down");
            run.line("tail of /ecs/relay: 2 events");
            assertTrue(Thread.currentThread().isInterrupted(), "writing the log keeps the worker's interrupt");
        } finally {
            Thread.interrupted();
        }
        run.close();
        assertEquals(List.of(), notices);
        List<String> logged = Files.readAllLines(file).stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList();
        assertEquals(List.of("relay: fatal: could not connect", "relay: shutting down", "tail of /ecs/relay: 2 events"), logged);
    }

    @Test
    void lockstepsOwnNotesAreShownAndLoggedButNeverMatched() throws Exception {
        Path file = tmp.resolve("relay-logs.log");
        List<String> shown = new ArrayList<>();
        RunListener listener = new RunListener() {
            @Override
            public void line(String stepId, String text) {
                shown.add(text);
            }
        };
        StepRun run = relayLogs(file, listener, new StepDef.LogPatterns(List.of(Pattern.compile("fatal")), Pattern.compile("ready"),
                List.of(Pattern.compile("relay")), List.of()));
        run.note("following /ecs/relay-ready live (StartLiveTail)");
        run.note("following /ecs/relay-fatal by polling FilterLogEvents every 1000ms");
        run.close();
        assertEquals(null, run.untilLine(), "a log group named relay-ready is not the relay saying ready");
        assertEquals(null, run.haltLine(), "nor is relay-fatal a fatal line");
        assertEquals(List.of("/relay/"), run.missingRequired());
        assertEquals(List.of("[lockstep] following /ecs/relay-ready live (StartLiveTail)",
                "[lockstep] following /ecs/relay-fatal by polling FilterLogEvents every 1000ms"), shown);
        assertEquals(2, Files.readAllLines(file).stream().filter(l -> l.contains(" [lockstep] following /ecs/relay-")).count());
    }
}
