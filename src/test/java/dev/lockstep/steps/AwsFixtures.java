package dev.lockstep.steps;

import dev.lockstep.MotoServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;

/** What the AWS tests do to the emulator themselves: clients, container instances, the task's log lines. */
public final class AwsFixtures {
    /** An image manifest ECR accepts (moto and ministack alike); its digest is its own SHA-256. */
    public static final String IMAGE_MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":7023,"
            + "\"digest\":\"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7\"},\"layers\":[]}";

    private AwsFixtures() {}

    /** A new stack holding a log group NAME-logs, with its name as the output LogGroupName; returns NAME. */
    public static String stackWithALogGroup(CloudFormationClient cf) {
        String name = "s" + UUID.randomUUID().toString().substring(0, 8);
        cf.createStack(b -> b.stackName(name).templateBody("""
                Resources:
                  Logs:
                    Type: AWS::Logs::LogGroup
                    Properties: { LogGroupName: %s-logs }
                Outputs:
                  LogGroupName: { Value: !Ref Logs }
                """.formatted(name)));
        return name;
    }

    /** A PostgreSQL instance as the runbooks' RDS steps find one. */
    public static void postgresInstance(RdsClient rds, String id) {
        rds.createDBInstance(b -> b.dbInstanceIdentifier(id).dbInstanceClass("db.t3.micro").engine("postgres")
                .masterUsername("zooid").masterUserPassword("not-a-real-one").allocatedStorage(20));
    }

    public static <B extends AwsSyncClientBuilder<B, C> & AwsClientBuilder<B, C>, C> C client(B builder, Region region) {
        return client(builder, region, MotoServer.endpoint());
    }

    /** A client of the emulator at {@code endpoint} (moto's or ministack's). */
    static <B extends AwsSyncClientBuilder<B, C> & AwsClientBuilder<B, C>, C> C client(B builder, Region region, String endpoint) {
        builder.httpClientBuilder(UrlConnectionHttpClient.builder());
        return builder.region(region).endpointOverride(URI.create(endpoint))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"))).build();
    }

    /** Registers an EC2 container instance with a cluster, so that the emulator can place EC2 tasks there. */
    static void containerInstance(Ec2Client ec2, EcsClient ecs, String cluster, String region) {
        var instance = ec2.runInstances(b -> b.imageId("ami-12c6146b").minCount(1).maxCount(1)).instances().get(0);
        String doc = "{\"instanceId\":\"" + instance.instanceId() + "\",\"region\":\"" + region + "\",\"availabilityZone\":\""
                + instance.placement().availabilityZone() + "\",\"privateIp\":\"" + instance.privateIpAddress()
                + "\",\"accountId\":\"123456789012\",\"imageId\":\"ami-12c6146b\",\"instanceType\":\"m1.small\"}";
        ecs.registerContainerInstance(b -> b.cluster(cluster).instanceIdentityDocument(doc));
    }

    /** Plays a container: its awslogs stream gets these lines. */
    static void writeLog(CloudWatchLogsClient logs, String group, String stream, String... lines) {
        if (logs.describeLogStreams(b -> b.logGroupName(group).logStreamNamePrefix(stream)).logStreams().isEmpty()) {
            logs.createLogStream(b -> b.logGroupName(group).logStreamName(stream));
        }
        long now = System.currentTimeMillis();
        List<InputLogEvent> events = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) events.add(InputLogEvent.builder().timestamp(now + i).message(lines[i]).build());
        logs.putLogEvents(b -> b.logGroupName(group).logStreamName(stream).logEvents(events));
    }

    /** The id of the one task on a cluster, once it exists. */
    static String taskOf(EcsClient ecs, String cluster) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            var arns = ecs.listTasks(b -> b.cluster(cluster)).taskArns();
            if (!arns.isEmpty()) {
                if (arns.size() != 1) throw new AssertionError("one task expected: " + arns);
                return arns.get(0).substring(arns.get(0).lastIndexOf('/') + 1);
            }
            if (System.nanoTime() > deadline) throw new AssertionError("no task started on " + cluster);
            Thread.sleep(100);
        }
    }

    static void awaitOutput(Path state, String text) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try (var files = Files.walk(state)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".log")).toList()) {
                    if (Files.readString(f).contains(text)) return;
                }
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                // The state folder is still being made.
            }
            if (System.nanoTime() > deadline) throw new AssertionError("never saw '" + text + "' in the step logs under " + state);
            Thread.sleep(50);
        }
    }

}
