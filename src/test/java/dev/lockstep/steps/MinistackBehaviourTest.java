package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.MinistackServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsAsyncClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.LiveTailSessionLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.StartLiveTailRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.StartLiveTailResponseHandler;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.Image;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.rds.RdsClient;

/**
 * What ministack (MinistackServer.VERSION) does where lockstep's AWS steps depend on it,
 * pinned so that a version bump that changes it is noticed. Quirks (where real AWS
 * differs) are said so; lockstep must not rely on them.
 */
@Tag("aws")
class MinistackBehaviourTest {
    private static final Region REGION = Region.of("me-central-1");
    private static CloudWatchLogsClient logs;
    private static EcsClient ecs;
    private static Ec2Client ec2;
    private static RdsClient rds;
    private static EcrClient ecr;

    @BeforeAll
    static void clients() {
        String endpoint = MinistackServer.endpoint();
        logs = AwsFixtures.client(CloudWatchLogsClient.builder(), REGION, endpoint);
        ecs = AwsFixtures.client(EcsClient.builder(), REGION, endpoint);
        ec2 = AwsFixtures.client(Ec2Client.builder(), REGION, endpoint);
        rds = AwsFixtures.client(RdsClient.builder(), REGION, endpoint);
        ecr = AwsFixtures.client(EcrClient.builder(), REGION, endpoint);
    }

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    private static CloudWatchLogsAsyncClient liveTailClient(boolean disableHostPrefix) {
        var b = CloudWatchLogsAsyncClient.builder().httpClientBuilder(NettyNioAsyncHttpClient.builder()).region(REGION)
                .endpointOverride(URI.create(MinistackServer.endpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")));
        // StartLiveTail's endpoint is "streaming-" + host: an IP address cannot take the prefix.
        if (disableHostPrefix) b.overrideConfiguration(o -> o.putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, true));
        return b.build();
    }

    private static String groupArn(String group) {
        return logs.describeLogGroups(b -> b.logGroupNamePrefix(group)).logGroups().get(0).logGroupArn();
    }

    private static void put(String group, String stream, long timestamp, String... lines) {
        List<InputLogEvent> events = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) events.add(InputLogEvent.builder().timestamp(timestamp + i).message(lines[i]).build());
        logs.putLogEvents(b -> b.logGroupName(group).logStreamName(stream).logEvents(events));
    }

    /** A live tail session: what it received, and its start. */
    private record Tail(CompletableFuture<Void> session, CountDownLatch started, ConcurrentLinkedQueue<LiveTailSessionLogEvent> events,
            AtomicReference<Throwable> error) {
        static Tail start(CloudWatchLogsAsyncClient client, StartLiveTailRequest request) {
            CountDownLatch started = new CountDownLatch(1);
            ConcurrentLinkedQueue<LiveTailSessionLogEvent> events = new ConcurrentLinkedQueue<>();
            AtomicReference<Throwable> error = new AtomicReference<>();
            StartLiveTailResponseHandler handler = StartLiveTailResponseHandler.builder().onError(error::set)
                    .subscriber(StartLiveTailResponseHandler.Visitor.builder()
                            .onSessionStart(s -> started.countDown())
                            .onSessionUpdate(u -> events.addAll(u.sessionResults())).build())
                    .build();
            return new Tail(client.startLiveTail(request, handler), started, events, error);
        }

        List<String> messages() {
            return events.stream().map(e -> e.logStreamName() + " " + e.message()).toList();
        }

        void awaitEvents(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (events.size() < n && System.nanoTime() < deadline) Thread.sleep(20);
        }
    }

