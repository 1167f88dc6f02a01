package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.MinistackServer;
import dev.lockstep.MotoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Capability;
import software.amazon.awssdk.services.cloudformation.model.ChangeSetType;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.DescribeChangeSetResponse;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.ResourceChange;
import software.amazon.awssdk.services.cloudformation.model.ResourceChangeDetail;
import software.amazon.awssdk.services.cloudformation.model.Stack;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.rds.model.DBInstance;

/**
 * The seed's relay stack (src/test/resources/aws/seed-stack) and its two updates, through
 * change sets against ministack: what each change set lists, resource by resource, is
 * what lockstep's change-set guard and the shipped runbook are checked against.
 *
 * <p>The emulator's answers are asserted as they are; where real CloudFormation answers
 * otherwise, the comment says so. In short: ministack knows no replacement rules for
 * ECS resources, so every changed ECS property is "Conditionally" and the change is
 * Replacement "Conditional"; real AWS says True for the task definition and False for
 * the service.
 */
@Tag("aws")
class SeedStackTest {
    private static final Region REGION = Region.of("me-central-1");
    private static final Path DIR = Path.of("src/test/resources/aws/seed-stack");
    private static final String ORIGINAL = read("zooid-relay-cloudformation.yaml");
    private static final String WITH_RDS = read("zooid-relay-cloudformation.step3.yaml");
    private static final String ON_POSTGRES = read("zooid-relay-cloudformation.step5d.yaml");
    private static final String SQLITE_IMAGE = "ghcr.io/unicitynetwork/unicity-relay:sha-44d3ff3";
    private static final String PG_IMAGE = "ghcr.io/unicitynetwork/unicity-relay:pg-migration";
    private static final String DB_PASSWORD = "Xk3vQ9pL2mN8rT5wY7zA1bC4"; // 24 characters, none that RDS refuses
    private static CloudFormationClient cf;
    private static EcsClient ecs;
    private static RdsClient rds;

    @BeforeAll
    static void clients() {
        String endpoint = MinistackServer.endpoint();
        cf = AwsFixtures.client(CloudFormationClient.builder(), REGION, endpoint);
        ecs = AwsFixtures.client(EcsClient.builder(), REGION, endpoint);
        rds = AwsFixtures.client(RdsClient.builder(), REGION, endpoint);
    }

