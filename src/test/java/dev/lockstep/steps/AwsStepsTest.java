package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.MotoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.rds.RdsClient;

/** AWS step types against a real emulator (moto's server, started by the tests). */
@Tag("aws")
@Tag("process")
class AwsStepsTest {
    private static final String DIR = "src/test/resources/runbooks/aws/";
    private static CloudFormationClient cf;
    private static CloudWatchLogsClient logs;
    private static EcsClient ecs;
    private static Ec2Client ec2;

    @TempDir
    Path tmp;

    @BeforeAll
    static void emulator() {
        cf = AwsFixtures.client(CloudFormationClient.builder(), Region.US_EAST_1);
        ecs = AwsFixtures.client(EcsClient.builder(), Region.US_EAST_1);
        ec2 = AwsFixtures.client(Ec2Client.builder(), Region.US_EAST_1);
        logs = AwsFixtures.client(CloudWatchLogsClient.builder(), Region.US_EAST_1);
    }

    /** A new log group with one stream, as the migration task's awslogs driver would make. */
    private static String logGroup() {
        String group = "/ecs/g" + UUID.randomUUID().toString().substring(0, 8);
        logs.createLogGroup(b -> b.logGroupName(group));
        logs.createLogStream(b -> b.logGroupName(group).logStreamName("migrate/migrate/task1"));
        return group;
    }

    /** A cluster with one container instance, so that the emulator can place EC2 tasks. */
    private static String cluster() {
        String name = "c" + UUID.randomUUID().toString().substring(0, 8);
        ecs.createCluster(b -> b.clusterName(name));
        AwsFixtures.containerInstance(ec2, ecs, name, "us-east-1");
        return name;
    }

    /** Plays the migration task: its awslogs stream gets these lines. */
    private static void taskWrites(String group, String taskId, String... lines) {
        AwsFixtures.writeLog(logs, group, "migrate/migrate/" + taskId, lines);
    }

    private static String taskOf(String cluster) throws InterruptedException {
        return AwsFixtures.taskOf(ecs, cluster);
    }

