package dev.lockstep.plugin;

import dev.lockstep.spi.ContextKind;
import dev.lockstep.spi.ContextTarget;
import java.util.Map;
import java.util.TreeMap;

/** The kinds of place lockstep can act in, found as plugins. */
public final class Contexts {
    private final Map<String, ContextKind<?>> byName;

    private Contexts(Map<String, ContextKind<?>> byName) {
        this.byName = byName;
    }

    public static Contexts discover() {
        Map<String, ContextKind<?>> found = new TreeMap<>();
        for (ContextKind<?> kind : Plugins.listed(ContextKind.class)) {
            if (found.put(kind.name(), kind) != null) throw new IllegalStateException("two contexts are named " + kind.name());
        }
        return new Contexts(found);
    }

    public ContextKind<?> get(String name) {
        return byName.get(name);
    }

    public Map<String, ContextKind<?>> all() {
        return byName;
    }
}
