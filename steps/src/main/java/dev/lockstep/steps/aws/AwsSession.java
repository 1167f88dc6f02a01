package dev.lockstep.steps.aws;

import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.InstanceProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.profiles.Profile;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsAsyncClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsAsyncClientBuilder;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * Where AWS steps act, and their clients, chosen as the AWS CLI chooses (the command line
 * wins over the environment, which wins over the config files):
 * <ul>
 * <li>credentials: the profile given with {@code --profile} or the runbook's
 * {@code context.aws.profile}; else {@code $AWS_ACCESS_KEY_ID}/{@code $AWS_SECRET_ACCESS_KEY};
 * else {@code $AWS_PROFILE}; else the default profile, web identity, container and instance
 * roles. A profile may hold keys, {@code credential_process}, {@code role_arn} or IAM
 * Identity Center ({@code sso_session}, {@code sso_start_url});</li>
 * <li>region: {@code --region} or the runbook's {@code context.aws.region}; else
 * {@code $AWS_REGION}, {@code $AWS_DEFAULT_REGION}; else the chosen profile's {@code region};</li>
 * <li>endpoint, per service: {@code --endpoint-url}; else {@code $AWS_ENDPOINT_URL_<SERVICE>}
 * (such as {@code AWS_ENDPOINT_URL_CLOUDWATCH_LOGS}); else {@code $AWS_ENDPOINT_URL}.</li>
 * </ul>
 * Config files are {@code $AWS_CONFIG_FILE} and {@code $AWS_SHARED_CREDENTIALS_FILE}, else
 * {@code ~/.aws/config} and {@code ~/.aws/credentials}. Clients are made when a step first
 * needs one (never at start-up) and shared by the steps of a run. Before the first client is
 * handed out, the caller identity is checked against the runbook's {@code context.aws}.
 */
public final class AwsSession {
    private static final Map<Settings, AwsSession> SESSIONS = new ConcurrentHashMap<>();

    private final Settings settings;
    private final ProfileFile profiles;
    /** The profile credentials and region come from (null when keys in the environment are used). */
    private final String profile;
    /** True when the profile was chosen on the command line or by the runbook: it beats keys in the environment. */
    private final boolean profileChosen;
    private final Region region;
    private final AwsCredentialsProvider credentials;
    /** What was tried for credentials, in words, for the one line said when none work. */
    private final String tried;
    private final Map<Class<?>, Object> clients = new ConcurrentHashMap<>();
    private volatile String account;

    private AwsSession(Settings settings) {
        this.settings = settings;
        this.profiles = profileFile(settings.env());
        Map<String, String> env = settings.env();
        String chosen = settings.option(AwsContext.PROFILE);
        boolean keys = present(env.get("AWS_ACCESS_KEY_ID")) && present(env.get("AWS_SECRET_ACCESS_KEY"));
        this.profileChosen = chosen != null;
        if (chosen != null) {
            profile = chosen;
        } else if (keys) {
            profile = null;
        } else {
            profile = present(env.get("AWS_PROFILE")) ? env.get("AWS_PROFILE") : "default";
        }
        if (profile != null && (profileChosen || present(env.get("AWS_PROFILE"))) && profiles.profile(profile).isEmpty()) {
            throw new LockstepException(ErrorCode.NO_CREDENTIALS, "no AWS profile '" + profile + "' in " + files()
                    + ": check the name (aws configure list-profiles), or set $AWS_CONFIG_FILE");
        }
        this.region = region(settings, profile == null ? "default" : profile);
        if (profile != null && (profileChosen || present(env.get("AWS_PROFILE")))) {
            credentials = ProfileCredentialsProvider.builder().profileFile(profiles).profileName(profile).build();
            tried = "profile '" + profile + "' (" + kind(profiles.profile(profile).get()) + ") from " + files();
        } else if (profile == null) {
            String token = env.get("AWS_SESSION_TOKEN");
            credentials = StaticCredentialsProvider.create(present(token)
                    ? AwsSessionCredentials.create(env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY"), token)
                    : AwsBasicCredentials.create(env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")));
            tried = "the keys in $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY";
        } else {
            AwsCredentialsProviderChain.Builder chain = AwsCredentialsProviderChain.builder().reuseLastProviderEnabled(true);
            if (profiles.profile("default").isPresent()) {
                chain.addCredentialsProvider(ProfileCredentialsProvider.builder().profileFile(profiles).profileName("default").build());
            }
            if (present(env.get("AWS_WEB_IDENTITY_TOKEN_FILE"))) chain.addCredentialsProvider(WebIdentityTokenFileCredentialsProvider.create());
            chain.addCredentialsProvider(ContainerCredentialsProvider.builder().build());
            chain.addCredentialsProvider(InstanceProfileCredentialsProvider.builder().build());
            credentials = chain.build();
            tried = "no --profile, no $AWS_PROFILE, no keys in $AWS_ACCESS_KEY_ID; "
                    + (profiles.profile("default").isPresent() ? "the default profile in " + files() : "no default profile in " + files())
                    + ", then container and instance roles";
        }
    }

    public static AwsSession of(Settings settings) {
        return SESSIONS.computeIfAbsent(settings, AwsSession::new);
    }

    /** The region every client uses. */
    public Region region() {
        return region;
    }

    /**
     * Environment for shell steps, so an {@code aws} command acts where the AWS steps do: the
     * profile, the region as resolved (the profile's own when nothing else said), and the endpoint.
     * When a chosen profile must win over keys in the environment, those keys are emptied.
     */
    public Map<String, String> exports() {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (profile != null && (profileChosen || present(settings.env().get("AWS_PROFILE")))) {
            out.put("AWS_PROFILE", profile);
            if (profileChosen) {
                for (String k : new String[] {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}) {
                    if (settings.env().containsKey(k)) out.put(k, "");
                }
            }
        }
        out.put("AWS_REGION", region.id());
        out.put("AWS_DEFAULT_REGION", region.id());
        String endpoint = settings.option(AwsContext.ENDPOINT);
        if (endpoint != null) out.put("AWS_ENDPOINT_URL", endpoint);
        return out;
    }

    public CloudFormationClient cloudFormation() {
        return client(CloudFormationClient.class, () -> build(CloudFormationClient.builder(), "CLOUDFORMATION"));
    }

    public EcsClient ecs() {
        return client(EcsClient.class, () -> build(EcsClient.builder(), "ECS"));
    }

    public CloudWatchLogsClient logs() {
        return client(CloudWatchLogsClient.class, () -> build(CloudWatchLogsClient.builder(), "CLOUDWATCH_LOGS"));
    }

    /** The asynchronous logs client, for StartLiveTail's event stream. */
    public CloudWatchLogsAsyncClient logsAsync() {
        identity();
        return client(CloudWatchLogsAsyncClient.class, () -> {
            CloudWatchLogsAsyncClientBuilder b = configure(CloudWatchLogsAsyncClient.builder(), "CLOUDWATCH_LOGS");
            // StartLiveTail prefixes the host ("streaming-"); an emulator's address cannot take that.
            if (endpoint("CLOUDWATCH_LOGS") != null) {
                b.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(6).build())
                        .putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true));
            }
            return b.build();
        });
    }

