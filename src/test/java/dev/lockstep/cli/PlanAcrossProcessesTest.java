package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.PlanJourney;
import dev.lockstep.TestPostgres;
import dev.lockstep.demo.RelayDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plan as people use it: made in one process, run from another, as a reviewer in daylight and an
 * operator at night would; with several values in each action, whose order a process must not decide.
 */
@Tag("postgres")
@Tag("process")
class PlanAcrossProcessesTest {
    private static final String PG_PASSWORD = "pg-demo-secret";

    @TempDir
    Path tmp;

    private LockstepCli lockstep;

    @BeforeEach
    void eachCommandInAProcessOfItsOwn() {
        lockstep = new LockstepCli(tmp.resolve("state")).env("TAMPER_TOKEN", "tok-7781-secret").env("DEMO_API_TOKEN", "tok-5150-secret")
                .env("LOCKSTEP_PARAM_DB_PASSWORD", PG_PASSWORD).inSeparateProcesses();
    }

    @Test
    void theJsonPlanIsTheSameBytesInEveryProcess() throws Exception {
        Path marks = Files.createDirectories(tmp.resolve("marks"));
        String first = null;
        for (int i = 0; i < 5; i++) {
            LockstepCli.Result plan = lockstep.run("plan", "src/test/resources/runbooks/plan/tamper.yaml", "-p", "work=" + tmp.resolve("w"),
                    "-p", "marks=" + marks, "--output", "json");
            assertEquals(0, plan.exit(), plan.all());
            if (first == null) first = plan.out();
            else assertEquals(first, plan.out(), "process " + (i + 1) + " printed other bytes than the first:\n" + plan.all());
        }
        assertTrue(first.contains("\"env\": {\n          \"LS_PARAMS_WORK\": \"" + tmp.resolve("w") + "\",\n          \"LS_PARAMS_ROWS\": \"500\",\n"
                + "          \"LS_PARAMS_LABEL\": \"blue\",\n          \"LS_PARAMS_TOKEN\": \"******\"\n        }"),
                "the environment in the order the values appear:\n" + first);
    }

    @Test
    void aPlanSavedByOneProcessRunsInAnotherOnceAndOnlyOnce() throws Exception {
        Path work = tmp.resolve("demo-work");
        PlanJourney demo = new PlanJourney(lockstep, tmp.resolve("demo"), "runbooks/demo.yaml", List.of(), "workdir=" + work, "rows=100");
        demo.plan();
        String[] operator = {"--no-tui", "--confirm", "switch=relay"};
        demo.refusesWhatWasNotReviewed("rows=200", () -> assertFalse(Files.exists(work), "no step ran"), operator);
        demo.runs(operator);
        assertEquals("readers=target\n", Files.readString(work.resolve("pointer")));
        assertEquals(100, Files.readAllLines(work.resolve("target.tsv")).size());
        demo.refusesTheSamePlanAgain(operator);
    }

    /** runbooks/demo-cutover.yaml as `lockstep demo` runs it (a relay-shaped SQLite database, a PostgreSQL), from a saved plan. */
    @Test
    void theDemoCutoversPlanSavedByOneProcessRunsInAnotherOnceAndOnlyOnce() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("cutover"));
        Path sqlite = home.resolve("relay.db");
        RelayDatabase.generate(sqlite, RelayDatabase.Shape.of(300));
        String pgUrl = TestPostgres.newDatabase();
        Path config = home.resolve("relay.conf");
        PlanJourney cutover = new PlanJourney(lockstep, tmp.resolve("demo-cutover"), "runbooks/demo-cutover.yaml", List.of(),
                "sqlite=" + sqlite, "pg_url=" + pgUrl, "db_user=postgres", "app_config=" + config);
        cutover.plan();
        String[] operator = {"--no-tui", "--confirm", "switch=relay"};
        cutover.refusesWhatWasNotReviewed("app_config=" + home.resolve("other.conf"), () -> {
            assertFalse(Files.exists(config), "the relay's configuration was not touched");
            assertEquals(0, tables(pgUrl), "PostgreSQL is still empty");
        }, operator);
        LockstepCli.Result r = cutover.runs(operator);
        assertTrue(r.out().contains("copied 300 rows; copy verified: counts and checksums: 3 tables match"), r.out());
        assertEquals("database=postgresql url=" + pgUrl + " rows=300", Files.readString(config).trim());
        assertFalse(r.all().contains(PG_PASSWORD), "the password is masked");
        cutover.refusesTheSamePlanAgain(operator);
    }

    private static int tables(String url) throws SQLException {
        try (Connection c = TestPostgres.connect(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select count(*) from information_schema.tables where table_schema = 'public'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void theHintPrintedWithASavedPlanRunsAsPrinted() throws Exception {
        Path work = tmp.resolve("hint-work");
        Path plan = tmp.resolve("hint-plan.json");
        LockstepCli.Result saved = lockstep.run("plan", "runbooks/demo.yaml", "-p", "workdir=" + work, "--out", plan.toString());
        assertEquals(0, saved.exit(), saved.all());
        String printed = saved.out();
        java.util.regex.Matcher hint = java.util.regex.Pattern.compile("(lockstep run (--state-dir \\S+ )?\\S+ --plan \\S+) runs exactly this")
                .matcher(printed);
        assertTrue(hint.find(), printed);
        assertTrue(hint.group(1).contains("--state-dir " + tmp.resolve("state")), "the hint names the state folder: " + hint.group(1));
        List<String> words = new ArrayList<>(List.of(hint.group(1).substring("lockstep ".length()).split(" ")));
        words.addAll(List.of("--no-tui", "--confirm", "switch=relay"));
        LockstepCli.Result run = lockstep.run(words.toArray(String[]::new));
        assertEquals(0, run.exit(), run.all());
    }
}