    private String[] ecsArgs(String cluster, String group, String... more) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("run", DIR + "ecs.yaml", "--no-tui",
                "-p", "cluster=" + cluster, "-p", "group=" + group, "-p", "family=f" + cluster));
        args.addAll(java.util.List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void runTaskFollowsTheTasksLogStreamAndSucceedsOnTheUntilLine() throws Exception {
        String cluster = cluster();
        String group = logGroup();
        LockstepCli cli = cli().env("TEST_DB_PASSWORD", "pa55-word-secret");
        CompletableFuture<LockstepCli.Result> run = start(cli, ecsArgs(cluster, group));
        String task = taskOf(cluster);
        taskWrites(group, task, "Connected to both databases", "  kv: source=3 dest=3 [OK]");
        AwsFixtures.awaitOutput(cli.stateDir(), "kv: source=3 dest=3 [OK]");
        taskWrites(group, task, "Migration completed successfully!");
        LockstepCli.Result r = run.get(90, TimeUnit.SECONDS);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("registered arn:aws:ecs:us-east-1:123456789012:task-definition/f" + cluster + ":1"), r.out());
        assertTrue(r.out().contains("following log group " + group + " stream migrate/migrate/" + task), r.out());
        assertTrue(r.out().contains("after the migration"), r.out());
        var container = ecs.describeTaskDefinition(b -> b.taskDefinition("f" + cluster)).taskDefinition().containerDefinitions().get(0);
        assertTrue(container.environment().stream().anyMatch(e -> e.value().equals(
                "postgres://zooid:pa55-word-secret@db:5432/zooid?sslmode=require")), "the value was resolved in the file");
        assertTrue(!r.all().contains("pa55-word-secret"), "and it is shown nowhere");
    }

    @Test
    void aMismatchInTheTasksLogsHalts() throws Exception {
        String cluster = cluster();
        String group = logGroup();
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = start(cli, ecsArgs(cluster, group));
        taskWrites(group, taskOf(cluster), "  sphere_relay__events: source=10 dest=9 MISMATCH");
        LockstepCli.Result r = run.get(90, TimeUnit.SECONDS);
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.out().contains("HALTED step migrate"), r.out());
    }

    @Test
    void aTaskThatStopsEndsTheStepWithItsExitCode() throws Exception {
        String cluster = cluster();
        String group = logGroup();
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = start(cli, ecsArgs(cluster, group));
        String task = taskOf(cluster);
        taskWrites(group, task, "Connected to both databases");
        AwsFixtures.awaitOutput(cli.stateDir(), "Connected to both databases");
        ecs.stopTask(b -> b.cluster(cluster).task(task).reason("Essential container in task exited"));
        LockstepCli.Result r = run.get(90, TimeUnit.SECONDS);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("task STOPPED"), r.out());
        assertTrue(r.out().contains("ok step migrate succeeded") && r.out().contains("task exited 0"), r.out());
    }

    @Test
    void aResumedRunTaskReattachesToTheSameTask() throws Exception {
        String cluster = cluster();
        String group = logGroup();
        Path state = tmp.resolve("proc-state");
        Path log = tmp.resolve("first.log");
        String[] args = ecsArgs(cluster, group, "--state-dir", state.toString());
        Process p = dev.lockstep.LockstepProcess.start(log, MotoServer.env(), args);
        String task = taskOf(cluster);
        AwsFixtures.awaitOutput(state, "following log group");
        p.destroyForcibly().waitFor();
        Path resumed = tmp.resolve("resume.log");
        CompletableFuture<Integer> resume = CompletableFuture.supplyAsync(() -> {
            try {
                return dev.lockstep.LockstepProcess.run(resumed, MotoServer.env(), "resume", "--no-tui", "--state-dir", state.toString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        AwsFixtures.awaitOutput(state, "re-attaching to task");
        taskWrites(group, task, "Migration completed successfully!");
        assertEquals(0, resume.get(90, TimeUnit.SECONDS), Files.readString(resumed));
        assertEquals(1, ecs.listTasks(b -> b.cluster(cluster)).taskArns().size(), "no second task was started");
        assertTrue(Files.readString(resumed).contains("re-attaching to task arn:aws:ecs"), Files.readString(resumed));
    }

    @Test
    void scaleWaitsUntilStableAndItsRollbackRestoresTheDesiredCount() {
        String cluster = cluster();
        String service = "relay";
        ecs.registerTaskDefinition(b -> b.family("relay" + cluster).containerDefinitions(d -> d.name("relay").image("x").memory(512)));
        ecs.createService(b -> b.cluster(cluster).serviceName(service).taskDefinition("relay" + cluster).desiredCount(1));
        LockstepCli cli = cli();
        LockstepCli.Result r = cli.run("run", DIR + "scale.yaml", "--no-tui", "-p", "cluster=" + cluster, "-p", "service=" + service);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("desired count of relay set to 0"), r.out());
        assertTrue(r.out().contains("relay is stable at 0 running"), r.out());
        assertEquals(0, ecs.describeServices(b -> b.cluster(cluster).services(service)).services().get(0).desiredCount());

        String id = r.out().lines().filter(l -> l.startsWith("run id: ")).findFirst().orElseThrow().substring(8);
        LockstepCli.Result rb = cli.run("rollback", id, "--no-tui", "--yes", "--confirm-run", id);
        assertEquals(0, rb.exit(), rb.all());
        assertTrue(rb.out().contains("1. undo stop-relay (succeeded): ecs.scale (built-in undo)"), rb.out());
        assertTrue(rb.out().contains("[rollback] [lockstep] desired count of relay set to 1"), rb.out());
        assertEquals(1, ecs.describeServices(b -> b.cluster(cluster).services(service)).services().get(0).desiredCount(),
                "the rollback restored the desired count it found");
    }

    @Test
    void rdsWaitEndpointSnapshotAndEcrRetag() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String instance = "relay-db-" + suffix;
        RdsClient rds = AwsFixtures.client(RdsClient.builder(), Region.US_EAST_1);
        AwsFixtures.postgresInstance(rds, instance);
        EcrClient ecr = AwsFixtures.client(EcrClient.builder(), Region.US_EAST_1);
        String repository = "relay-" + suffix;
        ecr.createRepository(b -> b.repositoryName(repository));
        String manifest = AwsFixtures.IMAGE_MANIFEST;
        ecr.putImage(b -> b.repositoryName(repository).imageManifest(manifest).imageTag("sha-44d3ff3"));

        LockstepCli.Result r = cli().run("run", DIR + "rds-ecr.yaml", "--no-tui", "-p", "instance=" + instance,
                "-p", "repository=" + repository);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains(instance + " is available"), r.out());
        assertTrue(r.out().contains("outputs: host=" + instance + "."), r.out());
        assertTrue(r.out().contains("snapshot " + instance + "-lockstep-"), r.out());
        var tags = ecr.describeImages(b -> b.repositoryName(repository)).imageDetails().get(0).imageTags();
        assertTrue(tags.containsAll(java.util.List.of("sha-44d3ff3", "stage-migrated-sha-44d3ff3")), tags.toString());
        assertEquals(1, rds.describeDBSnapshots(b -> b.dbInstanceIdentifier(instance).snapshotType("manual")).dbSnapshots().size(),
                "one snapshot taken");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "cloudformation.outputs | { stack: no-such-stack } | CloudFormation ValidationError: Stack with id no-such-stack does not exist",
        "rds.endpoint | { instance: no-such-db } | Rds DBInstanceNotFound: DBInstance no-such-db not found.",
        "rds.snapshot | { instance: no-such-db, interval: 200ms } | Rds DBInstanceNotFound",
        "ecr.retag | { repository: no-such-repo, from: v1, to: v2 } | Ecr RepositoryNotFoundException",
        // moto answers a template it cannot parse with a bare HTTP 500 (AWS says ValidationError); either way: code, no trace.
        "cloudformation.deploy | { stack: broken-stack, template: broken.yaml, interval: 200ms } | CloudFormation HTTP 500"})
    void serviceErrorsFailTheStepWithTheirCodeAndMessage(String type, String with, String expected) throws Exception {
        Path book = tmp.resolve("failing.yaml");
        Files.copy(Path.of(DIR, "templates/broken.yaml"), tmp.resolve("broken.yaml"));
        Files.writeString(book, "lockstep: 1\nname: failing\nsteps:\n  - id: failing\n    uses: " + type + "\n    with: " + with + "\n");
        LockstepCli.Result r = cli().run("run", book.toString(), "--no-tui");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains("step failing failed: " + expected), r.err());
        assertTrue(!r.all().contains("at software.amazon"), "no stack trace");
    }

    private static boolean logGroupExists(String name) {
        return logs.describeLogGroups(b -> b.logGroupNamePrefix(name)).logGroups().stream()
                .anyMatch(g -> g.logGroupName().equals(name));
    }

    /** Plays the migration task: writes lines to its log stream. */
    private static void write(String group, String... lines) {
        AwsFixtures.writeLog(logs, group, "migrate/migrate/task1", lines);
    }

    /** Runs the CLI in the background while the test writes to the emulator, as the task would. */
    private CompletableFuture<LockstepCli.Result> start(LockstepCli cli, String... args) {
        return CompletableFuture.supplyAsync(() -> cli.run(args));
    }

    @Test
    void tailShowsEachEventOnceAndEndsOnTheUntilLine() throws Exception {
        String group = logGroup();
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = start(cli, "run", DIR + "tail.yaml", "--no-tui", "-p", "group=" + group);
        AwsFixtures.awaitOutput(cli.stateDir(), "[lockstep] following ");
        write(group, "Connected to both databases", "Migrating events: 10 rows");
        AwsFixtures.awaitOutput(cli.stateDir(), "Migrating events: 10 rows");
        write(group, "  kv: source=3 dest=3 [OK]", "Migration completed successfully!");
        LockstepCli.Result r = run.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("until matched: Migration completed successfully!"), r.out());
        assertTrue(r.out().contains("after the tail"), r.out());
        for (String line : new String[] {"Connected to both databases", "Migrating events: 10 rows", "kv: source=3 dest=3 [OK]"}) {
            assertEquals(1, r.out().split(java.util.regex.Pattern.quote(line), -1).length - 1, line + " shown once:\n" + r.out());
        }
    }

    @Test
    void aMismatchLineInTheLogsHaltsTheRun() throws Exception {
        String group = logGroup();
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = start(cli, "run", DIR + "tail.yaml", "--no-tui", "-p", "group=" + group);
        AwsFixtures.awaitOutput(cli.stateDir(), "[lockstep] following ");
        write(group, "  kv: source=3 dest=3 [OK]", "  sphere_relay__events: source=10 dest=9 MISMATCH");
        LockstepCli.Result r = run.get(60, TimeUnit.SECONDS);
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.out().contains("HALTED step watch: output matched haltOn /MISMATCH/"), r.out());
        assertTrue(r.out().contains("evidence:   sphere_relay__events: source=10 dest=9 MISMATCH"), r.out());
        assertTrue(!r.out().contains("after the tail"), "nothing after the halt ran");
    }

    private LockstepCli cli() {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        MotoServer.env().forEach(cli::env);
        return cli;
    }

    @Test
    void statusIsAPreconditionAndOutputsAndResourcesBecomeStepOutputs() {
        String stack = AwsFixtures.stackWithALogGroup(cf);
        LockstepCli.Result r = cli().run("run", DIR + "cfn-read.yaml", "--no-tui", "-p", "stack=" + stack);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("check 1 (cloudformation.status) passed: status=CREATE_COMPLETE"), r.out());
        assertTrue(r.out().contains("outputs: group=" + stack + "-logs physical=" + stack + "-logs"), r.out());
    }

    /** moto gives an EFS access point no physical id: the step that read it fails, naming the output, before anything uses it. */
    @Test
    void aResourceIdThatComesBackNullFailsTheStepThatReadItNamingTheOutput() {
        String stack = "efs" + UUID.randomUUID().toString().substring(0, 8);
        cf.createStack(b -> b.stackName(stack).templateBody("""
                Resources:
                  EFSFileSystem: { Type: AWS::EFS::FileSystem }
                  EFSAccessPoint:
                    Type: AWS::EFS::AccessPoint
                    Properties: { FileSystemId: !Ref EFSFileSystem }
                """));
        LockstepCli.Result r = cli().run("run", DIR + "cfn-access-point.yaml", "--no-tui", "-p", "stack=" + stack);
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("resource EFSAccessPoint = null"), "what moto said:\n" + r.out());
        assertTrue(r.err().contains("step ids failed: the step ran, but output access_point (" + DIR + "cfn-access-point.yaml:13:21) "
                + "came back null"), r.err());
        assertFalse(r.out().contains("step register started"), r.out());
    }

    @Test
    void aMissingStackFailsThePreconditionAndNothingRuns() {
        LockstepCli.Result r = cli().run("run", DIR + "cfn-read.yaml", "--no-tui", "-p", "stack=no-such-stack");
        assertEquals(4, r.exit(), r.all());
        assertTrue(r.err().contains("status=DOES_NOT_EXIST (expected one of [CREATE_COMPLETE, UPDATE_COMPLETE])"), r.err());
    }

    @Test
    void credentialsForAnotherAccountAreRefusedWithBothShown() {
        String stack = AwsFixtures.stackWithALogGroup(cf);
        LockstepCli cli = cli();
        LockstepCli.Result r = cli.run("run", DIR + "cfn-elsewhere.yaml", "--no-tui", "-p", "stack=" + stack);
        assertEquals(13, r.exit(), r.all());
        assertTrue(r.err().contains("refusing to act: the runbook is for account 999999999999 in us-east-1, but the "
                + "credentials are for account 123456789012 in us-east-1"), r.err());
        assertTrue(cli.run("runs").out().contains("no runs"), "refused before anything was recorded");
        LockstepCli.Result plan = cli.run("plan", DIR + "cfn-elsewhere.yaml", "-p", "stack=" + stack);
        assertEquals(13, plan.exit(), plan.all());
        assertTrue(plan.err().contains("refusing to act"), "the dry-run checks the identity too: " + plan.all());
    }

    @Test
    void theEndpointCanBeGivenOnTheCommandLine() {
        String stack = AwsFixtures.stackWithALogGroup(cf);
        LockstepCli cli = new LockstepCli(tmp.resolve("state2")).env("AWS_ACCESS_KEY_ID", "testing")
                .env("AWS_SECRET_ACCESS_KEY", "testing");
        LockstepCli.Result r = cli.run("plan", DIR + "cfn-read.yaml", "-p", "stack=" + stack,
                "--endpoint-url", MotoServer.endpoint(), "--region", "us-east-1");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("cloudformation.status expect {status=[CREATE_COMPLETE, UPDATE_COMPLETE]} -> PASS"), r.out());
    }
}
