package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.MinistackServer;
import dev.lockstep.PlanJourney;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.rds.RdsClient;

/**
 * runbooks/rds-cutover.yaml end to end on ministack, against a stack shaped like the seed's
 * real one (src/test/resources/aws/seed-stack: EFS with an access point, two mount targets
 * and their security group, the relay's task definition mounting EFS, IAM roles, log group).
 * The tests play what the emulator cannot: the containers' log lines, and the migration
 * task's end (ministack tasks run until StopTask). The images live in a loopback registry. The whole cutover runs
 * from a saved plan: planned in one process and run from the file in another ({@link PlanJourney}).
 */
@Tag("aws")
class RdsCutoverTest {
    static final String RUNBOOK = "runbooks/rds-cutover.yaml";
    private static final Region REGION = Region.of("me-central-1");
    static final String PASSWORD = "Xk3vQ9pL2mN8rT5wY7zA1bC4-_";
    private static final String SQLITE_IMAGE = "ghcr.io/unicitynetwork/unicity-relay:sha-44d3ff3";
    private static final List<String> ALL_OK = List.of("Connected to both databases",
            "Found tables: [kv sphere_relay__event_tags sphere_relay__events]", "  kv: source=3 dest=3 [OK]",
            "  sphere_relay__event_tags: source=20 dest=20 [OK]", "  sphere_relay__events: source=10 dest=10 [OK]",
            "Migration completed successfully!");
    private static CloudFormationClient cf;
    private static EcsClient ecs;
    private static CloudWatchLogsClient logs;
    private static RdsClient rds;
    private static ImageRegistry registry;
    private static String relayImage;
    private static String migrateImage;

    @TempDir
    Path tmp;

    private String stack;
    private String oldRelayTask;

    @BeforeAll
    static void emulator() {
        String endpoint = MinistackServer.endpoint();
        cf = AwsFixtures.client(CloudFormationClient.builder(), REGION, endpoint);
        ecs = AwsFixtures.client(EcsClient.builder(), REGION, endpoint);
        logs = AwsFixtures.client(CloudWatchLogsClient.builder(), REGION, endpoint);
        rds = AwsFixtures.client(RdsClient.builder(), REGION, endpoint);
        registry = new ImageRegistry();
        relayImage = registry.push("unicitynetwork/unicity-relay:pg-migration");
        migrateImage = registry.push("unicitynetwork/unicity-relay-migrate:latest");
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    /** The relay as it runs before the cutover: the seed-shaped stack, on SQLite, its task logging "listening". */
    @BeforeEach
    void relayOnSqlite() throws Exception {
        stack = "zooid" + UUID.randomUUID().toString().substring(0, 6);
        createSeedStack(stack);
        oldRelayTask = serviceTasks(stack).get(0);
        AwsFixtures.writeLog(logs, "/ecs/" + stack, "zooid-relay/zooid-relay/" + id(oldRelayTask), "relay listening on :3334");
    }

    static void createSeedStack(String stack) throws Exception {
        createSeedStack(stack, Files.readString(Path.of("src/test/resources/aws/seed-stack/zooid-relay-cloudformation.yaml")));
    }

    static void createSeedStack(String stack, String template) throws Exception {
        cf.createStack(b -> b.stackName(stack).capabilitiesWithStrings("CAPABILITY_IAM").templateBody(template)
                .parameters(Parameter.builder().parameterKey("RelaySecretKey").parameterValue("relay-secret-key-hex").build(),
                        Parameter.builder().parameterKey("AdminPubkey").parameterValue("npub1admin").build(),
                        Parameter.builder().parameterKey("AdminPubkeys").parameterValue("npub1admin,npub1other").build()));
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!cf.describeStacks(b -> b.stackName(stack)).stacks().get(0).stackStatusAsString().equals("CREATE_COMPLETE")) {
            if (System.nanoTime() > deadline) throw new AssertionError("stack " + stack + " not created");
            Thread.sleep(100);
        }
    }

    static String id(String arn) {
        return arn.substring(arn.lastIndexOf('/') + 1);
    }

    static List<String> serviceTasks(String stack) {
        return ecs.listTasks(b -> b.cluster(stack + "-cluster").serviceName(stack + "-zooid-relay").desiredStatus("RUNNING")).taskArns();
    }

