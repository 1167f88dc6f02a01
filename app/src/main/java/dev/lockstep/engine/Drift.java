package dev.lockstep.engine;

import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventType;
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

    @SuppressWarnings("unchecked")
    static List<String> changes(RunSnapshot snapshot, Runbook runbook) {
        Map<String, Object> recorded = latestDefinitions(snapshot);
        List<String> changes = new ArrayList<>();
        for (RunSnapshot.StepRecord r : snapshot.steps().values()) {
            if (r.state() == StepState.PENDING) continue;
            Optional<StepDef> now = runbook.step(r.id());
            if (now.isEmpty()) {
                changes.add("step " + r.id() + " (" + r.state().label() + ") was removed");
                continue;
            }
            Map<String, Object> before = (Map<String, Object>) recorded.getOrDefault(r.id(), Map.of());
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

    @SuppressWarnings("unchecked")
    private static Map<String, Object> latestDefinitions(RunSnapshot snapshot) {
        Map<String, Object> defs = Map.of();
        for (Event e : snapshot.events()) {
            if ((e.type() == EventType.RUN_STARTED || e.type() == EventType.RUN_RESUMED)
                    && e.data().get("definitions") instanceof Map<?, ?> m) {
                defs = (Map<String, Object>) m;
            }
        }
        return defs;
    }
}
