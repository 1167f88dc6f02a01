package dev.lockstep.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A parameter an attacker controls never becomes SQL: {@code ${{ }}} inside db.query's {@code sql}
 * is refused when the runbook loads, and the two ways that stay — a value bound to {@code ?}, a
 * table name through {@code ident(…)} — carry hostile text as data, on a real SQLite file and the
 * embedded PostgreSQL.
 */
@Tag("postgres")
class SqlInjectionTest {
    private static final String PASTE = "src/test/resources/runbooks/trust/sql-paste.yaml";
    private static final String BOUND = "src/test/resources/runbooks/trust/sql-bound.yaml";
    /** Issue 20's reproduction: closes the quote, sets a second column, comments out the WHERE. */
    private static final String HOSTILE = "mallory', role = 'admin' --";

    @TempDir
    Path tmp;

    enum Database { SQLITE, POSTGRES }

    /** A database holding {@code table} with two users, alice (1) and bob (2), both role 'user'; returns its JDBC URL. */
    private String users(Database kind, String table) throws SQLException {
        String url = kind == Database.SQLITE ? "jdbc:sqlite:" + tmp.resolve("users.db") : TestPostgres.newDatabase();
        try (Connection c = connect(url); Statement s = c.createStatement()) {
            String quoted = "\"" + table.replace("\"", "\"\"") + "\"";
            s.execute("CREATE TABLE " + quoted + " (id INTEGER PRIMARY KEY, name TEXT, role TEXT)");
            s.execute("INSERT INTO " + quoted + " VALUES (1, 'alice', 'user'), (2, 'bob', 'user')");
        }
        return url;
    }

    private static Connection connect(String url) throws SQLException {
        return url.startsWith("jdbc:sqlite:") ? DriverManager.getConnection(url) : TestPostgres.connect(url);
    }

    private static List<String> rows(String url, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name, role FROM \"" + table.replace("\"", "\"\"") + "\" ORDER BY id")) {
            while (rs.next()) out.add(rs.getString(1) + "/" + rs.getString(2));
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void anExpressionInsideSqlIsRefusedAtLoadAndNothingChanges(Database kind) throws Exception {
        String url = users(kind, "users");
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));

        for (String command : List.of("validate", "plan", "run")) {
            List<String> args = new ArrayList<>(List.of(command, PASTE, "-p", "url=" + url, "-p", "name=" + HOSTILE));
            if (command.equals("run")) args.add("--no-tui");
            LockstepCli.Result r = cli.run(args.toArray(String[]::new));
            assertEquals(5, r.exit(), command + ": " + r.all());
            assertTrue(r.all().contains(PASTE + ":12:12: with.sql: ${{ params.name }} would be pasted into the SQL"), r.all());
            assertTrue(r.all().contains("write ? in its place and give the value in parameters: [\"${{ params.name }}\"]"), r.all());
            assertTrue(r.all().contains("${{ ident(params.name) }}"), "names the way for a table or column name: " + r.all());
        }
        assertEquals(List.of("alice/user", "bob/user"), rows(url, "users"), "neither row changed");
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aBoundValueAndAQuotedTableNameAreDataExactly(Database kind) throws Exception {
        String table = "user \"accounts\"; drop table x --";
        String url = users(kind, table);
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));

        LockstepCli.Result run = cli.run("run", BOUND, "--no-tui", "-p", "url=" + url, "-p", "name=" + HOSTILE, "-p", "table=" + table);
        assertEquals(0, run.exit(), run.all());
        assertEquals(List.of(HOSTILE + "/user", "bob/user"), rows(url, table), "only row 1's name changed, to the value exactly");
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void anIdentifierTheDatabaseWouldCutShortFailsTheRunBeforeItsFirstStep(Database kind) throws Exception {
        String url = users(kind, "users");
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));

        LockstepCli.Result run = cli.run("run", BOUND, "--no-tui", "-p", "url=" + url, "-p", "name=x", "-p", "table=" + "u".repeat(64));
        assertEquals(17, run.exit(), "would fail: " + run.all());
        assertTrue(run.all().contains("PostgreSQL cuts names to 63 bytes"), run.all());
        assertEquals(List.of("alice/user", "bob/user"), rows(url, "users"));
    }
}
