package dev.lockstep.plugin;

import dev.lockstep.spi.StepType;
import java.util.Map;
import java.util.TreeMap;

/** The step types available to runbooks: the plugins lockstep lists ({@link Plugins}). */
public final class StepTypes {
    private final Map<String, StepType<?>> byName;

    private StepTypes(Map<String, StepType<?>> byName) {
        this.byName = byName;
    }

    public static StepTypes discover() {
        Map<String, StepType<?>> found = new TreeMap<>();
        for (StepType<?> type : Plugins.listed(StepType.class)) {
            StepType<?> previous = found.put(type.name(), type);
            if (previous != null) {
                throw new IllegalStateException("two step types are named " + type.name());
            }
        }
        return new StepTypes(found);
    }

    /** These step types and {@code more}: an embedder's own, or a test's scripted one. */
    public StepTypes with(StepType<?>... more) {
        Map<String, StepType<?>> all = new TreeMap<>(byName);
        for (StepType<?> type : more) {
            if (all.put(type.name(), type) != null) throw new IllegalStateException("two step types are named " + type.name());
        }
        return new StepTypes(all);
    }

    public StepType<?> get(String name) {
        return byName.get(name);
    }

    public Map<String, StepType<?>> all() {
        return byName;
    }
}
