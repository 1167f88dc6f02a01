package dev.lockstep.steps.aws;

import dev.lockstep.step.Settings;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
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
 * Where AWS steps act, and their clients. Clients are made when a step first needs
 * one (never at start-up) and shared by the steps of a run. Before the first client
 * is handed out, the caller identity is checked against the runbook's
 * {@code context.aws}: credentials for another account or region are refused with
 * both values shown.
 */
public final class AwsSession {
    private static final Map<Settings, AwsSession> SESSIONS = new ConcurrentHashMap<>();

    private final Settings settings;
    private final Region region;
    private final URI endpoint;
    private final AwsCredentialsProvider credentials;
    private final Map<Class<?>, Object> clients = new ConcurrentHashMap<>();
    private volatile String account;

    private AwsSession(Settings settings) {
        this.settings = settings;
        this.region = region(settings);
        String url = first(settings.option(AwsContext.ENDPOINT), settings.env().get("AWS_ENDPOINT_URL"));
        this.endpoint = url == null ? null : URI.create(url);
        this.credentials = credentials(settings);
    }

    public static AwsSession of(Settings settings) {
        return SESSIONS.computeIfAbsent(settings, AwsSession::new);
    }

    public CloudFormationClient cloudFormation() {
        return client(CloudFormationClient.class, () -> build(CloudFormationClient.builder()));
    }

    public EcsClient ecs() {
        return client(EcsClient.class, () -> build(EcsClient.builder()));
    }

    public CloudWatchLogsClient logs() {
        return client(CloudWatchLogsClient.class, () -> build(CloudWatchLogsClient.builder()));
    }

    /** The asynchronous logs client, for StartLiveTail's event stream. */
    public CloudWatchLogsAsyncClient logsAsync() {
        identity();
        return client(CloudWatchLogsAsyncClient.class, () -> {
            CloudWatchLogsAsyncClientBuilder b = configure(CloudWatchLogsAsyncClient.builder());
            // StartLiveTail prefixes the host ("streaming-"); an emulator's address cannot take that.
            if (endpoint != null) {
                b.overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(6).build())
                        .putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true));
            }
            return b.build();
        });
    }

    public RdsClient rds() {
        return client(RdsClient.class, () -> build(RdsClient.builder()));
    }

    public EcrClient ecr() {
        return client(EcrClient.class, () -> build(EcrClient.builder()));
    }

    @SuppressWarnings("unchecked")
    private <T> T client(Class<T> type, Supplier<T> make) {
        if (type != StsClient.class) identity();
        return (T) clients.computeIfAbsent(type, k -> make.get());
    }

    /** The account the credentials belong to; checked once against the runbook's context. */
    public String identity() {
        String known = account;
        if (known != null) return known;
        synchronized (this) {
            if (account != null) return account;
            StsClient sts = client(StsClient.class, () -> build(StsClient.builder()));
            GetCallerIdentityResponse me = sts.getCallerIdentity();
            String expectedAccount = settings.option(AwsContext.EXPECTED_ACCOUNT);
            String expectedRegion = settings.option(AwsContext.EXPECTED_REGION);
            if ((expectedAccount != null && !expectedAccount.equals(me.account()))
                    || (expectedRegion != null && !expectedRegion.equals(region.id()))) {
                throw new IllegalStateException("refusing to act: the runbook is for account "
                        + (expectedAccount != null ? expectedAccount : "(any)") + " in " + (expectedRegion != null ? expectedRegion : "(any region)")
                        + ", but the credentials are for account " + me.account() + " in " + region.id() + " (" + me.arn() + ")");
            }
            account = me.account();
            return account;
        }
    }

    private <B extends AwsSyncClientBuilder<B, C> & AwsClientBuilder<B, C>, C> C build(B builder) {
        builder.httpClientBuilder(UrlConnectionHttpClient.builder());
        return configure(builder).build();
    }

    private <B extends AwsClientBuilder<B, C>, C> B configure(B builder) {
        builder.region(region).credentialsProvider(credentials)
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(6).build())
                        .build());
        if (endpoint != null) builder.endpointOverride(endpoint);
        return builder;
    }

    private static Region region(Settings s) {
        String r = first(s.option(AwsContext.REGION), s.env().get("AWS_REGION"), s.env().get("AWS_DEFAULT_REGION"));
        if (r != null) return Region.of(r);
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (RuntimeException e) {
            throw new IllegalStateException("no AWS region: pass --region, set $AWS_REGION, or name one in the runbook's context.aws");
        }
    }

    private static AwsCredentialsProvider credentials(Settings s) {
        String key = s.env().get("AWS_ACCESS_KEY_ID");
        String secret = s.env().get("AWS_SECRET_ACCESS_KEY");
        if (key != null && secret != null) {
            String token = s.env().get("AWS_SESSION_TOKEN");
            return StaticCredentialsProvider.create(token != null ? AwsSessionCredentials.create(key, secret, token)
                    : AwsBasicCredentials.create(key, secret));
        }
        String profile = s.option(AwsContext.PROFILE);
        if (profile != null) return ProfileCredentialsProvider.create(profile);
        return DefaultCredentialsProvider.builder().build();
    }

    private static String first(String... values) {
        for (String v : values) if (v != null && !v.isBlank()) return v;
        return null;
    }
}