    public RdsClient rds() {
        return client(RdsClient.class, () -> build(RdsClient.builder(), "RDS"));
    }

    public EcrClient ecr() {
        return client(EcrClient.class, () -> build(EcrClient.builder(), "ECR"));
    }

    @SuppressWarnings("unchecked")
    private <T> T client(Class<T> type, Supplier<T> make) {
        if (type != StsClient.class) identity();
        return (T) clients.computeIfAbsent(type, k -> make.get());
    }

    /**
     * The account the credentials belong to; checked once against the runbook's context.
     *
     * @throws LockstepException WRONG_TARGET for another account or region; NO_CREDENTIALS, in
     *     one line saying what was tried and what to do, when there are no usable credentials or
     *     the endpoint cannot be reached
     */
    public String identity() {
        String known = account;
        if (known != null) return known;
        synchronized (this) {
            if (account != null) return account;
            StsClient sts = client(StsClient.class, () -> build(StsClient.builder(), "STS"));
            // Credentials first, so that a profile's own source failing (an SSO portal, a credential_process)
            // is not mistaken for STS being out of reach.
            try {
                credentials.resolveCredentials();
            } catch (SdkException | IllegalStateException | IllegalArgumentException e) {
                throw new LockstepException(ErrorCode.NO_CREDENTIALS, noCredentials(e));
            }
            GetCallerIdentityResponse me;
            try {
                me = sts.getCallerIdentity();
            } catch (SdkException e) {
                throw new LockstepException(ErrorCode.NO_CREDENTIALS, cannotCheck(e));
            }
            String expectedAccount = settings.option(AwsContext.EXPECTED_ACCOUNT);
            String expectedRegion = settings.option(AwsContext.EXPECTED_REGION);
            if ((expectedAccount != null && !expectedAccount.equals(me.account()))
                    || (expectedRegion != null && !expectedRegion.equals(region.id()))) {
                throw new LockstepException(ErrorCode.WRONG_TARGET, "refusing to act: the runbook is for account "
                        + (expectedAccount != null ? expectedAccount : "(any)") + " in " + (expectedRegion != null ? expectedRegion : "(any region)")
                        + ", but the credentials are for account " + me.account() + " in " + region.id() + " (" + me.arn() + ")");
            }
            account = me.account();
            return account;
        }
    }

    /** Why the identity could not be checked, in one line: what was tried, and what to do. Never the SDK's provider chain. */
    private String cannotCheck(SdkException e) {
        String endpoint = endpoint("STS");
        if (e instanceof AwsServiceException a && a.awsErrorDetails() != null) {
            return "AWS refused the credentials (" + AwsErrors.describe(e) + "); tried " + tried
                    + ". Renew them (aws sso login" + (profile != null ? " --profile " + profile : "") + "), or choose others with --profile";
        }
        return "cannot reach AWS STS at " + (endpoint != null ? endpoint : "its endpoint in " + region.id()) + " ("
                + firstLine(rootMessage(e)) + "). Check the network" + (endpoint != null ? ", --endpoint-url and $AWS_ENDPOINT_URL" : " and --region");
    }

