package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tamper matrix of a saved plan: every edit of the file (a value, an action, a check, a
 * confirmation, a rollback, a parameter, an edit consistent across every line that shows a value,
 * truncation), every change of the runbook (a step, a comment), another runbook's plan with and without
 * the runbook named, a changed secret or parameter, another store, and the plan run twice: each is
 * refused (exit 16, or 2 for what is not a plan) before any check runs or anything is recorded.
 */
class PlanTamperTest {
    private static final String SOURCE = "src/test/resources/runbooks/plan/tamper.yaml";

    @TempDir
    Path tmp;

    private LockstepCli cli;
    private Path book;
    private Path plan;
    private Path work;
    private Path marks;

    @BeforeEach
    void reviewAPlan() throws IOException {
        cli = new LockstepCli(tmp.resolve("state")).env("TAMPER_TOKEN", "tok-7781-secret");
        book = tmp.resolve("tamper.yaml");
        Files.copy(Path.of(SOURCE), book);
        work = tmp.resolve("work");
        marks = Files.createDirectories(tmp.resolve("marks"));
        plan = tmp.resolve("reviewed.json");
        LockstepCli.Result saved = cli.run("plan", book.toString(), "-p", "work=" + work, "-p", "marks=" + marks, "--out", plan.toString());
        assertEquals(0, saved.exit(), saved.all());
        assertTrue(Files.exists(marks.resolve("make-check")), "plan ran the read-only check");
        Files.delete(marks.resolve("make-check"));
    }

