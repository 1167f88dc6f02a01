package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.MinistackServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Parameter;

/**
 * Saved plans against an AWS emulator (ministack): the change set that was reviewed, and the
 * verified identity, must be what a run from the plan would meet; otherwise nothing runs.
 */
@Tag("aws")
class SavedPlanAwsTest {
    private static final String BOOK = "src/test/resources/runbooks/aws/saved-plan.yaml";
    private static CloudFormationClient cf;

    @TempDir
    Path tmp;

    @BeforeAll
    static void emulator() {
        cf = AwsFixtures.client(CloudFormationClient.builder(), Region.US_EAST_1, MinistackServer.endpoint());
    }

    private LockstepCli cli() {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        MinistackServer.env().forEach(cli::env);
        return cli;
    }

    @Test
    void aChangeSetThatChangedSinceTheReviewIsRefused() throws Exception {
        String stack = "plan-" + UUID.randomUUID().toString().substring(0, 8);
        deployOutOfBand(stack, "templates/two.yaml", false);
        LockstepCli cli = cli();
        Path plan = tmp.resolve("plan.json");
        LockstepCli.Result saved = cli.run("plan", BOOK, "-p", "stack=" + stack, "--out", plan.toString());
        assertEquals(0, saved.exit(), saved.all());
        String reviewed = Files.readString(plan);
        assertTrue(reviewed.contains("AWS::Logs::LogGroup"), "the change set's contents are in the plan:\n" + reviewed);

        // Someone deploys after the review: the change set a run would execute is no longer the one reviewed.
        deployOutOfBand(stack, "templates/one.yaml", true);

        LockstepCli.Result run = cli.run("run", BOOK, "--plan", plan.toString(), "--no-tui");
        assertEquals(16, run.exit(), run.all());
        assertTrue(run.err().contains("step deploy would do something else than was reviewed"), run.err());
        assertTrue(cli.run("runs").out().startsWith("no runs"), "refused before a run was recorded");
    }

    private static void deployOutOfBand(String stack, String template, boolean update) {
        Parameter name = Parameter.builder().parameterKey("Name").parameterValue(stack).build();
        Parameter secret = Parameter.builder().parameterKey("Secret").parameterValue("not-secret-here").build();
        if (update) {
            cf.updateStack(b -> b.stackName(stack).templateBody(read(template)).parameters(name, secret));
            cf.waiter().waitUntilStackUpdateComplete(b -> b.stackName(stack));
        } else {
            cf.createStack(b -> b.stackName(stack).templateBody(read(template)).parameters(name, secret));
            cf.waiter().waitUntilStackCreateComplete(b -> b.stackName(stack));
        }
    }

    @Test
    void aPlanRunsWhereItWasReviewedOnly() {
        String stack = "place-" + UUID.randomUUID().toString().substring(0, 8);
        LockstepCli cli = cli();
        Path plan = tmp.resolve("plan.json");
        assertEquals(0, cli.run("plan", BOOK, "-p", "stack=" + stack, "--region", "us-east-1", "--out", plan.toString()).exit());
        LockstepCli.Result run = cli.run("run", BOOK, "--plan", plan.toString(), "--no-tui", "--region", "eu-west-1");
        assertEquals(16, run.exit(), run.all());
        assertTrue(run.err().contains("the place to act differs: planned aws 123456789012 us-east-1, now aws 123456789012 "
                + "eu-west-1"), "the identity checked, account and region:\n" + run.err());

        LockstepCli.Result same = cli.run("run", BOOK, "--plan", plan.toString(), "--no-tui", "--region", "us-east-1");
        assertEquals(0, same.exit(), same.all());
        assertTrue(same.out().contains("ok step deploy succeeded"), same.out());
    }

    private static String read(String name) {
        try {
            return Files.readString(Path.of("src/test/resources/runbooks/aws").resolve(name));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
