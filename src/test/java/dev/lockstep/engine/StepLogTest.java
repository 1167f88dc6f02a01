package dev.lockstep.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.expr.Scope;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.secret.Redactor;
import dev.lockstep.step.Settings;
import dev.lockstep.store.LocalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A step whose log cannot be written (a full disk: /dev/full) still shows its output, and says so once. */
class StepLogTest {
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
        StepDef step = new StepDef("chatty", null, null, null, List.of(), Map.of(), null, null, null, StepDef.Retry.NONE,
                false, StepDef.LogPatterns.NONE, null, dev.lockstep.runbook.Lazy.known(Map.of()));
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
}