    private LockstepCli.Result runPlan(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("run", book.toString(), "--plan", plan.toString(), "--no-tui",
                "--confirm", "gate=relay"));
        args.addAll(List.of(extra));
        return cli.run(args.toArray(String[]::new));
    }

    private void assertRefusedBeforeAnything(LockstepCli.Result run, int exit, String says) {
        assertEquals(exit, run.exit(), run.all());
        assertTrue(run.err().contains(says), "expected '" + says + "' in:\n" + run.err());
        assertTrue(cli.run("runs").out().startsWith("no runs"), "refused before a run was recorded");
        assertFalse(Files.exists(marks.resolve("make-check")), "no check ran before the refusal");
        assertFalse(Files.exists(work), "no step ran");
        assertFalse(run.all().contains("tok-7781-secret"), run.all());
    }

    private void editPlan(UnaryOperator<String> edit) throws IOException {
        String text = Files.readString(plan, StandardCharsets.UTF_8);
        String edited = edit.apply(text);
        assertTrue(!edited.equals(text), "the edit changed the file");
        Files.writeString(plan, edited, StandardCharsets.UTF_8);
    }

    @Test
    void theReviewedPlanRunsOnceAndItsFileHoldsNothingOfTheSecret() throws IOException {
        String text = Files.readString(plan);
        assertFalse(text.contains("tok-7781-secret"), text);
        assertTrue(text.contains("\"token\": {\n        \"secret\": true\n      }"), text);
        assertFalse(text.contains("sha256\": \"" + dev.lockstep.spi.Digests.sha256("tok-7781-secret")), text);
        LockstepCli.Result run = runPlan();
        assertEquals(0, run.exit(), run.all());
        assertEquals("switched blue\n", Files.readString(work.resolve("switched")));
        String runId = run.out().replaceAll("(?s).*run id: (\\S+).*", "$1");

        Files.delete(marks.resolve("make-check"));
        LockstepCli.Result again = runPlan();
        assertEquals(16, again.exit(), again.all());
        assertTrue(again.err().contains("was run already, by run " + runId), again.err());
        assertFalse(Files.exists(marks.resolve("make-check")), "no check ran before the refusal");
    }

    @Test
    void aValueEditedEverywhereItShowsIsRefused() throws IOException {
        editPlan(t -> t.replace("500", "600"));
        assertRefusedBeforeAnything(runPlan(), 16, "was changed after it was written");
    }

    @Test
    void anEditedActionIsRefused() throws IOException {
        editPlan(t -> t.replace("seq 1 ", "seq 2 "));
        assertRefusedBeforeAnything(runPlan(), 16, "was changed after it was written");
    }

    @Test
    void anEditedCheckConfirmationOrRollbackIsRefused() throws IOException {
        String original = Files.readString(plan);
        for (UnaryOperator<String> edit : List.<UnaryOperator<String>>of(
                t -> t.replace("test -n", "true || test -n"),
                t -> t.replace("\"value\": \"relay\"", "\"value\": \"yes\""),
                t -> t.replace("rm -rf", "echo"),
                t -> t.replace("rolled back", "rolled forward"),
                t -> t.replace("\"value\": \"alpha\"", "\"value\": \"beta\""))) {
            Files.writeString(plan, original);
            editPlan(edit);
            assertRefusedBeforeAnything(runPlan(), 16, "was changed after it was written");
        }
    }

    @Test
    void aTruncatedPlanIsNotAPlan() throws IOException {
        editPlan(t -> t.substring(0, t.length() / 2));
        assertRefusedBeforeAnything(runPlan(), 2, "is not a plan saved by lockstep: it is not JSON");
    }

    @Test
    void aChangedRunbookIsRefusedBeforeItsChecksRun() throws IOException {
        Files.writeString(book, Files.readString(book).replace("test -n", "test -z"));
        assertRefusedBeforeAnything(runPlan(), 16, "the runbook " + book + " changed since the plan was made");
    }

    @Test
    void aCommentAddedToTheRunbookIsRefused() throws IOException {
        Files.writeString(book, Files.readString(book) + "# reviewed by nobody\n");
        assertRefusedBeforeAnything(runPlan(), 16, "changed since the plan was made");
    }

    @Test
    void aChangedParameterOrSecretIsRefused() {
        assertRefusedBeforeAnything(runPlan("-p", "rows=600"), 16, "parameter rows: planned '500', now '600'");
        assertRefusedBeforeAnything(runPlan("-p", "only_in_check=beta"), 16, "parameter only_in_check: planned 'alpha', now 'beta'");
        cli.env("TAMPER_TOKEN", "another-token");
        LockstepCli.Result run = runPlan();
        assertRefusedBeforeAnything(run, 16, "parameter token: its value differs from the planned one");
        assertFalse(run.all().contains("another-token"), run.all());
    }

    @Test
    void theNewPlanARefusalSuggestsIsMadeAsPrinted() throws IOException {
        editPlan(t -> t.replace("seq 1 ", "seq 2 "));
        LockstepCli.Result refused = runPlan();
        assertEquals(16, refused.exit(), refused.all());
        java.util.regex.Matcher hint = java.util.regex.Pattern.compile("review a new plan \\((lockstep plan [^)]*)\\)").matcher(refused.err());
        assertTrue(hint.find(), refused.err());
        List<String> words = new java.util.ArrayList<>();
        java.util.regex.Matcher word = java.util.regex.Pattern.compile("'([^']*)'|(\\S+)").matcher(hint.group(1).substring("lockstep ".length()));
        while (word.find()) words.add(word.group(1) != null ? word.group(1) : word.group(2));
        LockstepCli.Result replanned = cli.run(words.toArray(String[]::new));
        assertEquals(0, replanned.exit(), replanned.all());
        Files.delete(marks.resolve("make-check"));
        LockstepCli.Result run = runPlan();
        assertEquals(0, run.exit(), run.all());
        assertEquals("switched blue\n", Files.readString(work.resolve("switched")));
    }

    @Test
    void aPlanOfAnotherRunbookIsRefusedWithOrWithoutTheRunbookNamed() throws IOException {
        Path demo = tmp.resolve("demo.yaml");
        Files.copy(Path.of("runbooks/demo.yaml"), demo);
        Path other = tmp.resolve("other.json");
        LockstepCli.Result saved = cli.run("plan", demo.toString(), "-p", "workdir=" + work, "--out", other.toString());
        assertEquals(0, saved.exit(), saved.all());
        Files.copy(other, plan, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertRefusedBeforeAnything(runPlan(), 16, "the plan is of runbook demo");
        assertRefusedBeforeAnything(cli.run("run", "--plan", plan.toString(), "--no-tui"), 2, "a runbook is required");
    }

    @Test
    void aPlanSavedToAnotherStoreIsRefused() {
        LockstepCli elsewhere = new LockstepCli(tmp.resolve("other-state")).env("TAMPER_TOKEN", "tok-7781-secret");
        LockstepCli.Result run = elsewhere.run("run", book.toString(), "--plan", plan.toString(), "--no-tui", "--confirm", "gate=relay");
        assertEquals(16, run.exit(), run.all());
        assertTrue(run.err().contains("has no record of plan"), run.err());
        assertFalse(Files.exists(marks.resolve("make-check")), "no check ran before the refusal");
        assertFalse(Files.exists(work), "no step ran");
    }
}
