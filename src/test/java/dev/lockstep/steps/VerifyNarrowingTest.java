package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.LockstepCli;
import dev.lockstep.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * db.verify with checksums names the key of one changed, inserted or deleted row in the middle of a table, for an
 * integer, a text and a composite primary key, from SQLite and from PostgreSQL to PostgreSQL. Every table of a kind is
 * made the same way on both sides, then the target is changed in one row.
 */
@Tag("postgres")
class VerifyNarrowingTest {
    /** Rows per table: more than one key-by-key comparison takes, so that narrowing has to split. */
    private static final int ROWS = 5_000;
    /** Keys are every other number, so that a row can be inserted between two. */
    private static final int MIDDLE = ROWS;

    @TempDir
    Path tmp;

    /** A key type: its columns' definitions on either database, and how the row numbered n is keyed. */
    private enum KeyKind {
        INT("id INTEGER PRIMARY KEY", "id bigint PRIMARY KEY", "id = %d", "?"),
        TEXT("k TEXT PRIMARY KEY", "k text PRIMARY KEY", "k = 'k%05d'", "?"),
        PAIR("a TEXT, b INTEGER", "a text, b bigint", "(a, b) = ('g%04d', %d)", "?, ?");

        final String sqliteKey;
        final String postgresKey;
        final String named;
        final String placeholders;

        KeyKind(String sqliteKey, String postgresKey, String named, String placeholders) {
            this.sqliteKey = sqliteKey;
            this.postgresKey = postgresKey;
            this.named = named;
            this.placeholders = placeholders;
        }

        String table(String change) {
            return name().toLowerCase(Locale.ROOT) + "_" + change;
        }

        String create(String change, boolean postgres) {
            String pk = this == PAIR ? ", PRIMARY KEY (a, b)" : "";
            return "CREATE TABLE " + table(change) + " (" + (postgres ? postgresKey : sqliteKey) + ", v TEXT, n INTEGER, r "
                    + (postgres ? "double precision" : "REAL") + ", blob " + (postgres ? "bytea" : "BLOB") + pk + ")";
        }

        /** The key of row number n, as bound to the INSERT: keys are even numbers, odd ones fall between. */
        Object[] key(int n) {
            return switch (this) {
                case INT -> new Object[] {(long) n};
                case TEXT -> new Object[] {String.format(Locale.ROOT, "k%05d", n)};
                case PAIR -> new Object[] {String.format(Locale.ROOT, "g%04d", n / 20), (long) (n % 20)};
            };
        }

        String where(int n) {
            Object[] k = key(n);
            return switch (this) {
                case INT -> "id = " + k[0];
                case TEXT -> "k = '" + k[0] + "'";
                case PAIR -> "a = '" + k[0] + "' AND b = " + k[1];
            };
        }

        /** The range of keys around row n alone, as the verification reports it. */
        String range(int n) {
            return this == INT ? "keys " + key(n)[0] + " differ" : "in 1 range: " + named(n) + ";";
        }

        /** How the verification names the key of row n. */
        String named(int n) {
            Object[] k = key(n);
            return this == PAIR ? "(a, b) = ('" + k[0] + "', " + k[1] + ")" : this == TEXT ? "k = '" + k[0] + "'" : "id = " + k[0];
        }
    }

    private static final List<String> CHANGES = List.of("changed", "inserted", "deleted");

