package dev.lockstep.spi;

import java.util.HashMap;
import java.util.Map;

/**
 * What steps may read of where lockstep runs: the process environment (credentials,
 * {@code ${{ env.X }}}) and lockstep's own options, keyed by the kind of place they belong
 * to ({@code aws.region}): from the command line, or pinned by the runbook's context (see
 * {@link dev.lockstep.spi.ContextKind}).
 */
public record Settings(Map<String, String> env, Map<String, String> options) {
    public static Settings of(Map<String, String> env) {
        return new Settings(env, Map.of());
    }

    public String option(String key) {
        return options.get(key);
    }

    /** These settings with defaults added: an option already set wins. */
    public Settings withDefaults(Map<String, String> defaults) {
        Map<String, String> merged = new HashMap<>();
        merged.putAll(defaults);
        merged.putAll(options);
        return new Settings(env, Map.copyOf(merged));
    }
}