    @Test
    void liveTailDeliversEventsPutAfterItStartedOnlyFromTheStreamsAsked() throws Exception {
        String group = unique("/ecs/live-");
        logs.createLogGroup(b -> b.logGroupName(group));
        try (CloudWatchLogsAsyncClient async = liveTailClient(true)) {
            // The identifier is the ARN without ":*" (logGroupArn, not arn).
            Tail tail = Tail.start(async, StartLiveTailRequest.builder().logGroupIdentifiers(groupArn(group))
                    .logStreamNamePrefixes("migrate/").build());
            assertTrue(tail.started().await(10, TimeUnit.SECONDS), "no sessionStart: " + tail.error().get());
            // Streams made after the session started, as ECS makes a new task's stream.
            String task = unique("t");
            logs.createLogStream(b -> b.logGroupName(group).logStreamName("migrate/migrate/" + task));
            logs.createLogStream(b -> b.logGroupName(group).logStreamName("zooid-relay/zooid-relay/" + task));
            long sent = System.currentTimeMillis();
            put(group, "zooid-relay/zooid-relay/" + task, sent, "relay listening");
            put(group, "migrate/migrate/" + task, sent, "Connected to both databases", "  kv: source=3 dest=3 [OK]");
            tail.awaitEvents(2);
            long latency = System.currentTimeMillis() - sent;
            Thread.sleep(300); // anything else would have come by now
            assertEquals(List.of("migrate/migrate/" + task + " Connected to both databases",
                    "migrate/migrate/" + task + "   kv: source=3 dest=3 [OK]"), tail.messages());
            assertTrue(latency < 5000, "live, not polled: " + latency + " ms");
            tail.session().cancel(true);
        }
    }

    /** logEventFilterPattern: every bare term must appear, case-sensitively; no "?a ?b" (OR) as on AWS. */
    @Test
    void liveTailFilterPatternNeedsEveryTerm() throws Exception {
        String group = unique("/ecs/live-filter-");
        logs.createLogGroup(b -> b.logGroupName(group));
        logs.createLogStream(b -> b.logGroupName(group).logStreamName("migrate/migrate/t"));
        try (CloudWatchLogsAsyncClient async = liveTailClient(true)) {
            Tail one = Tail.start(async, StartLiveTailRequest.builder().logGroupIdentifiers(groupArn(group))
                    .logStreamNames("migrate/migrate/t").logEventFilterPattern("MISMATCH").build());
            Tail either = Tail.start(async, StartLiveTailRequest.builder().logGroupIdentifiers(groupArn(group))
                    .logEventFilterPattern("?MISMATCH ?completed").build());
            assertTrue(one.started().await(10, TimeUnit.SECONDS) && either.started().await(10, TimeUnit.SECONDS));
            put(group, "migrate/migrate/t", System.currentTimeMillis(), "  kv: source=3 dest=2 MISMATCH", "mismatch in lower case",
                    "Migration completed successfully!");
            one.awaitEvents(1);
            Thread.sleep(500);
            assertEquals(List.of("migrate/migrate/t   kv: source=3 dest=2 MISMATCH"), one.messages());
            // Quirk: AWS would match the first and the last line.
            assertEquals(List.of(), either.messages());
            one.session().cancel(true);
            either.session().cancel(true);
        }
    }

