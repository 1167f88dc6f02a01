package dev.lockstep.cli;

import dev.lockstep.step.Settings;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where AWS steps act: the standard credential chain and region, with these overrides ($AWS_ENDPOINT_URL too). */
final class AwsOptions {
    @Option(names = "--profile", paramLabel = "NAME", description = "AWS profile (default: the runbook's context.aws.profile, else $AWS_PROFILE).")
    String profile;

    @Option(names = "--region", paramLabel = "REGION", description = "AWS region (default: the runbook's context.aws.region, else $AWS_REGION).")
    String region;

    @Option(names = "--endpoint-url", paramLabel = "URL", description = "Send AWS calls here instead (LocalStack, moto); default $AWS_ENDPOINT_URL.")
    String endpoint;

    Settings settings(Cli cli) {
        Map<String, String> options = new LinkedHashMap<>();
        put(options, Settings.AWS_PROFILE, profile);
        put(options, Settings.AWS_REGION, region);
        put(options, Settings.AWS_ENDPOINT, endpoint);
        return new Settings(cli.env, Map.copyOf(options));
    }

    private static void put(Map<String, String> options, String key, String value) {
        if (value != null && !value.isBlank()) options.put(key, value);
    }
}
