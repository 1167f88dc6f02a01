package dev.lockstep.team;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.TestPostgres;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.store.DatabaseAddress;
import dev.lockstep.store.PostgresStore;
import dev.lockstep.store.PostgresUrl;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing the shared store: its URL and credentials, its schema's version, and where it must not be. */
@Tag("postgres")
class StoreSetupTest {
    @TempDir
    Path tmp;

    @Test
    void theUrlTakesWhatItLeavesOutFromThePgVariablesAndNeverShowsThePassword() throws Exception {
        PostgresUrl full = PostgresUrl.parse("postgresql://ops:p%40ss%3Aword@db.example:6543/state?schema=team_a&sslmode=require",
                Map.of());
        assertEquals("ops", full.user());
        assertEquals("p@ss:word", full.password());
        assertEquals("postgres://ops@db.example:6543/state?schema=team_a", full.describe());
        assertEquals(full.describe(), full.toString());
        assertEquals("require", full.properties("test", 5).getProperty("sslmode"));
        assertEquals("jdbc:postgresql://db.example:6543/state", full.jdbcUrl());

        PostgresUrl fromEnv = PostgresUrl.parse("postgres://", Map.of("PGHOST", "h", "PGPORT", "7000", "PGDATABASE", "d",
                "PGUSER", "u", "PGPASSWORD", "from-env"));
        assertEquals("postgres://u@h:7000/d", fromEnv.describe());
        assertEquals("from-env", fromEnv.password());

        Path pgpass = Files.writeString(tmp.resolve("pgpass"), "# comment\nother:*:*:*:nope\nh:7000:d:u:from\\:pgpass\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        assertEquals("from:pgpass", PostgresUrl.parse("postgres://u@h:7000/d", Map.of("PGPASSFILE", pgpass.toString())).password());
        Path secret = Files.writeString(tmp.resolve("secret"), "mounted-secret\n");
        assertEquals("mounted-secret", PostgresUrl.parse("postgres://u@h/d",
                Map.of("LOCKSTEP_STATE_PASSWORD_FILE", secret.toString(), "PGPASSFILE", pgpass.toString())).password());
        assertNull(PostgresUrl.parse("postgres://u@h/d", Map.of("PGPASSFILE", pgpass.toString())).password());

        for (String bad : new String[] {"postgres://u:secret@h/d?frobnicate=1", "postgres://u:secret@h/d/e",
                "postgres://u:secret@h/d?schema=Bad-Name", "postgres://u:secret@h/d#x"}) {
            LockstepException e = assertThrows(LockstepException.class, () -> PostgresUrl.parse(bad, Map.of()), bad);
            assertEquals(ErrorCode.USAGE, e.code(), bad);
            assertFalse(e.getMessage().contains("secret"), e.getMessage());
        }
    }

    @Test
    void aDatabaseIsRecognisedHoweverItsUrlIsSpelled() {
        DatabaseAddress a = DatabaseAddress.in("jdbc:postgresql://127.0.0.1:5432/app?ssl=true").orElseThrow();
        assertTrue(a.sameAs(DatabaseAddress.in("postgres://me@localhost/app").orElseThrow()));
        assertFalse(a.sameAs(DatabaseAddress.in("jdbc:postgresql://localhost:5433/app").orElseThrow()));
        assertFalse(a.sameAs(DatabaseAddress.in("jdbc:postgresql://localhost:5432/other").orElseThrow()));
        assertTrue(DatabaseAddress.in("jdbc:sqlite:/tmp/app.db").isEmpty());
    }

    @Test
    void commandLineMistakesAboutTheStoreAreUsageErrors() throws Exception {
        LockstepCli cli = new LockstepCli(tmp.resolve("state"));
        LockstepCli.Result both = cli.run("runs", "--state", "postgres://u@h/d");
        assertEquals(2, both.exit(), both.all());
        assertTrue(both.err().contains("--state and --state-dir"), both.err());
        LockstepCli.Result bad = LockstepCli.onStore("postgres://u:hunter22@h/d?nope=1").run("runs");
        assertEquals(2, bad.exit(), bad.all());
        assertFalse(bad.all().contains("hunter22"), bad.all());
        LockstepCli.Result lease = LockstepCli.onStore(TestPostgres.newStateUrl()).env("LOCKSTEP_LEASE_SECONDS", "1").run("runs");
        assertEquals(2, lease.exit(), lease.all());
        assertTrue(lease.err().contains("$LOCKSTEP_LEASE_SECONDS is '1'"), lease.err());
        assertEquals(2, cli.run("lock").exit());
        assertEquals(2, cli.run("state").exit());
        LockstepCli.Result same = cli.run("state", "copy", "x", "--from", tmp.toString(), "--to", tmp.toString());
        assertEquals(2, same.exit(), same.all());
    }

    @Test
    void anUnreachableStoreIsItsOwnExitCode() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LockstepCli.Result r = LockstepCli.onStore("postgres://u:hunter22@127.0.0.1:" + port + "/d").run("runs");
        assertEquals(15, r.exit(), r.all());
        assertTrue(r.err().contains("state store postgres://u@127.0.0.1:" + port + "/d") && r.err().contains("STATE_UNAVAILABLE"),
                r.err());
        assertFalse(r.all().contains("hunter22"), r.all());
    }

    @Test
    void aSchemaNewerThanThisLockstepIsRefused() throws Exception {
        String url = TestPostgres.newStateUrl();
        LockstepCli cli = LockstepCli.onStore(url);
        assertEquals(0, cli.run("runs").exit(), "creates the schema");
        try (Connection c = TestPostgres.connect(Team.jdbc(url)); Statement s = c.createStatement()) {
            s.execute("INSERT INTO lockstep.flyway_schema_history (installed_rank, version, description, type, script, checksum, "
                    + "installed_by, execution_time, success) VALUES (99, '99', 'from the future', 'SQL', 'V99__future.sql', 0, "
                    + "'postgres', 1, true)");
        }
        LockstepCli.Result r = cli.run("runs");
        assertEquals(11, r.exit(), r.all());
        assertTrue(r.err().contains("schema version 99") && r.err().contains("newer lockstep"), r.err());
        assertTrue(LockstepCli.onStore(url + "?schema=elsewhere").run("runs").exit() == 0, "another schema is another store");
    }

    @Test
    void theSchemaVersionLockstepChecksIsItsLastMigration() throws Exception {
        try (var files = Files.list(Path.of("app/src/main/resources/dev/lockstep/store/migration"))) {
            int last = files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max().orElseThrow();
            assertEquals(last, PostgresStore.SCHEMA_VERSION, "PostgresStore.SCHEMA_VERSION names the last migration");
        }
    }

    @Test
    void aRunbookActingOnTheStatesOwnDatabaseIsWarnedAbout() {
        String url = TestPostgres.newStateUrl();
        String jdbc = "jdbc:postgresql://127.0.0.1" + url.substring(url.lastIndexOf(':'));
        LockstepCli.Result r = LockstepCli.onStore(url).run("run", "src/test/resources/runbooks/team/own-database.yaml",
                "--no-tui", "-p", "target=" + jdbc);
        assertTrue(r.out().contains("warning: the state store postgres://postgres@localhost:"), r.all());
        assertTrue(r.out().contains("is the database that count acts on"), r.all());
        LockstepCli.Result elsewhere = LockstepCli.onStore(TestPostgres.newStateUrl()).run("run",
                "src/test/resources/runbooks/team/own-database.yaml", "--no-tui", "-p", "target=" + jdbc);
        assertFalse(elsewhere.out().contains("warning: the state store"), elsewhere.all());
    }
}