    /** The credentials could not be had from what was tried: say what, why in a few words, and what to do. */
    private String noCredentials(Exception e) {
        boolean sso = profile != null && profiles.profile(profile).map(p -> kind(p).startsWith("IAM Identity Center")).orElse(false);
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String reason = root instanceof java.io.IOException && root != e
                ? "cannot reach " + (root instanceof java.net.UnknownHostException ? "" : "its endpoint: ") + firstLine(rootMessage(e))
                : shortReason(String.valueOf(e.getMessage()));
        String todo = sso
                ? "if the SSO session is missing or expired, run aws sso login --profile " + profile + "; check the network"
                : "pass --profile NAME (aws configure list-profiles), run aws sso login --profile NAME for an SSO profile, "
                        + "or set $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY";
        return "no usable AWS credentials: tried " + tried + " (" + reason + "). To go on: " + todo;
    }

    /** The SDK's first sentence, without its list of every provider it tried. */
    private static String shortReason(String m) {
        String s = firstLine(m);
        if (s.startsWith("Unable to load credentials from any of the providers")) return "none of them had credentials";
        for (String cut : new String[] {": [", " AwsCredentialsProviderChain", "(credentialsProviders"}) {
            int at = s.indexOf(cut);
            if (at > 0) s = s.substring(0, at);
        }
        int dot = s.indexOf(". ");
        if (dot > 0) s = s.substring(0, dot);
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * The endpoint for one service ({@code CLOUDWATCH_LOGS}, as in {@code AWS_ENDPOINT_URL_CLOUDWATCH_LOGS}):
     * {@code --endpoint-url}, else the service's variable, else {@code $AWS_ENDPOINT_URL}; null for AWS itself.
     */
    String endpoint(String service) {
        String given = settings.option(AwsContext.ENDPOINT);
        if (given != null) return given;
        String own = settings.env().get("AWS_ENDPOINT_URL_" + service);
        if (present(own)) return own;
        String all = settings.env().get("AWS_ENDPOINT_URL");
        return present(all) ? all : null;
    }

    private <B extends AwsSyncClientBuilder<B, C> & AwsClientBuilder<B, C>, C> C build(B builder, String service) {
        builder.httpClientBuilder(UrlConnectionHttpClient.builder());
        return configure(builder, service).build();
    }

    private <B extends AwsClientBuilder<B, C>, C> B configure(B builder, String service) {
        builder.region(region).credentialsProvider(credentials)
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(6).build())
                        .build());
        String endpoint = endpoint(service);
        if (endpoint != null) builder.endpointOverride(URI.create(endpoint));
        return builder;
    }

    private Region region(Settings s, String profileName) {
        Map<String, String> env = s.env();
        String r = first(s.option(AwsContext.REGION), env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"),
                profiles.profile(profileName).flatMap(p -> p.property("region")).orElse(null));
        if (r == null) {
            throw new LockstepException(ErrorCode.NO_CREDENTIALS, "no AWS region: pass --region, set $AWS_REGION, put region in "
                    + (profile != null ? "profile '" + profile + "'" : "your profile") + ", or name one in the runbook's context.aws");
        }
        return Region.of(r);
    }

    /** The config and credentials files, as the AWS CLI finds them, read once (only those that exist). */
    private static ProfileFile profileFile(Map<String, String> env) {
        String home = first(env.get("HOME"), System.getProperty("user.home"));
        ProfileFile.Aggregator all = ProfileFile.aggregator();
        Path config = Path.of(first(env.get("AWS_CONFIG_FILE"), home + "/.aws/config"));
        Path creds = Path.of(first(env.get("AWS_SHARED_CREDENTIALS_FILE"), home + "/.aws/credentials"));
        if (Files.isRegularFile(config)) all.addFile(ProfileFile.builder().content(config).type(ProfileFile.Type.CONFIGURATION).build());
        if (Files.isRegularFile(creds)) all.addFile(ProfileFile.builder().content(creds).type(ProfileFile.Type.CREDENTIALS).build());
        return all.build();
    }

    private String files() {
        Map<String, String> env = settings.env();
        String home = first(env.get("HOME"), System.getProperty("user.home"));
        return first(env.get("AWS_CONFIG_FILE"), home + "/.aws/config") + " and "
                + first(env.get("AWS_SHARED_CREDENTIALS_FILE"), home + "/.aws/credentials");
    }

    /** What kind of credentials a profile holds, for messages. */
    private static String kind(Profile p) {
        Optional<String> any;
        if ((any = p.property("sso_session")).isPresent()) return "IAM Identity Center session " + any.get();
        if (p.property("sso_start_url").isPresent()) return "IAM Identity Center";
        if (p.property("credential_process").isPresent()) return "credential_process";
        if (p.property("role_arn").isPresent()) return "role " + p.property("role_arn").get();
        if (p.property("aws_access_key_id").isPresent()) return "keys";
        return "no credentials";
    }

    private static boolean present(String v) {
        return v != null && !v.isBlank();
    }

    private static String first(String... values) {
        for (String v : values) if (present(v)) return v;
        return null;
    }

}