    /** With the SDK's default, the client asks for http://streaming-127.0.0.1:PORT and never reaches the emulator. */
    @Test
    void liveTailNeedsHostPrefixInjectionDisabled() throws Exception {
        String group = unique("/ecs/live-prefix-");
        logs.createLogGroup(b -> b.logGroupName(group));
        try (CloudWatchLogsAsyncClient async = liveTailClient(false)) {
            Tail tail = Tail.start(async, StartLiveTailRequest.builder().logGroupIdentifiers(groupArn(group)).build());
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> tail.session().get(10, TimeUnit.SECONDS));
            assertTrue(String.valueOf(e.getCause()).contains("streaming-127.0.0.1"), String.valueOf(e.getCause()));
        }
    }

    /**
     * Quirks lockstep's polling fallback must survive: logStreamNamePrefix is ignored (every
     * stream is searched), there is never a nextToken (limit truncates), and terms match
     * case-insensitively. logStreamNames does filter. startTime and endTime are inclusive.
     */
    @Test
    void filterLogEventsIgnoresThePrefixAndNeverPages() {
        String group = unique("/ecs/filter-");
        logs.createLogGroup(b -> b.logGroupName(group));
        for (String s : List.of("migrate/migrate/a", "zooid-relay/zooid-relay/b")) {
            logs.createLogStream(b -> b.logGroupName(group).logStreamName(s));
        }
        long t0 = System.currentTimeMillis() - 60_000;
        put(group, "migrate/migrate/a", t0, "m0", "m1", "m2 MISMATCH", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
        put(group, "zooid-relay/zooid-relay/b", t0 + 100, "relay mismatch");

        var prefixed = logs.filterLogEvents(b -> b.logGroupName(group).logStreamNamePrefix("migrate/"));
        assertEquals(Set.of("migrate/migrate/a", "zooid-relay/zooid-relay/b"),
                prefixed.events().stream().map(FilteredLogEvent::logStreamName).collect(Collectors.toSet()));
        var named = logs.filterLogEvents(b -> b.logGroupName(group).logStreamNames("migrate/migrate/a"));
        assertEquals(10, named.events().size());

        var limited = logs.filterLogEvents(b -> b.logGroupName(group).logStreamNames("migrate/migrate/a").limit(4));
        assertEquals(List.of("m0", "m1", "m2 MISMATCH", "m3"), limited.events().stream().map(FilteredLogEvent::message).toList());
        assertNull(limited.nextToken(), "no paging: the caller must move startTime on and drop what it has seen");

        var window = logs.filterLogEvents(b -> b.logGroupName(group).logStreamNames("migrate/migrate/a").startTime(t0 + 1).endTime(t0 + 3));
        assertEquals(List.of("m1", "m2 MISMATCH", "m3"), window.events().stream().map(FilteredLogEvent::message).toList());

        var matched = logs.filterLogEvents(b -> b.logGroupName(group).filterPattern("MISMATCH"));
        assertEquals(List.of("m2 MISMATCH", "relay mismatch"), matched.events().stream().map(FilteredLogEvent::message).toList());
    }

    /** GetLogEvents pages as AWS does: forward from the head, the same token back at the end; endTime exclusive. */
    @Test
    void getLogEventsPagesForwardUntilTheTokenRepeats() {
        String group = unique("/ecs/get-");
        logs.createLogGroup(b -> b.logGroupName(group));
        logs.createLogStream(b -> b.logGroupName(group).logStreamName("s"));
        long t0 = System.currentTimeMillis() - 60_000;
        String[] lines = new String[25];
        for (int i = 0; i < lines.length; i++) lines[i] = "line " + i;
        put(group, "s", t0, lines);
        List<String> read = new ArrayList<>();
        String token = null;
        int pages = 0;
        while (true) {
            String t = token;
            GetLogEventsResponse r = logs.getLogEvents(b -> b.logGroupName(group).logStreamName("s").startFromHead(true).limit(10)
                    .nextToken(t));
            pages++;
            r.events().stream().map(OutputLogEvent::message).forEach(read::add);
            if (r.nextForwardToken().equals(token)) break;
            token = r.nextForwardToken();
        }
        assertEquals(List.of(lines), read);
        assertEquals(4, pages);
        var window = logs.getLogEvents(b -> b.logGroupName(group).logStreamName("s").startFromHead(true).startTime(t0).endTime(t0 + 2));
        assertEquals(List.of("line 0", "line 1"), window.events().stream().map(OutputLogEvent::message).toList());
    }

    /** The seed's migration task, as registered in its step 4 (awsvpc, Fargate, EFS through an access point). */
    private static TaskDefinition registerMigration(String family, String group) {
        return ecs.registerTaskDefinition(b -> b.family(family).networkMode(NetworkMode.AWSVPC)
                .requiresCompatibilities(Compatibility.FARGATE).cpu("512").memory("1024")
                .executionRoleArn("arn:aws:iam::" + MinistackServer.ACCOUNT + ":role/exec")
                .taskRoleArn("arn:aws:iam::" + MinistackServer.ACCOUNT + ":role/task")
                .volumes(v -> v.name("zooid-data").efsVolumeConfiguration(e -> e.fileSystemId("fs-12345678").transitEncryption("ENABLED")
                        .authorizationConfig(a -> a.accessPointId("fsap-12345678").iam("ENABLED"))))
                .containerDefinitions(c -> c.name("migrate").image("ghcr.io/unicitynetwork/unicity-relay-migrate:latest").essential(true)
                        .mountPoints(m -> m.sourceVolume("zooid-data").containerPath("/app/data").readOnly(true))
                        .logConfiguration(l -> l.logDriver("awslogs").options(Map.of("awslogs-group", group,
                                "awslogs-region", REGION.id(), "awslogs-stream-prefix", "migrate")))))
                .taskDefinition();
    }

    /**
     * Without Docker a task is a record: RUNNING at once, never stopping by itself, writing
     * nothing to its awslogs stream. StopTask stops it with exit code 0 (quirk: on AWS the
     * code is the process's, typically 137 or 143), so exit 0 alone does not prove success.
     * RunTask's clientToken is not honoured (quirk): the same token starts a second task.
     */
    @Test
    void fargateTasksRunUntilStoppedAndStopWithExitCodeZero() throws Exception {
        String cluster = unique("cluster-");
        String group = "/ecs/" + cluster;
        ecs.createCluster(b -> b.clusterName(cluster));
        logs.createLogGroup(b -> b.logGroupName(group));
        String vpc = ec2.createVpc(b -> b.cidrBlock("10.0.0.0/16")).vpc().vpcId();
        String subnet = ec2.createSubnet(b -> b.vpcId(vpc).cidrBlock("10.0.1.0/24")).subnet().subnetId();
        String sg = ec2.createSecurityGroup(b -> b.groupName(cluster).description("tasks").vpcId(vpc)).groupId();
        TaskDefinition td = registerMigration(unique("migrate-"), group);
        assertEquals("fsap-12345678", td.volumes().get(0).efsVolumeConfiguration().authorizationConfig().accessPointId());

        RunTaskRequest run = RunTaskRequest.builder().cluster(cluster).taskDefinition(td.taskDefinitionArn())
                .launchType(LaunchType.FARGATE).platformVersion("1.4.0").startedBy("lockstep").clientToken("same-token")
                .networkConfiguration(n -> n.awsvpcConfiguration(a -> a.subnets(subnet).securityGroups(sg).assignPublicIp(AssignPublicIp.ENABLED)))
                .build();
        var started = ecs.runTask(run);
        assertTrue(started.failures().isEmpty(), started.failures().toString());
        Task task = started.tasks().get(0);
        assertEquals("RUNNING", task.lastStatus());
        assertEquals("1.4.0", task.platformVersion());
        Thread.sleep(1500);
        task = ecs.describeTasks(b -> b.cluster(cluster).tasks(started.tasks().get(0).taskArn())).tasks().get(0);
        assertEquals("RUNNING", task.lastStatus(), "a task without Docker does not stop by itself");
        assertTrue(logs.describeLogStreams(b -> b.logGroupName(group)).logStreams().isEmpty(), "nothing writes its awslogs stream");

        String second = ecs.runTask(run).tasks().get(0).taskArn();
        assertNotEquals(task.taskArn(), second, "the clientToken does not make RunTask idempotent here");

        String arn = task.taskArn();
        ecs.stopTask(b -> b.cluster(cluster).task(arn).reason("lockstep: halted"));
        Task stopped = ecs.describeTasks(b -> b.cluster(cluster).tasks(arn)).tasks().get(0);
        assertEquals("STOPPED", stopped.lastStatus());
        assertEquals("UserInitiated", stopped.stopCodeAsString());
        assertEquals("lockstep: halted", stopped.stoppedReason());
        assertEquals(0, stopped.containers().get(0).exitCode());
    }

    /** Scaling is immediate: running equals desired at once, so services-stable holds on the first look. */
    @Test
    void servicesReachTheirDesiredCountAtOnce() {
        String cluster = unique("cluster-");
        ecs.createCluster(b -> b.clusterName(cluster));
        TaskDefinition td = registerMigration(unique("relay-"), "/ecs/" + cluster);
        ecs.createService(b -> b.cluster(cluster).serviceName("relay").taskDefinition(td.taskDefinitionArn()).desiredCount(1)
                .launchType(LaunchType.FARGATE));
        var s = ecs.describeServices(b -> b.cluster(cluster).services("relay")).services().get(0);
        assertEquals(1, s.runningCount());
        ecs.updateService(b -> b.cluster(cluster).service("relay").desiredCount(0));
        s = ecs.describeServices(b -> b.cluster(cluster).services("relay")).services().get(0);
        assertEquals(0, s.runningCount());
        assertEquals(1, s.deployments().size());
        List<String> stopped = ecs.listTasks(b -> b.cluster(cluster).serviceName("relay").desiredStatus("STOPPED")).taskArns();
        assertEquals("Service scaling down", ecs.describeTasks(b -> b.cluster(cluster).tasks(stopped)).tasks().get(0).stoppedReason());
    }

    /**
     * RDS is a record too: available at once, snapshots available at once. Quirk: any master
     * password is accepted; real RDS refuses '/', '@', '"' and space, and the seed's
     * `openssl rand -base64 24` contains '/' in about 40% of draws.
     */
    @Test
    void rdsIsAvailableAtOnceAndAcceptsAnyPassword() {
        String id = unique("db-");
        var db = rds.createDBInstance(b -> b.dbInstanceIdentifier(id).dbInstanceClass("db.t3.micro").engine("postgres")
                .engineVersion("16").masterUsername("zooid").masterUserPassword("a/b@c\"d e-0123456789").allocatedStorage(20)
                .deletionProtection(true)).dbInstance();
        assertEquals("available", db.dbInstanceStatus());
        // Made through the API (not CloudFormation), the endpoint is ministack's host name.
        assertEquals("localhost", db.endpoint().address());
        var snap = rds.createDBSnapshot(b -> b.dbInstanceIdentifier(id).dbSnapshotIdentifier(id + "-before-cutover")).dbSnapshot();
        assertEquals("available", snap.status());
    }

    /** ECR retag as AWS does it (BatchGetImage, then PutImage of the same manifest under a new tag). */
    @Test
    void ecrRetagsByPuttingTheSameManifest() throws Exception {
        String repo = unique("relay-");
        ecr.createRepository(b -> b.repositoryName(repo));
        String manifest = AwsFixtures.IMAGE_MANIFEST;
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(manifest.getBytes(StandardCharsets.UTF_8)));
        assertEquals(digest, ecr.putImage(b -> b.repositoryName(repo).imageManifest(manifest).imageTag("stage")).image().imageId()
                .imageDigest(), "the digest is the manifest's, as on AWS");
        Image image = ecr.batchGetImage(b -> b.repositoryName(repo).imageIds(i -> i.imageTag("stage"))).images().get(0);
        ecr.putImage(b -> b.repositoryName(repo).imageManifest(image.imageManifest()).imageManifestMediaType(image.imageManifestMediaType())
                .imageTag("stage-migrated-1"));
        var details = ecr.describeImages(b -> b.repositoryName(repo)).imageDetails();
        assertEquals(1, details.size());
        assertEquals(Set.of("stage", "stage-migrated-1"), Set.copyOf(details.get(0).imageTags()));
        // Quirk: putting a tag the image already has is accepted (AWS: ImageAlreadyExistsException).
        ecr.putImage(b -> b.repositoryName(repo).imageManifest(image.imageManifest()).imageTag("stage-migrated-1"));
    }
}