    private static void fill(Connection c, boolean postgres) throws SQLException {
        c.setAutoCommit(false);
        for (KeyKind kind : KeyKind.values()) {
            for (String change : CHANGES) {
                try (Statement s = c.createStatement()) {
                    s.execute(kind.create(change, postgres));
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + kind.table(change) + " VALUES (" + kind.placeholders
                        + ", ?, ?, ?, ?)")) {
                    for (int n = 2; n <= 2 * ROWS; n += 2) {
                        Object[] key = kind.key(n);
                        int i = 1;
                        for (Object k : key) ps.setObject(i++, k);
                        ps.setString(i++, "row " + n + (n % 7 == 0 ? " ünïcödé\ttab" : ""));
                        ps.setLong(i++, n * 31L);
                        ps.setDouble(i++, n / 8.0);
                        ps.setBytes(i, new byte[] {(byte) n, (byte) (n >> 8), 0});
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
        }
        c.commit();
    }

    /** One row in the middle of each table changed, inserted between two keys, or deleted, on the target. */
    private static void change(String targetUrl) throws SQLException {
        try (Connection c = TestPostgres.connect(targetUrl); Statement s = c.createStatement()) {
            for (KeyKind kind : KeyKind.values()) {
                s.execute("UPDATE " + kind.table("changed") + " SET v = 'tampered' WHERE " + kind.where(MIDDLE));
                Object[] key = kind.key(MIDDLE + 1);
                s.execute("INSERT INTO " + kind.table("inserted") + " VALUES (" + (kind == KeyKind.INT ? String.valueOf(key[0])
                        : kind == KeyKind.TEXT ? "'" + key[0] + "'" : "'" + key[0] + "', " + key[1]) + ", 'new', 1, 0.5, NULL)");
                s.execute("DELETE FROM " + kind.table("deleted") + " WHERE " + kind.where(MIDDLE));
            }
        }
    }

    @ParameterizedTest(name = "from {0}")
    @ValueSource(strings = {"SQLite", "PostgreSQL"})
    void oneChangedInsertedOrDeletedRowIsNamedByItsKeyForEveryKeyType(String from) throws Exception {
        String sourceUrl;
        if (from.equals("SQLite")) {
            sourceUrl = "jdbc:sqlite:" + tmp.resolve("source.db");
            try (Connection c = DriverManager.getConnection(sourceUrl)) {
                fill(c, false);
            }
        } else {
            sourceUrl = TestPostgres.newDatabase();
            try (Connection c = TestPostgres.connect(sourceUrl)) {
                fill(c, true);
            }
        }
        String targetUrl = TestPostgres.newDatabase();
        try (Connection c = TestPostgres.connect(targetUrl)) {
            fill(c, true);
        }
        LockstepCli.Result same = new LockstepCli(tmp.resolve("state")).run("run", "src/test/resources/runbooks/db/verify-between.yaml",
                "--no-tui", "-p", "source_url=" + sourceUrl, "-p", "target_url=" + targetUrl);
        assertEquals(0, same.exit(), "the same rows on both sides match: " + same.all());

        change(targetUrl);
        LockstepCli.Result r = new LockstepCli(tmp.resolve("state")).run("run", "src/test/resources/runbooks/db/verify-between.yaml",
                "--no-tui", "--new", "-p", "source_url=" + sourceUrl, "-p", "target_url=" + targetUrl);
        assertEquals(3, r.exit(), r.all());
        String rows = String.valueOf(ROWS);
        String more = String.valueOf(ROWS + 1);
        String fewer = String.valueOf(ROWS - 1);
        for (KeyKind kind : KeyKind.values()) {
            assertVerdict(r.out(), kind.table("changed"), rows, rows, kind, MIDDLE);
            assertVerdict(r.out(), kind.table("inserted"), rows, more, kind, MIDDLE + 1);
            assertVerdict(r.out(), kind.table("deleted"), rows, fewer, kind, MIDDLE);
        }
    }

    /**
     * The hash reads each type its own way (the drivers' bytes, booleans as 1/0, bytea sent binary, decimals made
     * canonical): equal values of every type compare equal from either side, and a change in any one column is caught.
     * Row rNN is changed in its NN-th column on the target, so every column caught is every row counted.
     */
    @ParameterizedTest(name = "from {0}")
    @ValueSource(strings = {"SQLite", "PostgreSQL"})
    void equalValuesOfEveryTypeMatchAndAChangeInAnyColumnIsCaught(String from) throws Exception {
        List<String> changes = List.of("c_int = c_int + 1", "c_text = c_text || '!'", "c_double = c_double * 3", "c_numeric = c_numeric + 0.01",
                "c_bytea = '\\x00'::bytea", "c_bool = NOT c_bool", "c_ts_text = 'x'", "c_ts_num = c_ts_num - 1", "c_varchar = 'other'",
                "c_untyped = 'other'");
        String targetUrl = TestPostgres.newDatabase();
        String sourceUrl;
        if (from.equals("SQLite")) {
            Path db = tmp.resolve("typed.db");
            sourceUrl = "jdbc:sqlite:" + db;
            try (Connection c = DriverManager.getConnection(sourceUrl); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE typed (k TEXT PRIMARY KEY, c_int INTEGER, c_text TEXT, c_double REAL, c_numeric NUMERIC, c_bytea BLOB, "
                        + "c_bool BOOLEAN, c_ts_text DATETIME, c_ts_num TIMESTAMP, c_varchar VARCHAR(10), c_untyped)");
                for (int n = 0; n <= changes.size(); n++) {
                    s.execute(String.format(Locale.ROOT, "INSERT INTO typed VALUES ('r%02d', %d, 'tëxt %d', %d.25, %d.50, x'00ff%02x', %d, "
                            + "'2024-01-02 03:04:%02d', %d, 'v%d', %s)", n, 9007199254740993L - n, n, n, n, n, n % 2, n, 1700000000 + n, n,
                            n % 2 == 0 ? "7" : "'any'"));
                }
                s.execute("INSERT INTO typed VALUES ('r99', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
            }
            LockstepCli.Result copy = new LockstepCli(tmp.resolve("copy")).run("run", "src/test/resources/runbooks/db/copy.yaml", "--no-tui",
                    "-p", "sqlite=" + db, "-p", "pg_url=" + targetUrl, "-p", "create=true");
            assertEquals(0, copy.exit(), copy.all());
        } else {
            sourceUrl = TestPostgres.newDatabase();
            for (String url : List.of(sourceUrl, targetUrl)) {
                try (Connection c = TestPostgres.connect(url); Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE typed (k text PRIMARY KEY, c_int bigint, c_text text, c_double double precision, "
                            + "c_numeric numeric, c_bytea bytea, c_bool boolean, c_ts_text timestamp, c_ts_num integer, c_varchar varchar(10), "
                            + "c_untyped jsonb, c_small smallint, c_char char(3), c_real real, c_date date, c_uuid uuid)");
                    for (int n = 0; n <= changes.size(); n++) {
                        s.execute(String.format(Locale.ROOT, "INSERT INTO typed VALUES ('r%02d', %d, 'tëxt %d', %d.25, %d.50, '\\x00ff%02x', "
                                + "%s, '2024-01-02 03:04:%02d', %d, 'v%d', '{\"n\": %d}', %d, 'c%d', %d.5, '2024-01-%02d', "
                                + "'00000000-0000-0000-0000-0000000000%02d')", n, 9007199254740993L - n, n, n, n, n, n % 2 == 0, n,
                                1700000000 + n, n, n, n, n, n, n + 1, n));
                    }
                    s.execute("INSERT INTO typed (k) VALUES ('r99')");
                }
            }
        }
        LockstepCli.Result same = new LockstepCli(tmp.resolve("state")).run("run", "src/test/resources/runbooks/db/verify-between.yaml",
                "--no-tui", "-p", "source_url=" + sourceUrl, "-p", "target_url=" + targetUrl);
        assertEquals(0, same.exit(), "equal values match: " + same.all());

        try (Connection c = TestPostgres.connect(targetUrl); Statement s = c.createStatement()) {
            for (int n = 1; n <= changes.size(); n++) {
                String change = changes.get(n - 1).replace("c_ts_text = 'x'", from.equals("SQLite") ? "c_ts_text = 'x'"
                        : "c_ts_text = c_ts_text + interval '1 second'").replace("c_untyped = 'other'",
                        from.equals("SQLite") ? "c_untyped = 'other'" : "c_untyped = '{}'");
                s.execute(String.format(Locale.ROOT, "UPDATE typed SET %s WHERE k = 'r%02d'", change, n));
            }
        }
        LockstepCli.Result r = new LockstepCli(tmp.resolve("state")).run("run", "src/test/resources/runbooks/db/verify-between.yaml",
                "--no-tui", "--new", "-p", "source_url=" + sourceUrl, "-p", "target_url=" + targetUrl);
        assertEquals(3, r.exit(), r.all());
        int rows = changes.size() + 2;
        assertTrue(r.out().contains("typed: source " + rows + ", target " + rows + " MISMATCH (checksum: " + changes.size() + " keys differ ("
                + changes.size() + " changed, 0 only in source, 0 only in target) in 1 range: k = 'r01'..'r" + changes.size() + "'; "), r.out());
    }

    @org.junit.jupiter.api.Test
    void aSqliteTableWithoutAPrimaryKeyIsNarrowedByItsRowid() throws Exception {
        String source = "jdbc:sqlite:" + tmp.resolve("a.db");
        String target = "jdbc:sqlite:" + tmp.resolve("b.db");
        for (String url : List.of(source, target)) {
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE log (at INTEGER, line TEXT)");
                s.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + ROWS + ") "
                        + "INSERT INTO log SELECT i, 'line ' || i FROM n");
            }
        }
        try (Connection c = DriverManager.getConnection(target); Statement s = c.createStatement()) {
            s.execute("UPDATE log SET line = 'tampered' WHERE rowid = " + MIDDLE / 2);
        }
        LockstepCli.Result r = new LockstepCli(tmp.resolve("state")).run("run", "src/test/resources/runbooks/db/verify-between.yaml",
                "--no-tui", "-p", "source_url=" + source, "-p", "target_url=" + target);
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.out().contains("log: source " + ROWS + ", target " + ROWS + " MISMATCH (checksum: keys " + MIDDLE / 2
                + " differ; e.g. rowid = " + MIDDLE / 2 + ")"), r.out());
    }

