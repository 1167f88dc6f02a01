package dev.lockstep.steps.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.sqlite.SQLiteConfig;

/**
 * A database to read or write: a JDBC URL ({@code jdbc:sqlite:/path/relay.db} or
 * {@code jdbc:postgresql://host:5432/db}), and for PostgreSQL a user and password
 * (give the password from a secret parameter: it is masked everywhere).
 * Written in a runbook as {@code { url: ..., user: ..., password: ... }}.
 */
public record DbEndpoint(String url, String user, String password) {
    private static final Set<String> KEYS = Set.of("url", "user", "password");

    public static DbEndpoint from(Map<String, String> map, String name) {
        if (map == null) return null;
        for (String k : map.keySet()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException(name + ": unknown key '" + k + "': expected url, user, password");
            }
        }
        String url = map.get("url");
        if (url == null || !url.startsWith("jdbc:")) {
            throw new IllegalArgumentException(name + ".url: expected a JDBC URL such as jdbc:sqlite:/path/db or "
                    + "jdbc:postgresql://host:5432/db, got " + (url == null ? "nothing" : "'" + url + "'"));
        }
        return new DbEndpoint(url, map.get("user"), map.get("password"));
    }

    public boolean isSqlite() {
        return url.startsWith("jdbc:sqlite:");
    }

    public boolean isPostgres() {
        return url.startsWith("jdbc:postgresql:");
    }

    /** Opens a connection; a SQLite file opened read-only cannot be changed by anything lockstep does. */
    public Connection open(boolean readOnly) throws SQLException {
        if (isSqlite()) {
            SQLiteConfig config = new SQLiteConfig();
            config.setReadOnly(readOnly);
            config.setBusyTimeout(10_000);
            return DriverManager.getConnection(url, config.toProperties());
        }
        Connection c = DriverManager.getConnection(url, user, password);
        if (readOnly) c.setReadOnly(true);
        return c;
    }

    /**
     * A read-only connection to hash rows on ({@link RowHash}): PostgreSQL sends every value as text except bytea,
     * which comes as its bytes instead of hex to decode, once a statement is server-prepared ({@link Sql#hashedRows}).
     */
    Connection openToHash() throws SQLException {
        if (isSqlite()) return open(true);
        Properties p = new Properties();
        if (user != null) p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        p.setProperty("binaryTransfer", "false");
        p.setProperty("binaryTransferEnable", "BYTEA");
        Connection c = DriverManager.getConnection(url, p);
        c.setReadOnly(true);
        return c;
    }

    /** The endpoint as the plan shows it: no password. */
    public String describe() {
        return url.replaceAll("(?i)(password=)[^&]*", "$1******") + (user != null ? " as " + user : "");
    }
}
