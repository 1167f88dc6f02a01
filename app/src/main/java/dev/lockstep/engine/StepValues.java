package dev.lockstep.engine;

import dev.lockstep.expr.Scope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What expressions see of the run's steps ({@code steps.ID.outputs}, {@code steps.ID.startedAt}), kept up to
 * date one event at a time, so that a scope costs the same at the run's last step as at its first. Each
 * change is kept with the number of events applied when it was made, and a scope reads the values as of
 * its own making: what a step resolves never changes under it while the run goes on, as with a copy.
 * Written by whoever applies events (under the run's lock), read from any thread (the screen's previews).
 */
final class StepValues {
    private record Version(long applied, Map<String, Object> outputs, Instant started, String startedAt) {}

    /** Each step's versions, oldest first; each list is immutable and replaced whole. */
    private final Map<String, List<Version>> history = new ConcurrentHashMap<>();

    /**
     * Step {@code id}'s values once {@code applied} events were applied: {@code outputs} (null when the
     * step has none to give) and when it started (null when it has not). Kept only when they changed.
     */
    void set(String id, long applied, Map<String, Object> outputs, Instant started) {
        List<Version> versions = history.getOrDefault(id, List.of());
        Version latest = versions.isEmpty() ? null : versions.get(versions.size() - 1);
        if (latest != null && Objects.equals(latest.outputs, outputs) && Objects.equals(latest.started, started)) return;
        List<Version> next = new ArrayList<>(versions);
        // A second change after the same event (the real value of a secret output) replaces the first, which no scope can see.
        if (latest != null && latest.applied == applied) next.remove(next.size() - 1);
        String startedAt = started == null ? null : latest != null && started.equals(latest.started) ? latest.startedAt
                : started.toString();
        next.add(new Version(applied, outputs == null ? null
                : Collections.unmodifiableMap(new LinkedHashMap<>(outputs)), started, startedAt));
        history.put(id, List.copyOf(next));
    }

    /** The values as they were once {@code applied} events were applied. */
    Scope.Steps asOf(long applied) {
        return new Scope.Steps() {
            @Override
            public Map<String, Object> outputs(String id) {
                Version v = at(id, applied);
                return v == null ? null : v.outputs;
            }

            @Override
            public String startedAt(String id) {
                Version v = at(id, applied);
                return v == null ? null : v.startedAt;
            }
        };
    }

    private Version at(String id, long applied) {
        List<Version> versions = history.getOrDefault(id, List.of());
        for (int i = versions.size() - 1; i >= 0; i--) {
            if (versions.get(i).applied <= applied) return versions.get(i);
        }
        return null;
    }
}