    /**
     * Rowids are no part of a row: two copies of the same rows may number them differently (VACUUM, INSERT … SELECT
     * after deletes), past a chunk of rows too. The table's sum is the verdict; rowids only narrow a difference down.
     */
    @org.junit.jupiter.api.Test
    void sameRowsUnderOtherRowidsMatch() throws Exception {
        String source = "jdbc:sqlite:" + tmp.resolve("a.db");
        String target = "jdbc:sqlite:" + tmp.resolve("b.db");
        int rows = 120_000;
        String fill = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + rows + ") "
                + "INSERT INTO log SELECT i, 'line ' || i FROM n";
        try (Connection c = DriverManager.getConnection(source); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE log (at INTEGER, line TEXT)");
            s.execute("INSERT INTO log VALUES (0, 'gone')");
            s.execute(fill);
            s.execute("DELETE FROM log WHERE at = 0");
        }
        try (Connection c = DriverManager.getConnection(target); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE log (at INTEGER, line TEXT)");
            s.execute(fill);
        }
        LockstepCli.Result r = new LockstepCli(tmp.resolve("state")).run("run", "src/test/resources/runbooks/db/verify-between.yaml",
                "--no-tui", "-p", "source_url=" + source, "-p", "target_url=" + target);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("log: source " + rows + ", target " + rows + " OK"), r.out());
    }

    /** The table's line: a mismatch, the range of differing keys (row n's alone) and row n's key as the example. */
    private static void assertVerdict(String out, String table, String source, String target, KeyKind kind, int n) {
        String line = out.lines().filter(l -> l.contains(table + ": source " + source + ", target " + target + " MISMATCH ("))
                .findFirst().orElseThrow(() -> new AssertionError(table + " has no mismatch line with counts " + source + "/" + target
                        + ":\n" + out));
        assertTrue(line.contains(kind.range(n)), table + " gives the range " + kind.range(n) + ": " + line);
        assertTrue(line.contains("e.g. " + kind.named(n)), table + " gives " + kind.named(n) + " as the example: " + line);
    }
}
