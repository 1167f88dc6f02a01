package dev.lockstep.steps.db;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGStatement;

/** What lockstep needs to know about tables on either side: names, columns, primary keys. */
final class Sql {
    private Sql() {}

    /** A column: its name, its declared (SQLite) or actual (PostgreSQL) type, and its place in the primary key (0: none). */
    record Column(String name, String type, int pkPosition) {}

    /** PostgreSQL's NAMEDATALEN - 1: a longer name is cut short silently, and could name another table. */
    private static final int MAX_IDENTIFIER_BYTES = 63;

    /**
     * A name from a runbook's value (db.query's {@code ident(…)}) as SQLite and PostgreSQL both quote an
     * identifier; a name either would not take as written is refused rather than changed.
     */
    static String identifier(String name) {
        if (name.isEmpty()) throw new IllegalArgumentException("an empty name cannot be a table or column name");
        if (name.indexOf('\0') >= 0) throw new IllegalArgumentException("a name with a NUL character cannot be a table or column name");
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
            throw new IllegalArgumentException("the name '" + name + "' is longer than " + MAX_IDENTIFIER_BYTES
                    + " bytes: PostgreSQL cuts names to 63 bytes, so it could name another table");
        }
        return quote(name);
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    static List<String> tables(Connection c, DbEndpoint e) throws SQLException {
        List<String> out = new ArrayList<>();
        String sql = e.isSqlite()
                ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                : "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY tablename";
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    static List<Column> columns(Connection c, DbEndpoint e, String table) throws SQLException {
        List<Column> out = new ArrayList<>();
        if (e.isSqlite()) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA table_info(" + quote(table) + ")")) {
                while (rs.next()) out.add(new Column(rs.getString("name"), rs.getString("type"), rs.getInt("pk")));
            }
            return out;
        }
        DatabaseMetaData md = c.getMetaData();
        List<String> pk = new ArrayList<>();
        try (ResultSet rs = md.getPrimaryKeys(null, null, table)) {
            List<Object[]> keys = new ArrayList<>();
            while (rs.next()) keys.add(new Object[] {rs.getString("COLUMN_NAME"), rs.getInt("KEY_SEQ")});
            keys.sort((a, b) -> Integer.compare((int) a[1], (int) b[1]));
            for (Object[] k : keys) pk.add((String) k[0]);
        }
        try (var ps = c.prepareStatement("SELECT column_name, data_type FROM information_schema.columns "
                + "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    out.add(new Column(name, rs.getString(2), pk.indexOf(name) + 1));
                }
            }
        }
        return out;
    }

    /** The single integer primary-key column, if the table has one: it lets checksums narrow down to key ranges. */
    static Column integerKey(List<Column> columns) {
        List<Column> pk = columns.stream().filter(c -> c.pkPosition() > 0).toList();
        if (pk.size() != 1) return null;
        String t = pk.get(0).type() == null ? "" : pk.get(0).type().toUpperCase();
        return t.contains("INT") ? pk.get(0) : null;
    }

    /**
     * A statement to hash rows with, on a connection from {@link DbEndpoint#openToHash}: server-prepared at once on
     * PostgreSQL, so that its bytea values come as bytes from the first row on (the others stay text).
     */
    static void hashedRows(PreparedStatement ps) throws SQLException {
        if (ps.isWrapperFor(PGStatement.class)) ps.unwrap(PGStatement.class).setPrepareThreshold(-1);
    }

    /** SQLite's own key of a table without a primary key: checksums narrow down by it when both sides are SQLite. */
    static final Column ROWID = new Column("rowid", "INTEGER", 1);

    /** Whether a SQLite table is keyed by its rowid alone: no primary key, and no column that hides the name rowid. */
    static boolean rowidOnly(List<Column> columns) {
        return columns.stream().noneMatch(c -> c.pkPosition() > 0 || c.name().equalsIgnoreCase(ROWID.name()));
    }

    static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + quote(table))) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
