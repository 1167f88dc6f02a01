package dev.lockstep;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL for the whole test run (embedded: its binaries come from Maven
 * Central, nothing to install), started on first use and stopped when the JVM exits.
 * If it cannot start, the tests that need it fail with the reason.
 */
public final class TestPostgres {
    private static EmbeddedPostgres server;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private TestPostgres() {}

    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().start();
            } catch (IOException | RuntimeException e) {
                throw new AssertionError("embedded PostgreSQL could not start: " + e, e);
            }
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException e) {
                    System.err.println("could not stop embedded PostgreSQL: " + e);
                }
            }));
        }
        return server;
    }

    /** A new, empty database; returns its JDBC URL (user postgres, no password). */
    public static String newDatabase() {
        String name = "t" + DATABASES.incrementAndGet();
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new AssertionError("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return "jdbc:postgresql://localhost:" + server().getPort() + "/" + name;
    }

    /** A new, empty database as a lockstep state URL (postgres://…), on the given port (a proxy's, say). */
    public static String newStateUrl(int port) {
        String jdbc = newDatabase();
        return "postgres://postgres@localhost:" + port + jdbc.substring(jdbc.lastIndexOf('/'));
    }

    public static String newStateUrl() {
        return newStateUrl(server().getPort());
    }

    public static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, "postgres", null);
    }
}
