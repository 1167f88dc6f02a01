package dev.lockstep.context;

import dev.lockstep.runbook.Runbook;
import dev.lockstep.step.Plugins;
import dev.lockstep.step.Settings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The kinds of place lockstep can act in, found as plugins, and the targets of one runbook. */
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

    /**
     * Where a runbook acts: a target for each context it declares, and for each kind the
     * command line chose without one. Settings on the command line win over what the
     * runbook's contexts pin.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Targets targets(Runbook runbook, Settings commandLine) {
        Map<String, String> defaults = new LinkedHashMap<>();
        runbook.contexts().forEach((name, ctx) -> defaults.putAll(((ContextKind) ctx.kind()).defaults(ctx.config())));
        Settings settings = commandLine.withDefaults(defaults);
        Map<String, ContextTarget> targets = new LinkedHashMap<>();
        for (ContextKind kind : byName.values()) {
            Runbook.Context declared = runbook.contexts().get(kind.name());
            if (declared != null) {
                targets.put(kind.name(), kind.target(declared.config(), settings));
            } else if (kind.chosen(settings)) {
                targets.put(kind.name(), kind.target(null, settings));
            }
        }
        return new Targets(settings, targets, List.copyOf(runbook.contexts().keySet()));
    }
}
