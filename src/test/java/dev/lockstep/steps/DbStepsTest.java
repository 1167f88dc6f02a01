package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lockstep.LockstepCli;
import dev.lockstep.LockstepProcess;
import dev.lockstep.TestPostgres;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Journal;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** db.copy, db.verify, flyway and migrations.lint on real SQLite files and a real PostgreSQL. */
@Tag("postgres")
@Tag("process")
class DbStepsTest {
    private static final String DIR = "src/test/resources/runbooks/db/";

    @TempDir
    Path tmp;

    private LockstepCli cli() {
        return new LockstepCli(tmp.resolve("state"));
    }

    private static void sqlite(Path file, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            for (String sql : statements) s.execute(sql);
        }
    }

    private static void pg(String url, String... statements) throws SQLException {
        try (Connection c = TestPostgres.connect(url); Statement s = c.createStatement()) {
            for (String sql : statements) s.execute(sql);
        }
    }

    /** A relay-shaped SQLite database: events with an integer key, tags, and a key-value table. */
    private Path relay(int events) throws SQLException {
        Path db = tmp.resolve("relay.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, pubkey TEXT, created_at INTEGER, kind INTEGER, content TEXT)");
                s.execute("CREATE TABLE event_tags (id INTEGER PRIMARY KEY, event_id INTEGER, name TEXT, value TEXT)");
                s.execute("CREATE TABLE kv (key TEXT PRIMARY KEY, value BLOB)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement e = c.prepareStatement("INSERT INTO events VALUES (?, ?, ?, ?, ?)");
                 PreparedStatement t = c.prepareStatement("INSERT INTO event_tags VALUES (?, ?, ?, ?)")) {
                for (int i = 1; i <= events; i++) {
                    e.setInt(1, i);
                    e.setString(2, "pub" + (i % 97));
                    e.setLong(3, 1_700_000_000L + i);
                    e.setInt(4, i % 5);
                    e.setString(5, "content " + i + (i % 10 == 0 ? "\twith\ttabs\nand a newline \\ backslash" : ""));
                    e.addBatch();
                    t.setInt(1, i);
                    t.setInt(2, i);
                    t.setString(3, "p");
                    t.setString(4, "tag" + i);
                    t.addBatch();
                }
                e.executeBatch();
                t.executeBatch();
            }
            try (PreparedStatement k = c.prepareStatement("INSERT INTO kv VALUES (?, ?)")) {
                for (int i = 0; i < 20; i++) {
                    k.setString(1, "key" + i);
                    k.setBytes(2, new byte[] {(byte) i, 0, (byte) 0xff});
                    k.addBatch();
                }
                k.executeBatch();
            }
            c.commit();
        }
        return db;
    }

    @Test
    void copyAndVerifyRoundTripEveryMappedType() throws Exception {
        Path db = tmp.resolve("types.db");
        sqlite(db, "CREATE TABLE types (id INTEGER PRIMARY KEY, i INTEGER, t TEXT, r REAL, n NUMERIC, b BLOB, "
                        + "flag BOOLEAN, ts_text DATETIME, ts_num TIMESTAMP, v VARCHAR(10), untyped)",
                "INSERT INTO types VALUES (1, 9007199254740993, 'plain', 1.5, 12.50, x'00ff10', 1, '2024-01-02 03:04:05', "
                        + "1700000000, 'short', 'any')",
                "INSERT INTO types VALUES (2, -42, 'tab\tnewline\nback\\slash ünïcödé', -0.25, 3, x'', 0, "
                        + "'1999-12-31T23:59:59Z', 1700000001, NULL, 7)",
                "INSERT INTO types VALUES (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
        String url = TestPostgres.newDatabase();
        LockstepCli.Result r = cli().run("run", DIR + "copy.yaml", "--no-tui", "-p", "sqlite=" + db, "-p", "pg_url=" + url,
                "-p", "create=true");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains(row("types", "3", "3", "OK")), r.out());
        assertTrue(r.out().contains("copy verified: counts and checksums"), r.out());

        Map<String, String> types = new LinkedHashMap<>();
        try (Connection c = TestPostgres.connect(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT column_name, data_type FROM information_schema.columns "
                     + "WHERE table_name = 'types' ORDER BY ordinal_position")) {
            while (rs.next()) types.put(rs.getString(1), rs.getString(2));
        }
        assertEquals(Map.of("id", "bigint", "i", "bigint", "t", "text", "r", "double precision", "n", "numeric",
                "b", "bytea", "flag", "boolean", "ts_text", "text", "ts_num", "bigint", "v", "text"),
                without(types, "untyped"));
        assertEquals("text", types.get("untyped"));
        try (Connection c = TestPostgres.connect(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM types ORDER BY id")) {
            rs.next();
            assertEquals(9007199254740993L, rs.getLong("i"));
            assertEquals(1.5, rs.getDouble("r"));
            assertEquals(0, new BigDecimal("12.5").compareTo(rs.getBigDecimal("n")));
            assertArrayEquals(new byte[] {0, (byte) 0xff, 0x10}, rs.getBytes("b"));
            assertTrue(rs.getBoolean("flag"));
            assertEquals("2024-01-02 03:04:05", rs.getString("ts_text"));
            assertEquals(1700000000L, rs.getLong("ts_num"));
            rs.next();
            assertEquals("tab\tnewline\nback\\slash ünïcödé", rs.getString("t"));
            assertFalse(rs.getBoolean("flag"));
            assertArrayEquals(new byte[0], rs.getBytes("b"));
            assertEquals("7", rs.getString("untyped"));
            rs.next();
            for (int col = 2; col <= 11; col++) assertNull(rs.getObject(col), "NULL stays NULL in column " + col);
        }
    }

    /** How a table's line starts, as the step prints it when the table is done (the rows and their rate follow). */
    private static String row(String table, String source, String target, String verdict) {
        return table + ": source " + source + ", target " + target + " " + verdict + "; ";
    }

    private static Map<String, String> without(Map<String, String> m, String key) {
        Map<String, String> out = new LinkedHashMap<>(m);
        out.remove(key);
        return out;
    }

    @Test
    void sequencesMovePastTheCopiedKeysAndANonEmptyTargetIsRefused() throws Exception {
        Path db = relay(1000);
        String url = TestPostgres.newDatabase();
        pg(url, "CREATE TABLE events (id bigserial PRIMARY KEY, pubkey text, created_at bigint, kind integer, content text)",
                "CREATE TABLE event_tags (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, event_id bigint, name text, value text)",
                "CREATE TABLE kv (key text PRIMARY KEY, value bytea)");
        LockstepCli cli = cli();
        LockstepCli.Result r = cli.run("run", DIR + "copy.yaml", "--no-tui", "-p", "sqlite=" + db, "-p", "pg_url=" + url);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("outputs: rows=2020"), r.out());
        try (Connection c = TestPostgres.connect(url); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("INSERT INTO events (content) VALUES ('new') RETURNING id");
            rs.next();
            assertEquals(1001, rs.getLong(1), "serial sequence moved past the copied keys");
            rs = s.executeQuery("INSERT INTO event_tags (name) VALUES ('new') RETURNING id");
            rs.next();
            assertEquals(1001, rs.getLong(1), "identity moved past the copied keys");
        }
        LockstepCli.Result again = cli.run("run", DIR + "copy.yaml", "--no-tui", "-p", "sqlite=" + db, "-p", "pg_url=" + url);
        assertEquals(1, again.exit(), again.all());
        assertTrue(again.err().contains("already has 1001 rows: refusing to copy into it (set truncate: true"), again.err());
        LockstepCli.Result replaced = cli.run("run", DIR + "copy.yaml", "--no-tui", "--new", "-p", "sqlite=" + db,
                "-p", "pg_url=" + url, "-p", "truncate=true");
        assertEquals(0, replaced.exit(), replaced.all());
    }

    private String copied(Path db) throws SQLException {
        String url = TestPostgres.newDatabase();
        LockstepCli.Result r = new LockstepCli(tmp.resolve("copy-state")).run("run", DIR + "copy.yaml", "--no-tui",
                "-p", "sqlite=" + db, "-p", "pg_url=" + url, "-p", "create=true");
        assertEquals(0, r.exit(), r.all());
        return url;
    }

    @Test
    void aMissingRowHaltsWithThePerTableTable() throws Exception {
        Path db = relay(500);
        String url = copied(db);
        pg(url, "DELETE FROM events WHERE id = 250");
        LockstepCli cli = cli();
        LockstepCli.Result r = cli.run("run", DIR + "verify.yaml", "--no-tui", "-p", "sqlite=" + db, "-p", "pg_url=" + url);
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.out().contains(row("events", "500", "499", "MISMATCH (count)")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches(".*\\| events: source 500, target 499 MISMATCH \\(count\\); 999 rows compared "
                + "in \\d+\\.\\d\\d s \\([\\d,]+ rows/s\\)")), "each table's line says its rows and their rate: " + r.out());
        assertTrue(r.out().contains(row("kv", "20", "20", "OK")), r.out());
        assertFalse(r.out().contains("verified"), "nothing after the halt ran");
        String id = r.err().lines().filter(l -> l.startsWith("run id: ")).findFirst().orElseThrow().split(" ")[2];
        String report = cli.run("report", id, "-o", "-").out();
        assertTrue(report.contains("| events | 500 | 499 | MISMATCH: count |"), report);
        assertTrue(report.contains("halt evidence: `events: source=500 target=499 MISMATCH (count)`"), report);
    }

    @Test
    void aChangedValueWithEqualCountsIsFoundByTheChecksumDownToItsKey() throws Exception {
        Path db = relay(120_000);
        String url = copied(db);
        pg(url, "UPDATE events SET content = 'tampered' WHERE id = 77777");
        LockstepCli.Result counts = cli().run("run", DIR + "verify.yaml", "--no-tui", "--new", "-p", "sqlite=" + db,
                "-p", "pg_url=" + url);
        assertEquals(0, counts.exit(), "equal counts pass a count-only verify: " + counts.all());
        LockstepCli.Result sums = cli().run("run", DIR + "verify.yaml", "--no-tui", "--new", "-p", "sqlite=" + db,
                "-p", "pg_url=" + url, "-p", "checksum=true");
        assertEquals(3, sums.exit(), sums.all());
        assertTrue(sums.out().contains(row("events", "120000", "120000", "MISMATCH (checksum: keys 77777 differ; e.g. id = 77777)")),
                sums.out());
        assertTrue(sums.out().contains(row("event_tags", "120000", "120000", "OK")), sums.out());
    }

    /** A text primary key (and a composite one) is narrowed down too: both sides read in key order and merged. */
    @Test
    void aChangedMissingOrExtraRowUnderATextOrCompositeKeyIsNamedByItsKey() throws Exception {
        Path db = relay(500);
        sqlite(db, "CREATE TABLE pairs (a TEXT, b INTEGER, v TEXT, PRIMARY KEY (a, b))",
                "INSERT INTO pairs VALUES ('x', 1, 'one'), ('x', 2, 'two'), ('y', 1, 'three'), ('é', 1, 'four'), ('Z', 1, 'five')");
        String url = copied(db);
        pg(url, "UPDATE kv SET value = '\\x00'::bytea WHERE key = 'key7'", "DELETE FROM kv WHERE key = 'key12'",
                "INSERT INTO kv VALUES ('key99', '\\x01'::bytea)", "UPDATE pairs SET v = 'TWO' WHERE a = 'x' AND b = 2");
        LockstepCli.Result r = cli().run("run", DIR + "verify.yaml", "--no-tui", "--new", "-p", "sqlite=" + db,
                "-p", "pg_url=" + url, "-p", "checksum=true");
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.out().contains(row("kv", "20", "20", "MISMATCH (checksum: 3 keys differ (1 changed, 1 only in source, 1 only in "
                + "target) in 3 ranges: key = 'key12', key = 'key7', key = 'key99'; e.g. key = 'key12' (only in source), key = 'key7' "
                + "(changed), key = 'key99' (only in target))")), r.out());
        assertTrue(r.out().contains(row("pairs", "5", "5", "MISMATCH (checksum: 1 key differs (1 changed, 0 only in source, 0 only in "
                + "target) in 1 range: (a, b) = ('x', 2); e.g. (a, b) = ('x', 2) (changed))")), r.out());
    }

    @Test
    void aTableOnOneSideOnlyHalts() throws Exception {
        Path db = relay(10);
        String url = copied(db);
        pg(url, "CREATE TABLE extra (id int)");
        LockstepCli.Result r = cli().run("run", DIR + "verify.yaml", "--no-tui", "-p", "sqlite=" + db, "-p", "pg_url=" + url);
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.out().contains(row("extra", "-", "0", "MISSING IN SOURCE")), r.out());
    }

    /**
     * Large enough that copying the events table (one at a time) takes several seconds here:
     * the kill comes after its first progress line, a second into it, with time to spare.
     */
    private static final int KILLED_COPY_ROWS = 600_000;

    @Test
    void killDuringACopyThenResumeLeavesTheTargetIdenticalToTheSource() throws Exception {
        Path db = relay(KILLED_COPY_ROWS);
        String url = TestPostgres.newDatabase();
        Path state = tmp.resolve("kill-state");
        Path log = tmp.resolve("copy.log");
        Process p = LockstepProcess.start(log, "run", DIR + "copy.yaml", "--no-tui", "--state-dir", state.toString(),
                "-p", "sqlite=" + db, "-p", "pg_url=" + url, "-p", "create=true", "-p", "parallel=1");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!Files.readString(log).contains("events: ") || !Files.readString(log).contains(" rows/s")) {
            if (!p.isAlive()) fail("lockstep ended before the copy was under way: " + Files.readString(log));
            if (System.nanoTime() > deadline) fail("the copy never got under way: " + Files.readString(log));
            Thread.sleep(5);
        }
        p.destroyForcibly().waitFor();
        Path journal;
        try (Stream<Path> s = Files.list(state.resolve("runs"))) {
            journal = s.findFirst().orElseThrow().resolve("journal.jsonl");
        }
        assertTrue(Journal.read(journal).events().stream().noneMatch(e -> e.type() == EventType.STEP_SUCCEEDED),
                "killed while copying");
        Path resumed = tmp.resolve("resume.log");
        assertEquals(0, LockstepProcess.run(resumed, "resume", "--no-tui", "--state-dir", state.toString()),
                Files.readString(resumed));
        String out = Files.readString(resumed);
        assertTrue(out.contains("emptied") || out.contains("already copied"), "the interrupted table was redone: " + out);
        String n = String.valueOf(KILLED_COPY_ROWS);
        assertTrue(out.contains(row("events", n, n, "OK")), out);
        // event_tags, first by name, was done before the kill: the rate is only of what this attempt copied.
        assertTrue(out.contains("event_tags: already copied (" + n + " rows) before the interruption; skipped"), out);
        assertTrue(out.contains(String.format(Locale.ROOT, "copied %,d rows in 2 tables in ", KILLED_COPY_ROWS + 20)), out);
        assertTrue(out.contains(String.format(Locale.ROOT, "; 1 of 3 tables (%,d rows) had been copied before the interruption",
                KILLED_COPY_ROWS)), out);
        try (Connection c = TestPostgres.connect(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT id), sum(id) FROM events")) {
            rs.next();
            assertEquals(KILLED_COPY_ROWS, rs.getLong(1));
            assertEquals(KILLED_COPY_ROWS, rs.getLong(2));
            assertEquals((long) KILLED_COPY_ROWS * (KILLED_COPY_ROWS + 1) / 2, rs.getLong(3));
        }
    }

    @Test
    void flywayMigratesValidatesAndReportsVersions() throws Exception {
        String url = TestPostgres.newDatabase();
        Path migrations = tmp.resolve("migrations");
        Files.createDirectories(migrations);
        try (Stream<Path> s = Files.list(Path.of("src/test/resources/migrations/flyway-ok"))) {
            for (Path f : s.toList()) Files.copy(f, migrations.resolve(f.getFileName()));
        }
        LockstepCli cli = cli();
        LockstepCli.Result r = cli.run("run", DIR + "flyway.yaml", "--no-tui", "-p", "pg_url=" + url, "-p", "dir=" + migrations);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("outputs: pending=3"), r.out());
        assertTrue(r.out().contains("outputs: version=2.1 applied=[\"1\",\"2\",\"2.1\"]"), r.out());
        pg(url, "INSERT INTO events (content, kind) VALUES ('x', 1)");

        Files.writeString(migrations.resolve("V1__kv.sql"), "CREATE TABLE kv (key text PRIMARY KEY, value text);");
        LockstepCli.Result changed = cli.run("run", DIR + "flyway.yaml", "--no-tui", "-p", "pg_url=" + url, "-p", "dir=" + migrations);
        assertEquals(1, changed.exit(), changed.all());
        assertTrue(changed.all().contains("checksum mismatch") || changed.all().contains("Checksum"), changed.all());
    }

    @Test
    void theLintCatchesTheSeedsBranchedChainBeforeAnythingRuns() {
        String branched = Path.of("src/test/resources/migrations/alembic-branched").toAbsolutePath().toString();
        LockstepCli.Result r = cli().run("run", DIR + "lint.yaml", "--no-tui", "-p", "alembic=" + branched);
        assertEquals(4, r.exit(), r.all());
        assertTrue(r.err().contains("2 heads: add_sqs_metadata (0004_sqs.py), add_user_fk_constraint (0003_fk.py)"), r.err());
        assertFalse(r.out().contains("deploying"), "the guarded step did not run");
        String linear = Path.of("src/test/resources/migrations/alembic-linear").toAbsolutePath().toString();
        assertEquals(0, cli().run("run", DIR + "lint.yaml", "--no-tui", "--new", "-p", "alembic=" + linear).exit());
    }

    @Test
    void lintFindsBranchesHeadsDanglingParentsAndDuplicateVersions() throws Exception {
        Path m = Path.of("src/test/resources/migrations");
        assertEquals(List.of(), dev.lockstep.steps.db.LintAccess.alembic(m.resolve("alembic-linear")));
        assertEquals(List.of(), dev.lockstep.steps.db.LintAccess.alembic(m.resolve("alembic-merged")), "a merged branch is fine");
        assertEquals(List.of(), dev.lockstep.steps.db.LintAccess.alembic(m.resolve("alembic-merged-black")),
                "a merge whose down_revision tuple spans several lines is one head, not three");
        assertEquals(List.of("2 heads: add_sqs_metadata (0004_sqs.py), add_user_fk_constraint (0003_fk.py); alembic upgrade head "
                        + "will fail: merge them or fix a down_revision",
                "branch at add_predictions_001: add_sqs_metadata (0004_sqs.py) and add_user_fk_constraint (0003_fk.py) both have "
                        + "down_revision = add_predictions_001"),
                dev.lockstep.steps.db.LintAccess.alembic(m.resolve("alembic-branched")));
        assertEquals(List.of("0002_predictions.py: down_revision 0e12ce4eeec0 names no revision in alembic-dangling",
                        "2 heads: 0e12ce4eeec9 (0001_initial.py), add_predictions_001 (0002_predictions.py); alembic upgrade head "
                                + "will fail: merge them or fix a down_revision"),
                dev.lockstep.steps.db.LintAccess.alembic(m.resolve("alembic-dangling")));
        assertEquals(List.of(), dev.lockstep.steps.db.LintAccess.flyway(m.resolve("flyway-ok")));
        assertEquals(List.of("version 2 is used by 2 files: V002__sig.sql, V2__events.sql",
                        "version 2.1 is used by 2 files: V2.1__pubkey.sql, V2_1__kind.sql"),
                dev.lockstep.steps.db.LintAccess.flyway(m.resolve("flyway-duplicate")));
    }
}