    /** The task lockstep started (startedBy lockstep) that is not one of {@code known}, once it exists. */
    static String lockstepTask(String stack, List<String> known) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            for (String arn : ecs.listTasks(b -> b.cluster(stack + "-cluster").startedBy("lockstep")).taskArns()) {
                if (!known.contains(arn)) return arn;
            }
            if (System.nanoTime() > deadline) throw new AssertionError("lockstep started no task on " + stack);
            Thread.sleep(100);
        }
    }

    /** Plays the migration container: its own awslogs stream gets these lines, then it exits (StopTask on the emulator). */
    static void migrationWrites(String stack, String task, List<String> lines) {
        AwsFixtures.writeLog(logs, "/ecs/" + stack, "migrate/migrate/" + id(task), lines.toArray(String[]::new));
    }

    static void migrationEnds(String stack, String task) {
        ecs.stopTask(b -> b.cluster(stack + "-cluster").task(task).reason("Essential container in task exited"));
    }

    /** Plays the relay task that start-relay starts: its own stream gets this line. */
    void newRelayWrites(String line) throws InterruptedException {
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (true) {
            List<String> now = serviceTasks(stack).stream().filter(t -> !t.equals(oldRelayTask)).toList();
            if (!now.isEmpty()) {
                AwsFixtures.writeLog(logs, "/ecs/" + stack, "zooid-relay/zooid-relay/" + id(now.get(0)), line);
                return;
            }
            if (System.nanoTime() > deadline) throw new AssertionError("no new relay task");
            Thread.sleep(100);
        }
    }

    private LockstepCli cli() {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        MinistackServer.env().forEach(cli::env);
        return cli.env("DB_PASSWORD", PASSWORD);
    }

    /** The cutover's guard as shipped, and as an emulator needs it: ministack says Conditional of every ECS change. */
    private static final String SHIPPED_GUARD = "          ZooidRelayTaskDefinition: [Replace]\n"
            + "          ZooidRelayService: [Modify]\n";
    private static final String EMULATOR_GUARD = "          ZooidRelayTaskDefinition: [Replace, Conditional]\n"
            + "          ZooidRelayService: [Modify, Conditional]\n";

    /**
     * The shipped runbook with the cutover's guard that an emulator needs, beside a copy of its
     * folder: AWS says replacement True for the task definition and False for the service,
     * ministack Conditional for both, which the shipped guard refuses (see
     * {@link #theShippedCutoverHaltsOnTheConditionalAnEmulatorReports}). In these tests only.
     */
    private String onEmulator() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("runbooks"));
        Path folder = Path.of(RUNBOOK.replace(".yaml", ""));
        try (Stream<Path> files = Files.list(folder)) {
            Files.createDirectories(dir.resolve(folder.getFileName()));
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(folder.getFileName()).resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        String shipped = Files.readString(Path.of(RUNBOOK));
        assertTrue(shipped.contains(SHIPPED_GUARD), "the shipped cutover's guard is what these tests replace:\n" + shipped);
        Path copy = dir.resolve(Path.of(RUNBOOK).getFileName());
        Files.writeString(copy, shipped.replace(SHIPPED_GUARD, EMULATOR_GUARD));
        return copy.toString();
    }

    private CompletableFuture<LockstepCli.Result> cutover(LockstepCli cli) {
        return cutover(cli, RUNBOOK);
    }

    private CompletableFuture<LockstepCli.Result> cutover(LockstepCli cli, String runbook) {
        return CompletableFuture.supplyAsync(() -> cli.run("run", runbook, "--no-tui", "--yes",
                "--confirm", "stop-relay=" + stack, "--confirm", "cutover=" + stack, "--confirm", "start-relay=start-relay",
                "-p", "stack=" + stack, "-p", "relay_image=" + relayImage, "-p", "migrate_image=" + migrateImage));
    }

    private TaskDefinition relayTaskDefinition() {
        String arn = ecs.describeServices(b -> b.cluster(stack + "-cluster").services(stack + "-zooid-relay")).services().get(0).taskDefinition();
        return ecs.describeTaskDefinition(b -> b.taskDefinition(arn)).taskDefinition();
    }

    private int desiredCount() {
        return ecs.describeServices(b -> b.cluster(stack + "-cluster").services(stack + "-zooid-relay")).services().get(0).desiredCount();
    }

    static String runId(LockstepCli.Result r) {
        return r.out().lines().filter(l -> l.startsWith("run id: ")).findFirst().orElseThrow().substring(8);
    }

    /** The resource-change lines a deploy step printed, between its start and its guard's verdict. */
    static List<String> changes(String out, String step) {
        List<String> lines = new ArrayList<>();
        boolean in = false;
        for (String l : out.lines().toList()) {
            if (l.contains("step " + step + " started")) in = true;
            else if (in && l.contains("guard (")) break;
            else if (in && l.matches(".*\\b(Add|Modify|Remove|Import|Dynamic) +[A-Za-z0-9]+ \\(AWS::.*")) {
                lines.add(l.replaceFirst("^.*?\\b(Add|Modify|Remove|Import|Dynamic) ", "$1 ").replaceAll(" +", " "));
            }
        }
        return lines;
    }

    @Test
    void theCutoverChangesExactlyWhatTheSeedChangesAndRollsBack() throws Exception {
        LockstepCli cli = cli();
        PlanJourney journey = new PlanJourney(cli(), tmp.resolve("rds-cutover"), onEmulator(), List.of(),
                "stack=" + stack, "relay_image=" + relayImage, "migrate_image=" + migrateImage);
        journey.plan();
        String[] operator = {"--no-tui", "--yes", "--confirm", "stop-relay=" + stack, "--confirm", "cutover=" + stack,
            "--confirm", "start-relay=start-relay"};
        journey.refusesWhatWasNotReviewed("relay_image=" + migrateImage, () -> {
            assertTrue(rds.describeDBInstances().dbInstances().stream().noneMatch(i -> i.dbInstanceIdentifier().equals(stack + "-db")),
                    "no database was added");
            assertEquals(1, desiredCount(), "the relay still runs");
            assertEquals(SQLITE_IMAGE, relayTaskDefinition().containerDefinitions().get(0).image(), "on SQLite");
        }, operator);
        CompletableFuture<LockstepCli.Result> run = CompletableFuture.supplyAsync(() -> journey.runs(operator));
        String task = lockstepTask(stack, List.of());
        migrationWrites(stack, task, ALL_OK);
        migrationEnds(stack, task);
        newRelayWrites("relay listening on :3334 (postgres)");
        LockstepCli.Result r = run.get(5, TimeUnit.MINUTES);
        assertEquals(0, r.exit(), r.all());
        for (String step : List.of("add-rds", "db-ready", "db", "ids", "register", "stop-relay", "migrate", "verify-counts",
                "cutover", "start-relay", "relay-logs", "websocket")) {
            assertTrue(r.out().contains("ok step " + step + " succeeded"), step + ":\n" + r.out());
        }
        // Seed step 3: three additions, nothing else; seed step 5d: the task definition and the service, modified.
        assertEquals(List.of("Add RDSInstance (AWS::RDS::DBInstance)", "Add RDSSecurityGroup (AWS::EC2::SecurityGroup)",
                "Add RDSSubnetGroup (AWS::RDS::DBSubnetGroup)"), changes(r.out(), "add-rds").stream().sorted().toList());
        assertEquals(List.of("Modify ZooidRelayService (AWS::ECS::Service) !! MAY BE REPLACED (replacement Conditional)",
                "Modify ZooidRelayTaskDefinition (AWS::ECS::TaskDefinition) !! MAY BE REPLACED (replacement Conditional)"),
                changes(r.out(), "cutover").stream().sorted().toList());
        assertTrue(r.out().contains("guard (allow *: Add): every change allowed"), r.out());
        TaskDefinition td = relayTaskDefinition();
        assertEquals(relayImage, td.containerDefinitions().get(0).image());
        assertTrue(td.containerDefinitions().get(0).mountPoints().isEmpty(), "no EFS mount");
        assertTrue(td.containerDefinitions().get(0).environment().stream().anyMatch(e -> e.name().equals("DATABASE_URL")
                && e.value().startsWith("postgres://zooid:" + PASSWORD + "@" + stack + "-db.")), "DATABASE_URL");
        assertEquals(1, desiredCount());
        // The migration task mounted EFS through the access point, with IAM authorization, read-only.
        TaskDefinition migrate = ecs.describeTaskDefinition(b -> b.taskDefinition(stack + "-migrate")).taskDefinition();
        var efs = migrate.volumes().get(0).efsVolumeConfiguration();
        assertTrue(efs.authorizationConfig().accessPointId().startsWith("fsap-"), efs.toString());
        assertEquals("ENABLED", efs.authorizationConfig().iamAsString());
        assertTrue(migrate.containerDefinitions().get(0).mountPoints().get(0).readOnly());
        assertEquals("me-central-1", migrate.containerDefinitions().get(0).logConfiguration().options().get("awslogs-region"));
        assertFalse(r.all().contains(PASSWORD), "the password is shown nowhere");
        journey.refusesTheSamePlanAgain(operator);

        LockstepCli.Result back = cli.run("rollback", runId(r), "--no-tui", "--yes", "--confirm-run", runId(r));
        assertEquals(0, back.exit(), back.all());
        assertTrue(back.out().indexOf("undo cutover") < back.out().indexOf("undo stop-relay"), back.out());
        assertTrue(back.out().contains("No rollback (left as they are):"), back.out());
        assertEquals(List.of("Modify ZooidRelayService (AWS::ECS::Service) !! MAY BE REPLACED (replacement Conditional)",
                "Modify ZooidRelayTaskDefinition (AWS::ECS::TaskDefinition) !! MAY BE REPLACED (replacement Conditional)"),
                back.out().lines().filter(l -> l.matches(".*\\b(Add|Modify|Remove) +[A-Za-z0-9]+ \\(AWS::.*"))
                        .map(l -> l.replaceFirst("^.*?\\b(Add|Modify|Remove) ", "$1 ").replaceAll(" +", " ")).sorted().toList(),
                "the rollback restores the step-3 template: RDS stays");
        TaskDefinition restored = relayTaskDefinition();
        assertEquals(SQLITE_IMAGE, restored.containerDefinitions().get(0).image(), "the relay is back on SQLite:\n" + back.out());
        assertEquals(1, desiredCount(), "and running");
        assertEquals("available", rds.describeDBInstances(b -> b.dbInstanceIdentifier(stack + "-db")).dbInstances().get(0).dbInstanceStatus());
        assertFalse(back.all().contains(PASSWORD));
    }

    @Test
    void aMismatchStopsTheMigrationTaskHaltsAndACleanRetryPassesOnItsOwnStream() throws Exception {
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = cutover(cli, onEmulator());
        String first = lockstepTask(stack, List.of());
        migrationWrites(stack, first, List.of("  kv: source=3 dest=3 [OK]", "  sphere_relay__events: source=10 dest=9 MISMATCH"));
        LockstepCli.Result r = run.get(3, TimeUnit.MINUTES);
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.all().contains("step migrate halted: output matched haltOn /MISMATCH/; task " + id(first) + " was stopped (StopTask)"), r.all());
        assertTrue(r.out().matches("(?s).*\\| \\[lockstep\\] following \\S+ live \\(StartLiveTail\\).*"),
                "the migration's MISMATCH is watched for live, not every 5 s:\n" + r.out());
        Task stopped = ecs.describeTasks(b -> b.cluster(stack + "-cluster").tasks(first)).tasks().get(0);
        assertEquals("STOPPED", stopped.lastStatus());
        assertTrue(stopped.stoppedReason().startsWith("lockstep halted the run"), stopped.stoppedReason());
        assertFalse(r.out().contains("step cutover started"), "nothing after the halt ran");
        assertEquals(0, desiredCount(), "the relay was stopped for the migration");

        // Retry: a new task with its own stream; the first attempt's MISMATCH must not halt verify-counts.
        CompletableFuture<LockstepCli.Result> again = CompletableFuture.supplyAsync(() -> cli.run("resume", runId(r), "--retry", "migrate",
                "--no-tui", "--yes", "--confirm", "cutover=" + stack, "--confirm", "start-relay=start-relay"));
        String second = lockstepTask(stack, List.of(first));
        assertNotEquals(first, second);
        migrationWrites(stack, second, ALL_OK);
        migrationEnds(stack, second);
        newRelayWrites("relay listening on :3334");
        LockstepCli.Result done = again.get(5, TimeUnit.MINUTES);
        assertEquals(0, done.exit(), done.all());
        assertTrue(done.out().contains("ok step verify-counts succeeded"), done.out());
    }

    @Test
    void aTableWithoutItsOkLineHaltsEvenWhenTheTaskExitsZero() throws Exception {
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = cutover(cli);
        String task = lockstepTask(stack, List.of());
        // No count line at all for one table (a count line without [OK] halts sooner: see the next test).
        migrationWrites(stack, task, List.of("  kv: source=3 dest=3 [OK]", "  sphere_relay__event_tags: source=20 dest=20 [OK]",
                "Migration completed successfully!"));
        migrationEnds(stack, task);
        LockstepCli.Result r = run.get(3, TimeUnit.MINUTES);
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.all().contains("step migrate halted: required output never appeared: /sphere_relay__events: source=\\d+ dest=\\d+ \\[OK\\]/"),
                r.all());
        assertFalse(r.out().contains("step verify-counts started"), r.out());
    }

    @Test
    void aFourthTablesCountLineWithoutOkHaltsTheMigration() throws Exception {
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = cutover(cli);
        String task = lockstepTask(stack, List.of());
        List<String> lines = new ArrayList<>(ALL_OK);
        lines.add(lines.size() - 1, "  sphere_relay__reactions: source=5 dest=0 FAILED");
        migrationWrites(stack, task, lines);
        migrationEnds(stack, task);
        LockstepCli.Result r = run.get(3, TimeUnit.MINUTES);
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.all().contains("step migrate halted: output matched logs.every lines /source=\\d+ dest=\\d+/ but not its must "
                + "/\\[OK\\]/"), r.all());
        assertTrue(r.all().contains("sphere_relay__reactions: source=5 dest=0 FAILED"), r.all());
        assertFalse(r.out().contains("step verify-counts started"), r.out());
    }

    @Test
    void theNewRelaysFatalLineHaltsThoughTheOldRelaySaidListening() throws Exception {
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = cutover(cli, onEmulator());
        String task = lockstepTask(stack, List.of());
        migrationWrites(stack, task, ALL_OK);
        migrationEnds(stack, task);
        // The old SQLite relay logs "listening" again just before it is replaced; the new one cannot connect.
        AwsFixtures.writeLog(logs, "/ecs/" + stack, "zooid-relay/zooid-relay/" + id(oldRelayTask), "relay listening on :3334");
        newRelayWrites("fatal: could not connect to postgres");
        LockstepCli.Result r = run.get(5, TimeUnit.MINUTES);
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.all().contains("step relay-logs halted: output matched haltOn"), r.all());
        assertTrue(r.all().contains("fatal: could not connect to postgres"), r.all());
    }

    @Test
    void theShippedCutoverHaltsOnTheConditionalAnEmulatorReports() throws Exception {
        LockstepCli cli = cli();
        LockstepCli.Result plan = cli.run("plan", RUNBOOK, "-p", "stack=" + stack, "-p", "relay_image=" + relayImage,
                "-p", "migrate_image=" + migrateImage);
        assertEquals(3, plan.exit(), plan.all());
        assertTrue(plan.err().contains("step cutover would halt: 2 change(s) break the guard"), plan.all());
        CompletableFuture<LockstepCli.Result> run = cutover(cli);
        String task = lockstepTask(stack, List.of());
        migrationWrites(stack, task, ALL_OK);
        migrationEnds(stack, task);
        LockstepCli.Result r = run.get(5, TimeUnit.MINUTES);
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.all().contains("step cutover halted: 2 change(s) break the guard"), r.all());
        assertTrue(r.all().contains("Conditional is not allowed for ZooidRelayService (allowed: Modify)"), r.all());
        assertTrue(r.all().contains("Conditional is not allowed for ZooidRelayTaskDefinition (allowed: Replace)"), r.all());
        assertEquals(SQLITE_IMAGE, relayTaskDefinition().containerDefinitions().get(0).image(), "nothing was deployed");
    }

    @Test
    void thePlanShowsTheChangeSetAndTheTemplateDiffAndChangesNothing() throws Exception {
        LockstepCli.Result r = cli().run("plan", onEmulator(), "-p", "stack=" + stack, "-p", "relay_image=" + relayImage,
                "-p", "migrate_image=" + migrateImage);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("deploy the stack's current template + fragments rds-cutover/add-rds.yaml to stack " + stack), r.out());
        assertTrue(r.out().contains("+++ deployed"), r.out());
        assertTrue(r.out().contains("      +  RDSInstance:"), r.out());
        assertTrue(r.out().contains("parameter DBPassword = **** (NoEcho)"), r.out());
        assertTrue(r.out().contains("Add     RDSInstance (AWS::RDS::DBInstance)"), r.out());
        assertTrue(r.out().contains("guard (allow *: Add): every change allowed"), r.out());
        assertTrue(rds.describeDBInstances().dbInstances().stream().noneMatch(i -> i.dbInstanceIdentifier().equals(stack + "-db")),
                "the plan created nothing");
        assertTrue(cf.listChangeSets(b -> b.stackName(stack)).summaries().isEmpty(), "and left no change set");
        assertFalse(r.all().contains(PASSWORD));
    }

    @Test
    void aCutoverPatchThatCannotApplyFailsThePlanNotTheNight() throws Exception {
        String seed = Files.readString(Path.of("src/test/resources/aws/seed-stack/zooid-relay-cloudformation.yaml"));
        String withoutDependsOn = seed.replace("    DependsOn:\n      - EFSMountTarget1\n      - EFSMountTarget2\n    Properties:\n"
                + "      ServiceName:", "    Properties:\n      ServiceName:");
        assertTrue(!withoutDependsOn.equals(seed), "the service's DependsOn was taken out");
        String other = "zooid" + UUID.randomUUID().toString().substring(0, 6);
        createSeedStack(other, withoutDependsOn);
        LockstepCli.Result plan = cli().run("plan", RUNBOOK, "-p", "stack=" + other, "-p", "relay_image=" + relayImage,
                "-p", "migrate_image=" + migrateImage);
        assertEquals(17, plan.exit(), plan.all());
        assertTrue(plan.out().contains("WOULD FAIL: the template cannot be made: "), plan.out());
        assertTrue(plan.out().contains("DependsOn"), plan.out());
        assertTrue(plan.err().contains("step cutover would fail: "), plan.err());
        assertTrue(plan.out().contains(" 1 would fail, "), "the last line counts it:\n" + plan.out());

        LockstepCli.Result run = cli().run("run", RUNBOOK, "-p", "stack=" + other, "-p", "relay_image=" + relayImage,
                "-p", "migrate_image=" + migrateImage, "--no-tui", "--yes", "--confirm", "stop-relay=" + other);
        assertEquals(17, run.exit(), run.all());
        assertTrue(run.err().contains("step cutover: the template cannot be made: "), run.err());
        assertTrue(cli().run("runs").out().startsWith("no runs"), "refused before its first step: " + run.all());
        assertTrue(rds.describeDBInstances().dbInstances().stream().noneMatch(i -> i.dbInstanceIdentifier().equals(other + "-db")),
                "no database was added");
        assertFalse(serviceTasks(other).isEmpty(), "the relay still runs");
    }

    @Test
    void aPasswordRdsWouldRefuseIsRefusedWhenTheRunbookLoads() {
        LockstepCli.Result r = cli().env("DB_PASSWORD", "abc/defghijklmnopqrstuvwx").run("plan", RUNBOOK, "-p", "stack=" + stack);
        assertEquals(5, r.exit(), r.all());
        assertTrue(r.err().contains("runbooks/rds-cutover.yaml:34:3: parameter db_password: expected a value matching [A-Za-z0-9_.~-]{16,128}, got a value that does not (RDS master password"),
                r.err());
        assertFalse(r.all().contains("abc/defghijklmnopqrstuvwx"));
    }

    @Test
    void aChangeSetThatRemovesWhatTheGuardProtectsHaltsBeforeItRunsAndThePlanSaysSo() {
        String guarded = "src/test/resources/runbooks/aws/guard/deploy.yaml";
        LockstepCli.Result plan = cli().run("plan", guarded, "-p", "stack=" + stack);
        assertEquals(3, plan.exit(), plan.all());
        assertTrue(plan.out().contains("-  EFSMountTarget2:"), "the template diff:\n" + plan.out());
        assertTrue(plan.out().contains("Remove  EFSMountTarget2 (AWS::EFS::MountTarget)"), plan.out());
        assertTrue(plan.out().contains("!! Remove EFSMountTarget2 (AWS::EFS::MountTarget): Remove is not allowed for EFSMountTarget2 (allowed: Add)"),
                plan.out());
        assertTrue(plan.out().contains("WOULD HALT: "), plan.out());
        assertTrue(plan.err().contains("step change would halt: "), plan.err());

        LockstepCli.Result run = cli().run("run", guarded, "--no-tui", "-p", "stack=" + stack);
        assertEquals(3, run.exit(), run.all());
        assertTrue(run.out().contains("change set deleted unexecuted: nothing was changed"), run.out());
        assertTrue(run.all().contains("step change halted: 1 change(s) break the guard"), run.all());
        assertTrue(cf.listChangeSets(b -> b.stackName(stack)).summaries().isEmpty(), "no change set is left");
        assertEquals("CREATE_COMPLETE", cf.describeStacks(b -> b.stackName(stack)).stacks().get(0).stackStatusAsString());
        assertEquals("CREATE_COMPLETE", cf.describeStackResource(b -> b.stackName(stack).logicalResourceId("EFSMountTarget2"))
                .stackResourceDetail().resourceStatusAsString(), "the mount target is still there");
    }

    @Test
    void aGuardNamingALogicalIdNeitherTemplateHasFailsPlanAndRunWithTheNearestOne() {
        String misspelt = "src/test/resources/runbooks/aws/guard/misspelt.yaml";
        String why = misspelt + ":17:19: the guard names EFSAccesPoint, which is in neither the stack's template nor the new one "
                + "(did you mean EFSAccessPoint?): the guard would protect nothing there";
        LockstepCli.Result plan = cli().run("plan", misspelt, "-p", "stack=" + stack);
        assertEquals(3, plan.exit(), plan.all());
        assertTrue(plan.out().contains("WOULD HALT: " + why), plan.out());

        LockstepCli.Result run = cli().run("run", misspelt, "--no-tui", "-p", "stack=" + stack);
        assertEquals(3, run.exit(), run.all());
        assertTrue(run.all().contains("step retention halted: " + why + "; no change set was made, nothing was changed"), run.all());
        assertTrue(cf.listChangeSets(b -> b.stackName(stack)).summaries().isEmpty(), "no change set was made");
        assertEquals(30, logs.describeLogGroups(b -> b.logGroupNamePrefix("/ecs/" + stack)).logGroups().get(0).retentionInDays(),
                "the stack is as it was");
    }

    @Test
    void fragmentsAndPatchesAreCheckedAtTheirOwnLinesWhenTheRunbookLoads() throws Exception {
        Files.writeString(tmp.resolve("rb.yaml"), """
                lockstep: 1
                name: rb
                steps:
                  - id: d
                    uses: cloudformation.deploy
                    with: { stack: s, template: current, fragments: [f.yaml], patches: [p.yaml, missing.yaml] }
                """);
        Files.writeString(tmp.resolve("f.yaml"), "Resources:\n  A: { Type: x }\nTransforms: []\n");
        Files.writeString(tmp.resolve("p.yaml"), "- remove: Resources\n");
        LockstepCli.Result r = cli().run("validate", tmp.resolve("rb.yaml").toString());
        assertEquals(5, r.exit(), r.all());
        assertTrue(r.err().contains(tmp.resolve("f.yaml") + ":3:1: unknown section 'Transforms' in a fragment"), r.err());
        assertTrue(r.err().contains(tmp.resolve("p.yaml") + ":1:11: bad path 'Resources'"), r.err());
        assertTrue(r.err().contains("rb.yaml:6:81: with.patches: no file " + tmp.resolve("missing.yaml")), r.err());
    }

    /** A deploy whose change set was executed, but the process stopped before journaling so: resume follows it, never executes twice. */
    @Test
    void aResumedDeployFollowsTheUpdateItsChangeSetStartedBeforeTheCrash() throws Exception {
        String runbook = "src/test/resources/runbooks/aws/guard/retention.yaml";
        LockstepCli cli = cli();
        LockstepCli.Result first = cli.run("run", runbook, "--no-tui", "-p", "stack=" + stack);
        assertEquals(0, first.exit(), first.all());
        String id = runId(first);
        Path journal = cli.stateDir().resolve("runs/" + id + "/journal.jsonl");
        List<String> lines = Files.readAllLines(journal);
        int changeSet = -1;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains("\"changeSet\"")) changeSet = i;
        assertTrue(changeSet > 0, "the change set's ARN was journaled:\n" + String.join("\n", lines));
        // As if killed right after that record: the execution and the end were never written.
        Files.write(journal, lines.subList(0, changeSet + 1));
        LockstepCli.Result resumed = cli.run("resume", id, "--no-tui");
        assertEquals(0, resumed.exit(), resumed.all());
        assertTrue(resumed.out().contains("was executed already (EXECUTE_COMPLETE): following the update"), resumed.out());
        assertEquals(14, logs.describeLogGroups(b -> b.logGroupNamePrefix("/ecs/" + stack)).logGroups().get(0).retentionInDays());
    }
}
