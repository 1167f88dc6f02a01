package dev.lockstep.engine;

import dev.lockstep.plugin.Contexts;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.spi.ContextKind;
import dev.lockstep.spi.ContextTarget;
import dev.lockstep.spi.Settings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where one run acts, in every kind of place it uses, and the settings steps see there.
 * {@code guarded} are the kinds the runbook pins in its context: those are verified before
 * anything is recorded.
 */
public record Targets(Settings settings, Map<String, ContextTarget> byKind, List<String> guarded) {
    /**
     * Where a runbook acts: a target for each context it declares, and for each kind the
     * command line chose without one. Settings on the command line win over what the
     * runbook's contexts pin.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Targets of(Contexts contexts, Runbook runbook, Settings commandLine) {
        Map<String, String> defaults = new LinkedHashMap<>();
        runbook.contexts().forEach((name, ctx) -> defaults.putAll(((ContextKind) ctx.kind()).defaults(ctx.config())));
        Settings settings = commandLine.withDefaults(defaults);
        Map<String, ContextTarget> targets = new LinkedHashMap<>();
        for (ContextKind kind : contexts.all().values()) {
            Runbook.Context declared = runbook.contexts().get(kind.name());
            if (declared != null) {
                targets.put(kind.name(), kind.target(declared.config(), settings));
            } else if (kind.chosen(settings)) {
                targets.put(kind.name(), kind.target(null, settings));
            }
        }
        return new Targets(settings, targets, List.copyOf(runbook.contexts().keySet()));
    }

    /** Verifies every place the runbook pins; throws before anything happens when one is wrong. */
    public void verify() {
        for (String kind : guarded) byKind.get(kind).verify();
    }

    /** The header's words for where the run acts: "local" when nowhere else. */
    public String describe() {
        if (byKind.isEmpty()) return "local";
        return byKind.values().stream().map(ContextTarget::describe).collect(Collectors.joining("  "));
    }

    /** Environment for shell steps: every place's own variables. */
    public Map<String, String> exports() {
        Map<String, String> out = new LinkedHashMap<>();
        byKind.values().forEach(t -> out.putAll(t.exports()));
        return out;
    }

    /** What each kind of place resolved to, as text: recorded with a run, and compared when it is reopened. */
    public Map<String, Map<String, String>> where() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        byKind.forEach((kind, t) -> {
            Map<String, String> resolved = new TreeMap<>();
            t.values().forEach((k, v) -> {
                if (v != null) resolved.put(k, String.valueOf(v));
            });
            out.put(kind, resolved);
        });
        return out;
    }

    /** What {@code ${{ context.… }}} sees, by kind. */
    public Map<String, Map<String, Object>> values() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        byKind.forEach((kind, t) -> out.put(kind, t.values()));
        return out;
    }
}
