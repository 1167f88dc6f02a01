package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saved plans: what was reviewed runs, and anything else is refused, naming the difference, before
 * a run is recorded. One test per kind of difference; a change set's is in SavedPlanAwsTest.
 */
class SavedPlanTest {
    @TempDir
    Path tmp;

    private LockstepCli cli;
    private Path book;
    private Path plan;

    @BeforeEach
    void setUp() throws IOException {
        cli = new LockstepCli(tmp.resolve("state")).env("DEMO_API_TOKEN", "tok-4242-secret");
        book = tmp.resolve("demo.yaml");
        Files.copy(Path.of("runbooks/demo.yaml"), book);
        plan = tmp.resolve("reviewed.json");
        LockstepCli.Result saved = cli.run("plan", book.toString(), "-p", "workdir=" + tmp.resolve("work"), "--out", plan.toString());
        assertEquals(0, saved.exit(), saved.all());
        assertTrue(saved.out().contains(" saved to " + plan + " (its digest is kept in "), saved.out());
    }

    private void assertNothingRecorded() {
        assertTrue(cli.run("runs").out().startsWith("no runs"), "refused before a run was recorded");
        assertFalse(Files.exists(tmp.resolve("work")), "no step ran");
    }

    @Test
    void theReviewedPlanRunsAndItsFileHoldsNothingOfTheSecret() throws IOException {
        String text = Files.readString(plan);
        assertFalse(text.contains("tok-4242-secret"), text);
        assertTrue(text.contains("\"api_token\": {\n        \"secret\": true\n      }"), text);
        assertTrue(text.contains("\"workdir\": {\n        \"value\": \"" + tmp.resolve("work") + "\""), text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(plan)));
        LockstepCli.Result run = cli.run("run", book.toString(), "--plan", plan.toString(), "--no-tui", "--confirm", "switch=relay");
        assertEquals(0, run.exit(), run.all());
        assertTrue(Files.readString(tmp.resolve("work/pointer")).contains("readers=target"));
    }

    @Test
    void aChangedRunbookIsRefused() throws IOException {
        Files.writeString(book, Files.readString(book).replace("rows=$(wc -l", "rows=$(wc -l -c"));
        LockstepCli.Result run = cli.run("run", book.toString(), "--plan", plan.toString(), "--no-tui", "--confirm", "switch=relay");
        assertEquals(16, run.exit(), run.all());
        assertTrue(run.err().contains("the runbook " + book + " changed since the plan was made"), run.err());
        assertNothingRecorded();
    }

    @Test
    void aStepThatWouldDoSomethingElseNowIsRefused() throws IOException {
        Path world = tmp.resolve("world.yaml");
        Files.writeString(world, """
                lockstep: 1
                name: world
                params:
                  dir: {}
                steps:
                  - id: write
                    run: echo "$GREETING" > "${{ params.dir }}/said"
                    with: { env: { GREETING: "${{ env.LOCKSTEP_TEST_GREETING }}" } }
                """);
        LockstepCli reviewer = cli.env("LOCKSTEP_TEST_GREETING", "hello");
        Path worldPlan = tmp.resolve("world.json");
        LockstepCli.Result saved = reviewer.run("plan", world.toString(), "-p", "dir=" + tmp, "--out", worldPlan.toString());
        assertEquals(0, saved.exit(), saved.all());
        LockstepCli.Result run = cli.env("LOCKSTEP_TEST_GREETING", "goodbye").run("run", world.toString(), "--plan", worldPlan.toString(), "--no-tui");
        assertEquals(16, run.exit(), run.all());
        assertTrue(run.err().contains("step write would do something else than was reviewed: action.with.env.GREETING: reviewed 'hello', "
                + "now 'goodbye'"), run.err());
        assertFalse(Files.exists(tmp.resolve("said")));
    }

    @Test
    void aDifferentParameterIsRefused() {
        LockstepCli.Result run = cli.run("run", book.toString(), "--plan", plan.toString(), "--no-tui", "-p", "rows=600");
        assertEquals(16, run.exit(), run.all());
        assertTrue(run.err().contains("parameter rows: planned '500', now '600'"), run.err());
        assertNothingRecorded();
    }

    @Test
    void aDifferentSecretIsRefusedWithoutShowingEither() {
        LockstepCli.Result run = cli.env("DEMO_API_TOKEN", "another-token").run("run", book.toString(), "--plan", plan.toString(), "--no-tui");
        assertEquals(16, run.exit(), run.all());
        assertTrue(run.err().contains("parameter api_token: its value differs from the planned one (compared by its digest in the state store)"),
                run.err());
        assertFalse(run.all().contains("another-token") || run.all().contains("tok-4242-secret"), run.all());
        assertNothingRecorded();
    }

    @Test
    void anotherPlaceToActIsRefused() {
        LockstepCli.Result saved = cli.run("plan", book.toString(), "-p", "workdir=" + tmp.resolve("work"), "--region",
                "us-east-1", "--out", plan.toString());
        assertEquals(0, saved.exit(), saved.all());
        LockstepCli.Result run = cli.run("run", book.toString(), "--plan", plan.toString(), "--no-tui", "--region", "eu-west-1");
        assertEquals(16, run.exit(), run.all());
        assertTrue(run.err().contains("the place to act differs: planned aws us-east-1"), run.err());
        assertTrue(run.err().contains("now aws eu-west-1"), run.err());
        assertNothingRecorded();
    }

    @Test
    void aFileThatIsNotAPlanIsAUsageError() throws IOException {
        Files.writeString(plan, "{\"hello\": 1}");
        LockstepCli.Result run = cli.run("run", book.toString(), "--plan", plan.toString(), "--no-tui");
        assertEquals(2, run.exit(), run.all());
        assertTrue(run.err().contains("is not a plan saved by lockstep: it has no lockstepSavedPlan format number"), run.err());
        LockstepCli.Result other = cli.run("run", "runbooks/demo.yaml", "--plan", tmp.resolve("missing.json").toString());
        assertEquals(12, other.exit(), other.all());
        for (String[] args : List.of(new String[] {"run", "runbooks/demo.yaml", "--plan", ""},
                new String[] {"run", "runbooks/demo.yaml", "--plan", tmp.toString()},
                new String[] {"plan", "runbooks/demo.yaml", "--out", ""},
                new String[] {"plan", "runbooks/demo.yaml", "--out", tmp.toString()})) {
            LockstepCli.Result usage = cli.run(args);
            assertEquals(2, usage.exit(), usage.all());
            assertTrue(usage.err().contains("expected a file"), usage.err());
            assertFalse(usage.out().contains("Plan:"), "refused before planning: " + usage.out());
        }
    }
}
