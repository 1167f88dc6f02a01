package dev.lockstep.step;

import java.util.HashMap;
import java.util.Map;

/**
 * What steps may read of where lockstep runs: the process environment (credentials,
 * {@code ${{ env.X }}}) and lockstep's own options, such as {@code aws.profile},
 * {@code aws.region}, {@code aws.endpoint} from the command line and
 * {@code aws.expected.account} / {@code aws.expected.region} from the runbook's context.
 */
public record Settings(Map<String, String> env, Map<String, String> options) {
    public static final String AWS_PROFILE = "aws.profile";
    public static final String AWS_REGION = "aws.region";
    public static final String AWS_ENDPOINT = "aws.endpoint";
    public static final String AWS_EXPECTED_ACCOUNT = "aws.expected.account";
    public static final String AWS_EXPECTED_REGION = "aws.expected.region";

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