    private static String read(String name) {
        try {
            return Files.readString(DIR.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Parameter value(String key, String value) {
        return Parameter.builder().parameterKey(key).parameterValue(value).build();
    }

    private static Parameter previous(String key) {
        return Parameter.builder().parameterKey(key).usePreviousValue(true).build();
    }

    /** The seed's parameter files, step by step. */
    private static final List<Parameter> CREATE_PARAMS = List.of(value("RelaySecretKey", "relay-secret-key-hex"),
            value("AdminPubkey", "npub1admin"), value("AdminPubkeys", "npub1admin,npub1other"));
    private static final List<Parameter> STEP3_PARAMS = List.of(previous("RelaySecretKey"), previous("AdminPubkey"),
            previous("AdminPubkeys"), value("DBPassword", DB_PASSWORD));
    private static final List<Parameter> STEP5D_PARAMS = List.of(previous("RelaySecretKey"), previous("AdminPubkey"),
            previous("AdminPubkeys"), previous("DBPassword"), value("ContainerImage", PG_IMAGE));
    private static final List<Parameter> ROLLBACK_PARAMS = List.of(previous("RelaySecretKey"), previous("AdminPubkey"),
            previous("AdminPubkeys"), previous("DBPassword"), value("ContainerImage", SQLITE_IMAGE));

    private static String newStack() {
        return "sphere-zooid-relay-" + UUID.randomUUID().toString().substring(0, 6);
    }

    /** Creates a change set and waits until it is ready (or failed); all its pages. */
    static DescribeChangeSetResponse changeSet(CloudFormationClient cf, String stack, String name, ChangeSetType type,
            String template, List<Parameter> params) throws InterruptedException {
        cf.createChangeSet(b -> b.stackName(stack).changeSetName(name).changeSetType(type).templateBody(template)
                .parameters(params).capabilities(Capability.CAPABILITY_IAM));
        long deadline = System.nanoTime() + 60_000_000_000L;
        DescribeChangeSetResponse d;
        while (true) {
            d = cf.describeChangeSet(b -> b.stackName(stack).changeSetName(name));
            String status = d.statusAsString();
            if (status.equals("CREATE_COMPLETE") || status.equals("FAILED")) break;
            if (System.nanoTime() > deadline) throw new AssertionError("change set " + name + " still " + status);
            Thread.sleep(100);
        }
        List<software.amazon.awssdk.services.cloudformation.model.Change> all = new ArrayList<>(d.changes());
        String token = d.nextToken();
        while (token != null) {
            String t = token;
            DescribeChangeSetResponse page = cf.describeChangeSet(b -> b.stackName(stack).changeSetName(name).nextToken(t));
            all.addAll(page.changes());
            token = page.nextToken();
        }
        return d.toBuilder().changes(all).nextToken(null).build();
    }

    static Stack executeAndWait(CloudFormationClient cf, String stack, String changeSet) throws InterruptedException {
        cf.executeChangeSet(b -> b.stackName(stack).changeSetName(changeSet));
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            Stack s = cf.describeStacks(b -> b.stackName(stack)).stacks().get(0);
            if (!s.stackStatusAsString().endsWith("_IN_PROGRESS")) return s;
            if (System.nanoTime() > deadline) throw new AssertionError(stack + " still " + s.stackStatusAsString());
            Thread.sleep(200);
        }
    }

    private static Map<String, ResourceChange> byLogicalId(DescribeChangeSetResponse d) {
        Map<String, ResourceChange> m = new TreeMap<>();
        d.changes().forEach(c -> m.put(c.resourceChange().logicalResourceId(), c.resourceChange()));
        return m;
    }

    /** "Name|RequiresRecreation|Evaluation|ChangeSource|CausingEntity" per detail: the change set's reasoning, comparable. */
    private static Set<String> details(ResourceChange rc) {
        return rc.details().stream().map(SeedStackTest::detail).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    private static String detail(ResourceChangeDetail d) {
        return d.target().name() + "|" + d.target().requiresRecreationAsString() + "|" + d.evaluationAsString() + "|"
                + d.changeSourceAsString() + "|" + d.causingEntity();
    }

    private static Map<String, String> outputs(Stack s) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Output o : s.outputs()) m.put(o.outputKey(), o.outputValue());
        return m;
    }

    private static String physicalId(String stack, String logicalId) {
        return cf.describeStackResources(b -> b.stackName(stack).logicalResourceId(logicalId)).stackResources().get(0)
                .physicalResourceId();
    }

    private static Map<String, String> env(ContainerDefinition c) {
        Map<String, String> m = new TreeMap<>();
        for (KeyValuePair p : c.environment()) m.put(p.name(), p.value());
        return m;
    }

    private static TaskDefinition relayTaskDefinition(String stack) {
        String arn = ecs.describeServices(b -> b.cluster(stack + "-cluster").services(stack + "-zooid-relay")).services().get(0)
                .taskDefinition();
        return ecs.describeTaskDefinition(b -> b.taskDefinition(arn)).taskDefinition();
    }

    private static Stack deployOriginal(String stack) throws InterruptedException {
        changeSet(cf, stack, "create", ChangeSetType.CREATE, ORIGINAL, CREATE_PARAMS);
        return executeAndWait(cf, stack, "create");
    }

    private static Stack deployWithRds(String stack) throws InterruptedException {
        deployOriginal(stack);
        changeSet(cf, stack, "add-rds", ChangeSetType.UPDATE, WITH_RDS, STEP3_PARAMS);
        return executeAndWait(cf, stack, "add-rds");
    }

    @Test
    void theOriginalStackDeploysThroughACreateChangeSet() throws Exception {
        String stack = newStack();
        DescribeChangeSetResponse d = changeSet(cf, stack, "create", ChangeSetType.CREATE, ORIGINAL, CREATE_PARAMS);
        assertEquals("AVAILABLE", d.executionStatusAsString(), d.statusReason());
        Map<String, ResourceChange> changes = byLogicalId(d);
        assertEquals(Set.of("VPC", "InternetGateway", "AttachGateway", "PublicSubnet1", "PublicSubnet2", "PublicRouteTable",
                "PublicRoute", "PublicSubnet1RouteTableAssociation", "PublicSubnet2RouteTableAssociation", "ECSSecurityGroup",
                "ECSCluster", "CloudWatchLogGroup", "ECSTaskExecutionRole", "ECSTaskRole", "EFSFileSystem", "EFSSecurityGroup",
                "EFSMountTarget1", "EFSMountTarget2", "EFSAccessPoint", "ZooidRelayTaskDefinition", "ZooidRelayService"),
                changes.keySet());
        changes.values().forEach(rc -> assertEquals("Add", rc.actionAsString(), rc.logicalResourceId()));

        Stack s = executeAndWait(cf, stack, "create");
        assertEquals("CREATE_COMPLETE", s.stackStatusAsString(), s.stackStatusReason());
        // Outputs are filled after a change set is executed (moto leaves them empty).
        Map<String, String> out = outputs(s);
        assertEquals(physicalId(stack, "EFSFileSystem"), out.get("EFSFileSystemId"));
        assertTrue(out.get("EFSFileSystemId").startsWith("fs-"), out.toString());
        assertEquals(stack + "-cluster", out.get("ECSClusterName"));
        assertEquals(stack + "-zooid-relay", out.get("ECSServiceName"));
        assertEquals("/ecs/" + stack, out.get("CloudWatchLogGroupName"));
        // NoEcho parameters are masked in DescribeStacks, as on AWS.
        assertEquals("****", s.parameters().stream().filter(p -> p.parameterKey().equals("RelaySecretKey")).findFirst()
                .orElseThrow().parameterValue());

        TaskDefinition td = relayTaskDefinition(stack);
        assertEquals("awsvpc", td.networkModeAsString());
        assertEquals(List.of("FARGATE"), td.requiresCompatibilitiesAsStrings());
        ContainerDefinition relay = td.containerDefinitions().get(0);
        assertEquals(SQLITE_IMAGE, relay.image());
        assertEquals("/app/data", env(relay).get("DATA"));
        assertEquals("/app/data", relay.mountPoints().get(0).containerPath());
        assertEquals(Map.of("awslogs-group", "/ecs/" + stack, "awslogs-region", "me-central-1", "awslogs-stream-prefix", "zooid-relay"),
                relay.logConfiguration().options());
        // Quirk: a task definition made by CloudFormation keeps its Volumes in CloudFormation's own
        // spelling, which DescribeTaskDefinition cannot carry: one volume, every field empty
        // (the same task definition registered through the ECS API keeps them: MinistackBehaviourTest).
        assertEquals(1, td.volumes().size());
        assertNull(td.volumes().get(0).name());
        assertNull(td.volumes().get(0).efsVolumeConfiguration());
    }

    @Test
    void step3ChangeSetOnlyAddsTheDatabaseAndItsNetwork() throws Exception {
        String stack = newStack();
        deployOriginal(stack);
        DescribeChangeSetResponse d = changeSet(cf, stack, "add-rds", ChangeSetType.UPDATE, WITH_RDS, STEP3_PARAMS);
        assertEquals("AVAILABLE", d.executionStatusAsString(), d.statusReason());
        Map<String, ResourceChange> changes = byLogicalId(d);
        // Real AWS lists the same three: nothing else references DBPassword, and ContainerImage keeps its default.
        assertEquals(Map.of("RDSInstance", "Add AWS::RDS::DBInstance", "RDSSecurityGroup", "Add AWS::EC2::SecurityGroup",
                        "RDSSubnetGroup", "Add AWS::RDS::DBSubnetGroup"),
                changes.values().stream().collect(Collectors.toMap(ResourceChange::logicalResourceId,
                        rc -> rc.actionAsString() + " " + rc.resourceType())));
        for (ResourceChange rc : changes.values()) {
            assertNull(rc.replacementAsString(), "an Add has no Replacement");
            assertTrue(rc.details().isEmpty() && rc.scope().isEmpty(), rc.toString());
        }
        // Quirk: DescribeChangeSet shows NoEcho parameters in clear (AWS shows ****): lockstep
        // must mask a change set's NoEcho parameters itself, from the template.
        assertEquals(DB_PASSWORD, d.parameters().stream().filter(p -> p.parameterKey().equals("DBPassword")).findFirst()
                .orElseThrow().parameterValue());

        Stack s = executeAndWait(cf, stack, "add-rds");
        assertEquals("UPDATE_COMPLETE", s.stackStatusAsString(), s.stackStatusReason());
        DBInstance db = rds.describeDBInstances(b -> b.dbInstanceIdentifier(stack + "-db")).dbInstances().get(0);
        assertEquals("available", db.dbInstanceStatus());
        assertTrue(db.deletionProtection());
        // !GetAtt RDSInstance.Endpoint.Address (the short form with two dots) and the export.
        assertEquals(db.endpoint().address(), outputs(s).get("RDSEndpoint"));
        assertEquals(stack + "-rds-endpoint", s.outputs().stream().filter(o -> o.outputKey().equals("RDSEndpoint"))
                .findFirst().orElseThrow().exportName());
        assertEquals("****", s.parameters().stream().filter(p -> p.parameterKey().equals("DBPassword")).findFirst()
                .orElseThrow().parameterValue());
        // The relay is untouched: still revision 1 of its task definition, on SQLite.
        TaskDefinition td = relayTaskDefinition(stack);
        assertEquals(1, td.revision());
        assertEquals(SQLITE_IMAGE, td.containerDefinitions().get(0).image());
    }

    @Test
    void step5dChangeSetModifiesOnlyTheTaskDefinitionAndTheService() throws Exception {
        String stack = newStack();
        Stack withRds = deployWithRds(stack);
        DescribeChangeSetResponse d = changeSet(cf, stack, "pg", ChangeSetType.UPDATE, ON_POSTGRES, STEP5D_PARAMS);
        assertEquals("AVAILABLE", d.executionStatusAsString(), d.statusReason());
        Map<String, ResourceChange> changes = byLogicalId(d);
        // No Add, no Remove: the EFS resources stay until the seed's step 6, and a DependsOn
        // change is not a change CloudFormation lists (on AWS either).
        assertEquals(Set.of("ZooidRelayTaskDefinition", "ZooidRelayService"), changes.keySet());

        ResourceChange td = changes.get("ZooidRelayTaskDefinition");
        assertEquals("Modify", td.actionAsString());
        assertEquals("AWS::ECS::TaskDefinition", td.resourceType());
        assertEquals(physicalId(stack, "ZooidRelayTaskDefinition"), td.physicalResourceId());
        // Real AWS: Replacement "True", and RequiresRecreation "Always" for ContainerDefinitions and Volumes.
        assertEquals("Conditional", td.replacementAsString());
        assertEquals(List.of("Properties"), td.scopeAsStrings());
        assertEquals(Set.of(
                // Dynamic: the new value holds !Sub ${RDSInstance.Endpoint.Address}, known only when it runs.
                "ContainerDefinitions|Conditionally|Dynamic|DirectModification|null",
                "ContainerDefinitions|Conditionally|Static|ParameterReference|ContainerImage",
                "Volumes|Conditionally|Static|DirectModification|null"), details(td));

        ResourceChange service = changes.get("ZooidRelayService");
        assertEquals("Modify", service.actionAsString());
        assertEquals("AWS::ECS::Service", service.resourceType());
        // Real AWS: Replacement "False" (a new TaskDefinition updates a service in place: RequiresRecreation
        // "Never"), and Evaluation "Static", since the task definition it follows is replaced.
        assertEquals("Conditional", service.replacementAsString());
        assertEquals(Set.of("TaskDefinition|Conditionally|Dynamic|ResourceReference|ZooidRelayTaskDefinition"), details(service));

        Stack s = executeAndWait(cf, stack, "pg");
        assertEquals("UPDATE_COMPLETE", s.stackStatusAsString(), s.stackStatusReason());
        // Executed, the change is a replacement: a new revision, the old one deregistered.
        TaskDefinition now = relayTaskDefinition(stack);
        assertEquals(2, now.revision());
        assertEquals("INACTIVE", ecs.describeTaskDefinition(b -> b.taskDefinition(stack + "-zooid-relay:1")).taskDefinition()
                .statusAsString());
        ContainerDefinition relay = now.containerDefinitions().get(0);
        assertEquals(PG_IMAGE, relay.image());
        Map<String, String> env = env(relay);
        assertFalse(env.containsKey("DATA"), env.toString());
        // !Sub with a parameter and ${Resource.Attribute.Path}: the password lands in the task definition in clear.
        assertEquals("postgres://zooid:" + DB_PASSWORD + "@" + outputs(withRds).get("RDSEndpoint") + ":5432/zooid?sslmode=require",
                env.get("DATABASE_URL"));
        assertTrue(relay.mountPoints().isEmpty(), relay.mountPoints().toString());
        assertTrue(now.volumes().isEmpty(), now.volumes().toString());
        assertEquals(Set.of("ContainerImage", "RelaySecretKey", "AdminPubkey", "AdminPubkeys", "DBPassword"),
                s.parameters().stream().map(Parameter::parameterKey).collect(Collectors.toSet()));
        assertEquals(PG_IMAGE, s.parameters().stream().filter(p -> p.parameterKey().equals("ContainerImage")).findFirst()
                .orElseThrow().parameterValue());
    }

    /**
     * The seed's rollback reuses step 5d's parameter list (DBPassword: UsePreviousValue), so
     * "the old version" of the template must be the step-3 one, which still declares
     * DBPassword and keeps RDS. Its change set is step 5d's, reversed.
     */
    @Test
    void rollbackToTheStep3TemplateModifiesTheSameTwoResources() throws Exception {
        String stack = newStack();
        deployWithRds(stack);
        changeSet(cf, stack, "pg", ChangeSetType.UPDATE, ON_POSTGRES, STEP5D_PARAMS);
        executeAndWait(cf, stack, "pg");
        DescribeChangeSetResponse d = changeSet(cf, stack, "rollback", ChangeSetType.UPDATE, WITH_RDS, ROLLBACK_PARAMS);
        Map<String, ResourceChange> changes = byLogicalId(d);
        assertEquals(Set.of("ZooidRelayTaskDefinition", "ZooidRelayService"), changes.keySet());
        assertEquals(Set.of("ContainerDefinitions|Conditionally|Dynamic|DirectModification|null",
                "ContainerDefinitions|Conditionally|Static|ParameterReference|ContainerImage",
                "Volumes|Conditionally|Static|DirectModification|null"), details(changes.get("ZooidRelayTaskDefinition")));
        Stack s = executeAndWait(cf, stack, "rollback");
        assertEquals("UPDATE_COMPLETE", s.stackStatusAsString());
        ContainerDefinition relay = relayTaskDefinition(stack).containerDefinitions().get(0);
        assertEquals(SQLITE_IMAGE, relay.image());
        assertEquals("/app/data", env(relay).get("DATA"));
        assertFalse(env(relay).containsKey("DATABASE_URL"));
    }

    /**
     * Rolling back to the original template instead would remove the database. Real AWS
     * refuses that change set outright (DBPassword "does not exist in the template"), and
     * would fail to delete the instance anyway (DeletionProtection). ministack does neither:
     * it accepts the parameter, lists the removals, and deletes the instance (keeping a final
     * snapshot, the DBInstance's default DeletionPolicy). A guard must catch this, not the emulator.
     */
    @Test
    void rollbackToTheOriginalTemplateWouldRemoveTheDatabase() throws Exception {
        String stack = newStack();
        deployWithRds(stack);
        DescribeChangeSetResponse d = changeSet(cf, stack, "rollback", ChangeSetType.UPDATE, ORIGINAL, ROLLBACK_PARAMS);
        Map<String, ResourceChange> changes = byLogicalId(d);
        Map<String, String> removed = new TreeMap<>();
        changes.values().stream().filter(rc -> rc.actionAsString().equals("Remove"))
                .forEach(rc -> removed.put(rc.logicalResourceId(), rc.policyActionAsString()));
        assertEquals(Map.of("RDSInstance", "Snapshot", "RDSSecurityGroup", "Delete", "RDSSubnetGroup", "Delete"), removed);
        assertEquals(physicalId(stack, "RDSInstance"), changes.get("RDSInstance").physicalResourceId());
    }

    /**
     * Why the tests above need ministack: moto 5.1.18 lists the create change set, then
     * reports the stack CREATE_COMPLETE without Outputs, and fails (HTTP 500) as soon as
     * its resources are asked for: it has no Fn::GetAtt for AWS::EFS::FileSystem (the
     * EFSAccess policy's Resource). Nor does it know RDSInstance.Endpoint.Address in !Sub.
     */
    @Test
    void motoListsTheCreateChangeSetButCannotDeployTheSeedStack() throws Exception {
        // About moto itself: with LOCKSTEP_TEST_AWS_ENDPOINT both harnesses are that other emulator.
        Assumptions.assumeTrue(System.getenv("LOCKSTEP_TEST_AWS_ENDPOINT") == null, "not moto: LOCKSTEP_TEST_AWS_ENDPOINT is set");
        CloudFormationClient moto = AwsFixtures.client(CloudFormationClient.builder(), REGION, MotoServer.endpoint());
        String stack = newStack();
        DescribeChangeSetResponse d = changeSet(moto, stack, "create", ChangeSetType.CREATE, ORIGINAL, CREATE_PARAMS);
        assertEquals(21, d.changes().size());
        Stack s = executeAndWait(moto, stack, "create");
        assertEquals("CREATE_COMPLETE", s.stackStatusAsString());
        assertTrue(s.outputs().isEmpty(), s.outputs().toString());
        CloudFormationException e = assertThrows(CloudFormationException.class,
                () -> moto.describeStackResources(b -> b.stackName(stack)));
        assertEquals(500, e.statusCode());
    }
}
