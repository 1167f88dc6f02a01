package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.MotoServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.rds.RdsClient;

/**
 * runbooks/rds-cutover.yaml end to end against the emulator: the seed's relay stack
 * (made by the test, as it exists before the cutover), the migration task played by the
 * test (its log lines; the emulator runs no containers), then the rollback.
 */
class RdsCutoverTest {
    private static final String RUNBOOK = "runbooks/rds-cutover.yaml";
    private static final Region REGION = Region.of("me-central-1");
    private static final String PASSWORD = "s3cret-rds-password-1234";
    private static CloudFormationClient cf;
    private static EcsClient ecs;
    private static CloudWatchLogsClient logs;
    private static RdsClient rds;
    private static Ec2Client ec2;

    @TempDir
    Path tmp;

    private String stack;

    @BeforeAll
    static void clients() {
        cf = AwsFixtures.client(CloudFormationClient.builder(), REGION);
        ecs = AwsFixtures.client(EcsClient.builder(), REGION);
        logs = AwsFixtures.client(CloudWatchLogsClient.builder(), REGION);
        rds = AwsFixtures.client(RdsClient.builder(), REGION);
        ec2 = AwsFixtures.client(Ec2Client.builder(), REGION);
    }

    /** The relay as it runs before the cutover: on SQLite, one task, its log group. */
    @BeforeEach
    void relayOnSqlite() throws Exception {
        stack = "relay" + UUID.randomUUID().toString().substring(0, 6);
        String template = Files.readString(Path.of("runbooks/rds-cutover/relay-sqlite.yaml"));
        cf.createStack(b -> b.stackName(stack).capabilitiesWithStrings("CAPABILITY_IAM").templateBody(template)
                .parameters(Parameter.builder().parameterKey("RelaySecretKey").parameterValue("relay-secret-key").build(),
                        Parameter.builder().parameterKey("AdminPubkey").parameterValue("npub1admin").build()));
        AwsFixtures.containerInstance(ec2, ecs, stack + "-cluster", REGION.id());
        AwsFixtures.writeLog(logs, "/ecs/" + stack, "zooid-relay/zooid-relay/t1", "relay listening on :3334");
    }

    private LockstepCli cli() {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        MotoServer.env().forEach(cli::env);
        return cli.env("DB_PASSWORD", PASSWORD);
    }

    private CompletableFuture<LockstepCli.Result> cutover(LockstepCli cli) {
        return CompletableFuture.supplyAsync(() -> cli.run("run", RUNBOOK, "--no-tui", "--yes",
                "--confirm", "stop-relay=" + stack, "--confirm", "cutover=" + stack,
                "-p", "stack=" + stack, "-p", "launch_type=EC2", "-p", "network_mode=bridge"));
    }

    /** The relay image the stack was last deployed with (the emulator does not carry it into the task definition). */
    private String relayImage() {
        return cf.describeStacks(b -> b.stackName(stack)).stacks().get(0).parameters().stream()
                .filter(p -> p.parameterKey().equals("ContainerImage")).findFirst().orElseThrow().parameterValue();
    }

    private int desiredCount() {
        return ecs.describeServices(b -> b.cluster(stack + "-cluster").services(stack + "-zooid-relay")).services().get(0).desiredCount();
    }

    private static String runId(LockstepCli.Result r) {
        return r.out().lines().filter(l -> l.startsWith("run id: ")).findFirst().orElseThrow().substring(8);
    }

    @Test
    void theCutoverRunsEndToEndAndRollsBack() throws Exception {
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = cutover(cli);
        String task = AwsFixtures.taskOf(ecs, stack + "-cluster");
        AwsFixtures.writeLog(logs, "/ecs/" + stack, "migrate/migrate/" + task, "Connected to both databases",
                "  kv: source=3 dest=3 [OK]", "  sphere_relay__events: source=10 dest=10 [OK]", "Migration completed successfully!");
        LockstepCli.Result r = run.get(3, TimeUnit.MINUTES);
        assertEquals(0, r.exit(), r.all());
        for (String step : List.of("add-rds", "db-ready", "db", "ids", "register", "stop-relay", "migrate", "verify-counts",
                "cutover", "start-relay", "relay-logs", "websocket")) {
            assertTrue(r.out().contains("ok step " + step + " succeeded"), step + ":\n" + r.out());
        }
        assertTrue(r.out().contains("Add     RDSInstance (AWS::RDS::DBInstance)"), r.out());
        assertEquals("available", rds.describeDBInstances(b -> b.dbInstanceIdentifier(stack + "-db")).dbInstances().get(0)
                .dbInstanceStatus());
        assertEquals("ghcr.io/unicitynetwork/unicity-relay:pg-migration", relayImage());
        assertEquals(1, desiredCount());
        assertFalse(r.all().contains(PASSWORD), "the password is shown nowhere");

        LockstepCli.Result back = cli.run("rollback", runId(r), "--no-tui", "--yes");
        assertEquals(0, back.exit(), back.all());
        assertTrue(back.out().indexOf("undo start-relay") < back.out().indexOf("undo cutover"), back.out());
        assertTrue(back.out().indexOf("undo cutover") < back.out().indexOf("undo stop-relay"), back.out());
        assertTrue(back.out().contains("No rollback (left as they are):"), back.out());
        assertEquals("ghcr.io/unicitynetwork/unicity-relay:sha-44d3ff3", relayImage(), "the relay is back on SQLite:\n" + back.out());
        assertEquals(1, desiredCount(), "and running");
        assertFalse(back.all().contains(PASSWORD));
    }

    @Test
    void aMismatchInTheMigrationHaltsBeforeTheSwitchAndTheRollbackRestartsTheRelay() throws Exception {
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = cutover(cli);
        String task = AwsFixtures.taskOf(ecs, stack + "-cluster");
        AwsFixtures.writeLog(logs, "/ecs/" + stack, "migrate/migrate/" + task, "  kv: source=3 dest=3 [OK]",
                "  sphere_relay__events: source=10 dest=9 MISMATCH");
        LockstepCli.Result r = run.get(3, TimeUnit.MINUTES);
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.out().contains("HALTED step migrate"), r.out());
        assertFalse(r.out().contains("step cutover started"), "nothing after the halt ran");
        assertEquals(0, desiredCount(), "the relay was stopped for the migration");

        LockstepCli.Result back = cli.run("rollback", runId(r), "--no-tui", "--yes");
        assertEquals(0, back.exit(), back.all());
        assertEquals(1, desiredCount(), "the rollback started the relay again");
        assertEquals("ghcr.io/unicitynetwork/unicity-relay:sha-44d3ff3", relayImage());
    }

    @Test
    void thePlanRunsAgainstTheEmulatorAndShowsTheChangeSet() {
        LockstepCli.Result r = cli().run("plan", RUNBOOK, "-p", "stack=" + stack);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("check 1: cloudformation.status expect {status=[CREATE_COMPLETE, UPDATE_COMPLETE, "
                + "UPDATE_ROLLBACK_COMPLETE]} -> PASS (status=CREATE_COMPLETE)"), r.out());
        assertTrue(r.out().contains("Add     RDSInstance (AWS::RDS::DBInstance)"), r.out());
        assertTrue(r.out().contains("parameter DBPassword = ******"), r.out());
        assertTrue(r.out().contains("confirm: operator must type: " + stack), r.out());
        assertTrue(rds.describeDBInstances().dbInstances().stream().noneMatch(i -> i.dbInstanceIdentifier().equals(stack + "-db")),
                "the plan created nothing");
    }
}
