package dev.lockstep.engine;

import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.StepDef;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Compares the runbook on disk with the definitions a run recorded. Only steps
 * that already started matter: a pending step may change freely before it runs.
 */
final class Drift {
    private Drift() {}

    static List<String> changes(RunSnapshot snapshot, Runbook runbook) {
        Map<String, Map<String, String>> recorded = snapshot.definitions();
        List<String> changes = new ArrayList<>();
        for (RunSnapshot.StepRecord r : snapshot.steps().values()) {
            if (r.state() == StepState.PENDING) continue;
            Optional<StepDef> now = runbook.step(r.id());
            if (now.isEmpty()) {
                changes.add("step " + r.id() + " (" + r.state().label() + ") was removed");
                continue;
            }
            Map<String, String> before = recorded.getOrDefault(r.id(), Map.of());
            Map<String, String> after = now.get().fieldDigests();
            Set<String> keys = new LinkedHashSet<>(before.keySet());
            keys.addAll(after.keySet());
            List<String> changed = new ArrayList<>();
            for (String k : keys) {
                if (!String.valueOf(before.get(k)).equals(String.valueOf(after.get(k)))) changed.add(k);
            }
            if (!changed.isEmpty()) {
                changes.add("step " + r.id() + " (" + r.state().label() + ") changed its " + String.join(", ", changed));
            }
        }
        return changes;
    }

}
