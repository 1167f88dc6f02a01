package dev.lockstep.steps.aws;

import dev.lockstep.spi.ContextKind;
import dev.lockstep.spi.ContextOption;
import dev.lockstep.spi.ContextTarget;
import dev.lockstep.spi.Key;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.Settings;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code context.aws}: the AWS account and region a runbook may act in. Its options choose
 * the profile, region and endpoint; its target names them in the header, checks the caller
 * identity before anything runs, and hands the same profile, region and endpoint to shell
 * steps, so that an {@code aws} command in a script acts where the AWS steps do.
 *
 * <pre>
 * context:
 *   aws: { region: me-central-1, account: "123456789012" }
 * </pre>
 */
public final class AwsContext implements ContextKind<AwsContext.Config> {
    public static final String PROFILE = "aws.profile";
    public static final String REGION = "aws.region";
    public static final String ENDPOINT = "aws.endpoint";
    public static final String EXPECTED_ACCOUNT = "aws.expected.account";
    public static final String EXPECTED_REGION = "aws.expected.region";

    public record Config(
            @Key("the region the runbook may act in (also the region used, unless --region says otherwise)") String region,
            @Key("the 12-digit account the credentials must belong to") String account,
            @Key("the profile to use (unless --profile says otherwise)") String profile) {
        public Config {
            if (account != null && !account.matches("\\d{12}")) {
                throw new IllegalArgumentException("account: expected a 12-digit AWS account id in quotes, got '" + account + "'");
            }
            if (region != null && !REGION_NAME.matcher(region).matches()) {
                throw new IllegalArgumentException("region: expected an AWS region such as me-central-1, got '" + region + "'");
            }
        }
    }

    private static final java.util.regex.Pattern REGION_NAME = java.util.regex.Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");

    @Override
    public String name() {
        return "aws";
    }

    @Override
    public String title() {
        return "AWS";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String example() {
        return """
                context:
                  aws: { region: me-central-1, account: "123456789012" }
                """;
    }

    @Override
    public List<ContextOption> options() {
        return List.of(
                ContextOption.of("--profile", PROFILE, "NAME",
                        "AWS profile (default: the runbook's context.aws.profile, else $AWS_PROFILE)."),
                new ContextOption("--region", REGION, "REGION",
                        "AWS region (default: the runbook's context.aws.region, else $AWS_REGION).",
                        v -> REGION_NAME.matcher(v).matches() ? null : "expected an AWS region such as me-central-1, got '" + v + "'"),
                new ContextOption("--endpoint-url", ENDPOINT, "URL",
                        "Send AWS calls here instead (LocalStack, moto, ministack); default $AWS_ENDPOINT_URL.",
                        AwsContext::endpointProblem));
    }

    private static String endpointProblem(String v) {
        URI uri;
        try {
            uri = URI.create(v);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        return uri == null || uri.getHost() == null || !List.of("http", "https").contains(uri.getScheme())
                ? "expected http(s)://HOST[:PORT], got '" + v + "'" : null;
    }

    @Override
    public Map<String, String> defaults(Config c) {
        Map<String, String> out = new HashMap<>();
        if (c.region() != null) {
            out.put(REGION, c.region());
            out.put(EXPECTED_REGION, c.region());
        }
        if (c.account() != null) out.put(EXPECTED_ACCOUNT, c.account());
        if (c.profile() != null) out.put(PROFILE, c.profile());
        return out;
    }

    @Override
    public Set<String> values() {
        return Set.of("region", "account", "profile");
    }

    @Override
    public ContextTarget target(Config config, Settings settings) {
        return new Target(settings);
    }

    /** One AWS place: the session's region, profile and endpoint, and the account once the identity is checked. */
    private static final class Target implements ContextTarget {
        private final Settings settings;
        private volatile String account;

        Target(Settings settings) {
            this.settings = settings;
        }

        @Override
        public String describe() {
            String region = settings.option(REGION);
            String expected = settings.option(EXPECTED_ACCOUNT);
            String profile = settings.option(PROFILE);
            String endpoint = settings.option(ENDPOINT);
            String shown = account != null ? account : expected;
            return "aws" + (shown != null ? " " + shown : "") + (region != null ? " " + region : "")
                    + (profile != null ? " (" + profile + ")" : "") + (endpoint != null ? " via " + endpoint : "")
                    + (account == null ? " (not verified)" : "");
        }

        @Override
        public void verify() {
            if (account != null) return;
            account = AwsSession.of(settings).identity();
        }

        @Override
        public boolean verified() {
            return account != null;
        }

        /** The profile, region and endpoint as the session resolved them (see {@link AwsSession}). */
        @Override
        public Map<String, String> exports() {
            return AwsSession.of(settings).exports();
        }

        @Override
        public Map<String, Object> values() {
            Map<String, Object> out = new HashMap<>();
            String region = settings.option(REGION);
            try {
                region = AwsSession.of(settings).region().id();
            } catch (LockstepException e) {
                // No region anywhere: the value stays unknown, and the guard or the first AWS step says why.
            }
            out.put("region", region);
            out.put("account", account != null ? account : settings.option(EXPECTED_ACCOUNT));
            out.put("profile", settings.option(PROFILE));
            return out;
        }
    }
}
