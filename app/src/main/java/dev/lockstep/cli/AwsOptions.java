package dev.lockstep.cli;

import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.step.Settings;
import java.net.URI;
import java.util.List;
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
        if (region != null && !region.matches("[a-z]{2}(-[a-z]+)+-\\d+")) {
            throw new LockstepException(ErrorCode.USAGE, "--region: expected an AWS region such as me-central-1, got '" + region + "'");
        }
        if (endpoint != null) {
            URI uri;
            try {
                uri = URI.create(endpoint);
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null || uri.getHost() == null || !List.of("http", "https").contains(uri.getScheme())) {
                throw new LockstepException(ErrorCode.USAGE, "--endpoint-url: expected http(s)://HOST[:PORT], got '" + endpoint + "'");
            }
        }
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
