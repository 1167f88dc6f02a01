package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.MinistackServer;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.LogDriver;
import software.amazon.awssdk.services.ecs.model.NetworkMode;

/**
 * ecs.run-task on ministack (Fargate, awsvpc): a task finishes by itself, so its until line
 * does not end the step early; the step waits for the task's end and keeps its whole result
 * (exit code, stop code, log stream) plus the matched line.
 */
@Tag("aws")
class EcsRunTaskTest {
    @TempDir
    Path tmp;

    @Test
    void anUntilLineKeepsTheTasksWholeResult() throws Exception {
        String endpoint = MinistackServer.endpoint();
        EcsClient ecs = AwsFixtures.client(EcsClient.builder(), Region.US_EAST_1, endpoint);
        CloudWatchLogsClient logs = AwsFixtures.client(CloudWatchLogsClient.builder(), Region.US_EAST_1, endpoint);
        String name = "rt" + UUID.randomUUID().toString().substring(0, 8);
        String group = "/ecs/" + name;
        logs.createLogGroup(b -> b.logGroupName(group));
        ecs.createCluster(b -> b.clusterName(name));
        ecs.registerTaskDefinition(b -> b.family(name).networkMode(NetworkMode.AWSVPC).requiresCompatibilitiesWithStrings("FARGATE")
                .cpu("256").memory("512").containerDefinitions(c -> c.name("work").image("busybox").essential(true)
                        .logConfiguration(l -> l.logDriver(LogDriver.AWSLOGS).options(java.util.Map.of("awslogs-group", group,
                                "awslogs-region", "us-east-1", "awslogs-stream-prefix", "job")))));
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        MinistackServer.env().forEach(cli::env);
        CompletableFuture<LockstepCli.Result> run = CompletableFuture.supplyAsync(() -> cli.run("run",
                "src/test/resources/runbooks/aws/run-task-until.yaml", "--no-tui", "-p", "cluster=" + name, "-p", "family=" + name));
        String task = AwsFixtures.taskOf(ecs, name);
        AwsFixtures.writeLog(logs, group, "job/work/" + task, "work done");
        AwsFixtures.awaitOutput(cli.stateDir(), "work done");
        // The line came; the task has not ended: the step waits for it.
        assertTrue(!run.isDone(), "the step still follows the task");
        ecs.stopTask(b -> b.cluster(name).task(task).reason("Essential container in task exited"));
        LockstepCli.Result r = run.get(2, TimeUnit.MINUTES);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("exit=0 stop=UserInitiated matched=work done stream=job/work/" + task), r.out());
    }
}
