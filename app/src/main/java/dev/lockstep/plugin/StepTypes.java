package dev.lockstep.plugin;

import dev.lockstep.spi.StepType;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The step types available to runbooks: the plugins lockstep lists ({@link Plugins}). */
public final class StepTypes {
    private final Map<String, StepType<?>> byName;

    private StepTypes(Map<String, StepType<?>> byName) {
        this.byName = byName;
    }

    public static StepTypes discover() {
        return new StepTypes(Map.of()).with(Plugins.listed(StepType.class));
    }

    /** These step types and {@code more}: an embedder's own, or a test's scripted one. */
    public StepTypes with(StepType<?>... more) {
        return with(List.of(more));
    }

    @SuppressWarnings("rawtypes") // Plugins.listed(StepType.class) lists the raw type
    private StepTypes with(List<? extends StepType> more) {
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
