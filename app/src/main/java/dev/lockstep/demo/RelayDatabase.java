package dev.lockstep.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;

/**
 * Generates a SQLite database shaped like the seed's relay: events, event_tags and kv,
 * with deterministic pseudo-random content. One million rows take a few seconds.
 */
public final class RelayDatabase {
    private RelayDatabase() {}

    /** Row counts for a total: 40% events, 58% tags, 2% key-value pairs. */
    public record Shape(int events, int tags, int kv) {
        public static Shape of(int total) {
            int events = Math.max(1, total * 40 / 100);
            int kv = Math.max(1, total * 2 / 100);
            return new Shape(events, Math.max(0, total - events - kv), kv);
        }

        public long total() {
            return (long) events + tags + kv;
        }
    }

    /** The relay's three tables, in a new database written without a journal (it is generated, not kept). */
    public static void createTables(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = OFF");
            s.execute("PRAGMA synchronous = OFF");
            s.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, pubkey TEXT NOT NULL, created_at INTEGER NOT NULL, "
                    + "kind INTEGER NOT NULL, content TEXT NOT NULL, sig BLOB)");
            s.execute("CREATE TABLE event_tags (id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, name TEXT NOT NULL, "
                    + "value TEXT NOT NULL)");
            s.execute("CREATE TABLE kv (key TEXT PRIMARY KEY, value BLOB)");
        }
    }

    public static void generate(Path file, Shape shape) throws SQLException {
        try {
            Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            throw new SQLException("cannot replace " + file + ": " + e.getMessage(), e);
        }
        Random random = new Random(42);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            createTables(c);
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)")) {
                byte[] sig = new byte[32];
                for (int i = 1; i <= shape.events(); i++) {
                    random.nextBytes(sig);
                    ps.setInt(1, i);
                    ps.setString(2, "npub" + Integer.toHexString(random.nextInt(5000)));
                    ps.setLong(3, 1_700_000_000L + i * 7L);
                    ps.setInt(4, random.nextInt(4) == 0 ? 7 : 1);
                    ps.setString(5, "note " + i + " " + Long.toHexString(random.nextLong()));
                    ps.setBytes(6, sig);
                    batch(ps, i);
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_tags VALUES (?, ?, ?, ?)")) {
                for (int i = 1; i <= shape.tags(); i++) {
                    ps.setInt(1, i);
                    ps.setInt(2, 1 + random.nextInt(shape.events()));
                    ps.setString(3, random.nextBoolean() ? "p" : "e");
                    ps.setString(4, Long.toHexString(random.nextLong()));
                    batch(ps, i);
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO kv VALUES (?, ?)")) {
                byte[] value = new byte[16];
                for (int i = 1; i <= shape.kv(); i++) {
                    random.nextBytes(value);
                    ps.setString(1, "setting-" + i);
                    ps.setBytes(2, value);
                    batch(ps, i);
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }

    private static void batch(PreparedStatement ps, int i) throws SQLException {
        ps.addBatch();
        if (i % 10_000 == 0) ps.executeBatch();
    }

    /** What a relay that was not really stopped does: a row disappears and a value changes under the copy. */
    public static void writeBehindTheCopy(Path file) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("DELETE FROM events WHERE id = (SELECT max(id) FROM events)");
            s.execute("UPDATE kv SET value = x'00' WHERE key = 'setting-1'");
        }
    }
}
