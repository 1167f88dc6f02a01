package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.MinistackServer;
import dev.lockstep.MotoServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;

/**
 * logs.tail against a live StartLiveTail (ministack): events put after the tail started
 * arrive and haltOn/until act on them; the window before the step is read first; only the
 * streams asked for are shown, whatever the emulator returns; and where StartLiveTail is
 * missing (moto), the tail polls instead.
 */
@Tag("aws")
class LiveTailTest {
    private static final String RUNBOOK = "src/test/resources/runbooks/aws/tail-since.yaml";
    private static final String RELAY = "src/test/resources/runbooks/aws/tail-relay.yaml";
    private static CloudWatchLogsClient logs;

    @TempDir
    Path tmp;

    @BeforeAll
    static void emulator() {
        logs = AwsFixtures.client(CloudWatchLogsClient.builder(), Region.US_EAST_1, MinistackServer.endpoint());
    }

    private static String group() {
        return group("/ecs/live");
    }

    private static String group(String prefix) {
        String group = prefix + UUID.randomUUID().toString().substring(0, 8);
        logs.createLogGroup(b -> b.logGroupName(group));
        return group;
    }

    private LockstepCli cli() {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        MinistackServer.env().forEach(cli::env);
        return cli;
    }

    private CompletableFuture<LockstepCli.Result> tail(LockstepCli cli, String group, String... more) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("run", RUNBOOK, "--no-tui", "-p", "group=" + group));
        args.addAll(java.util.List.of(more));
        return CompletableFuture.supplyAsync(() -> cli.run(args.toArray(String[]::new)));
    }

    @Test
    void eventsPutAfterTheLiveTailStartedArriveAndEndTheStep() throws Exception {
        String group = group();
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = tail(cli, group);
        AwsFixtures.awaitOutput(cli.stateDir(), "live (StartLiveTail)");
        // A stream created after the session began, as ECS creates a task's.
        AwsFixtures.writeLog(logs, group, "migrate/migrate/t1", "  kv: source=3 dest=3 [OK]", "Migration completed successfully!");
        LockstepCli.Result r = run.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("kv: source=3 dest=3 [OK]"), r.out());
        assertFalse(r.out().contains("polling"), "it stayed live:\n" + r.out());
    }

    @Test
    void aMismatchArrivingLiveHalts() throws Exception {
        String group = group();
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = tail(cli, group);
        AwsFixtures.awaitOutput(cli.stateDir(), "live (StartLiveTail)");
        AwsFixtures.writeLog(logs, group, "migrate/migrate/t1", "  sphere_relay__events: source=10 dest=9 MISMATCH");
        LockstepCli.Result r = run.get(60, TimeUnit.SECONDS);
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.out().contains("HALTED step watch: output matched haltOn /MISMATCH/"), r.out());
    }

    @Test
    void theWindowBeforeTheStepIsReadBeforeGoingLive() throws Exception {
        String group = group();
        AwsFixtures.writeLog(logs, group, "migrate/migrate/t0", "Migration completed successfully!");
        LockstepCli.Result r = tail(cli(), group, "-p", "since=5m").get(60, TimeUnit.SECONDS);
        assertEquals(0, r.exit(), "a line written before the step, within since, ends it:\n" + r.all());
        assertTrue(r.out().contains("live (StartLiveTail)"), r.out());
    }

    @Test
    void anAbsoluteSinceLeavesOlderLinesOut() throws Exception {
        String group = group();
        AwsFixtures.writeLog(logs, group, "migrate/migrate/t0", "  kv: source=3 dest=2 MISMATCH");
        Thread.sleep(50);
        String after = Instant.now().toString();
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = tail(cli, group, "-p", "since=" + after);
        AwsFixtures.awaitOutput(cli.stateDir(), "[lockstep] following ");
        AwsFixtures.writeLog(logs, group, "migrate/migrate/t1", "Migration completed successfully!");
        LockstepCli.Result r = run.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.exit(), "the older MISMATCH is before since:\n" + r.all());
        assertFalse(r.out().contains("dest=2 MISMATCH"), r.out());
    }

    @Test
    void pollingShowsOnlyTheStreamsAskedForThoughTheEmulatorIgnoresThePrefix() throws Exception {
        String group = group();
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = tail(cli, group, "-p", "live=false");
        AwsFixtures.awaitOutput(cli.stateDir(), "[lockstep] following ");
        AwsFixtures.writeLog(logs, group, "zooid-relay/zooid-relay/r1", "relay: MISMATCH of another program");
        AwsFixtures.writeLog(logs, group, "migrate/migrate/t1", "Migration completed successfully!");
        LockstepCli.Result r = run.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.exit(), r.all());
        assertFalse(r.out().contains("another program"), r.out());
    }

    @Test
    void whereLiveTailIsMissingTheTailPolls() throws Exception {
        CloudWatchLogsClient moto = AwsFixtures.client(CloudWatchLogsClient.builder(), Region.US_EAST_1, MotoServer.endpoint());
        String group = "/ecs/moto" + UUID.randomUUID().toString().substring(0, 8);
        moto.createLogGroup(b -> b.logGroupName(group));
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        MotoServer.env().forEach(cli::env);
        CompletableFuture<LockstepCli.Result> run = tail(cli, group);
        AwsFixtures.awaitOutput(cli.stateDir(), "by polling FilterLogEvents");
        AwsFixtures.writeLog(moto, group, "migrate/migrate/t1", "Migration completed successfully!");
        LockstepCli.Result r = run.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("live tail is not available here"), r.out());
    }

    /** Runs relay-logs on a new group named from {@code prefix}, where the relay's task writes {@code line} once followed live. */
    private LockstepCli.Result relayLogsOn(String prefix, String line) throws Exception {
        String group = group(prefix);
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = CompletableFuture.supplyAsync(() -> cli.run("run", RELAY, "--no-tui",
                "-p", "group=" + group));
        AwsFixtures.awaitOutput(cli.stateDir(), "live (StartLiveTail)");
        AwsFixtures.writeLog(logs, group, "zooid-relay/zooid-relay/r1", line);
        return run.get(60, TimeUnit.SECONDS);
    }

    /** lockstep's own "[lockstep] following GROUP live" line names the group: the patterns must not see it. */
    @Test
    void aGroupNamedRelayReadyDoesNotEndTheStepBeforeTheRelaySpeaks() throws Exception {
        LockstepCli.Result r = relayLogsOn("/ecs/relay-ready-", "fatal: could not connect to postgres");
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.out().contains("HALTED step relay-logs: output matched haltOn"), r.out());
    }

    @Test
    void aGroupNamedRelayFatalDoesNotHaltARelayThatIsListening() throws Exception {
        LockstepCli.Result r = relayLogsOn("/ecs/relay-fatal-", "relay listening on :3334");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("relay listening on :3334"), r.out());
    }
}
