package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.MotoServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;

/** AWS step types against a real emulator (moto's server, started by the tests). */
class AwsStepsTest {
    private static final String DIR = "src/test/resources/runbooks/aws/";
    private static CloudFormationClient cf;

    @TempDir
    Path tmp;

    @BeforeAll
    static void emulator() {
        cf = CloudFormationClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create(MotoServer.endpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    private LockstepCli cli() {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        MotoServer.env().forEach(cli::env);
        return cli;
    }

    private static String stackWithALogGroup() {
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

    @Test
    void statusIsAPreconditionAndOutputsAndResourcesBecomeStepOutputs() {
        String stack = stackWithALogGroup();
        LockstepCli.Result r = cli().run("run", DIR + "cfn-read.yaml", "--no-tui", "-p", "stack=" + stack);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("check 1 passed: status=CREATE_COMPLETE"), r.out());
        assertTrue(r.out().contains("outputs: group=" + stack + "-logs physical=" + stack + "-logs"), r.out());
    }

    @Test
    void aMissingStackFailsThePreconditionAndNothingRuns() {
        LockstepCli.Result r = cli().run("run", DIR + "cfn-read.yaml", "--no-tui", "-p", "stack=no-such-stack");
        assertEquals(4, r.exit(), r.all());
        assertTrue(r.err().contains("status=DOES_NOT_EXIST (expected one of [CREATE_COMPLETE, UPDATE_COMPLETE])"), r.err());
    }

    @Test
    void credentialsForAnotherAccountAreRefusedWithBothShown() {
        String stack = stackWithALogGroup();
        LockstepCli.Result r = cli().run("run", DIR + "cfn-elsewhere.yaml", "--no-tui", "-p", "stack=" + stack);
        assertEquals(4, r.exit(), r.all());
        assertTrue(r.err().contains("refusing to act: the runbook is for account 999999999999 in us-east-1, but the "
                + "credentials are for account 123456789012 in us-east-1"), r.err());
        LockstepCli.Result plan = cli().run("plan", DIR + "cfn-elsewhere.yaml", "-p", "stack=" + stack);
        assertTrue(plan.out().contains("refusing to act"), "the dry-run checks the identity too: " + plan.out());
    }

    @Test
    void theEndpointCanBeGivenOnTheCommandLine() {
        String stack = stackWithALogGroup();
        LockstepCli cli = new LockstepCli(tmp.resolve("state2")).env("AWS_ACCESS_KEY_ID", "testing")
                .env("AWS_SECRET_ACCESS_KEY", "testing");
        LockstepCli.Result r = cli.run("plan", DIR + "cfn-read.yaml", "-p", "stack=" + stack,
                "--endpoint-url", MotoServer.endpoint(), "--region", "us-east-1");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("cloudformation.status expect {status=[CREATE_COMPLETE, UPDATE_COMPLETE]} -> PASS"), r.out());
    }
}
