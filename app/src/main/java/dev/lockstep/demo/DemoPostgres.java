package dev.lockstep.demo;

import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.ArchUtils;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The demo's PostgreSQL: embedded (its binaries come with lockstep), its data kept in
 * the demo folder so that an interrupted demo resumes against the same database, on
 * the same loopback port, with the same (generated, secret) password.
 */
public final class DemoPostgres implements AutoCloseable {
    public static final String DATABASE = "zooid";
    public static final String USER = "zooid";

    private final EmbeddedPostgres server;
    private final String password;

    private DemoPostgres(EmbeddedPostgres server, String password) {
        this.server = server;
        this.password = password;
    }

    public static DemoPostgres start(Path dir) throws IOException, SQLException {
        Path portFile = dir.resolve("postgres.port");
        Path passwordFile = dir.resolve("postgres.password");
        int port = Files.exists(portFile) ? Integer.parseInt(Files.readString(portFile).trim()) : freePort();
        String password;
        if (Files.exists(passwordFile)) {
            password = Files.readString(passwordFile).trim();
        } else {
            byte[] b = new byte[12];
            new SecureRandom().nextBytes(b);
            password = HexFormat.of().formatHex(b);
            Files.writeString(passwordFile, password);
            Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        }
        EmbeddedPostgres server;
        try {
            server = EmbeddedPostgres.builder()
                    .setPgBinaryResolver(DemoPostgres::binaries)
                    .setDataDirectory(dir.resolve("postgres"))
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .start();
        } catch (IllegalStateException e) {
            // The library says which of PostgreSQL's programs failed (initdb, pg_ctl), not why: it is not a bug of ours.
            throw new LockstepException(ErrorCode.IO, "the demo's embedded PostgreSQL did not start in " + dir.resolve("postgres")
                    + ": " + e.getMessage());
        }
        Files.writeString(portFile, String.valueOf(port));
        DemoPostgres pg = new DemoPostgres(server, password);
        pg.prepare();
        return pg;
    }

    /**
     * PostgreSQL's binaries for this machine. They ship in lib/demo beside lockstep's jar, off its
     * class path, so that no other command pays for them; a class path that has them (the tests') wins.
     */
    private static InputStream binaries(String system, String hardware) throws IOException {
        String name = "postgres-" + system.toLowerCase(Locale.ROOT) + "-" + ArchUtils.normalize(hardware) + ".txz";
        InputStream onClassPath = DemoPostgres.class.getResourceAsStream("/" + name);
        if (onClassPath != null) return onClassPath;
        Path demoLib = demoLib();
        List<Path> jars;
        try (Stream<Path> files = Files.isDirectory(demoLib) ? Files.list(demoLib) : Stream.empty()) {
            jars = files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
        }
        for (Path jar : jars) {
            JarFile file = new JarFile(jar.toFile());
            JarEntry entry = file.getJarEntry(name);
            if (entry == null) {
                file.close();
                continue;
            }
            return new FilterInputStream(file.getInputStream(entry)) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        file.close();
                    }
                }
            };
        }
        throw new IOException("the demo's PostgreSQL binaries (" + name + ") are not in " + demoLib
                + ": rebuild lockstep (mvn -B package) or unpack its archive again");
    }

    /** lib/demo beside the jar (or the classes folder) lockstep runs from. */
    private static Path demoLib() throws IOException {
        try {
            Path code = Path.of(DemoPostgres.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return code.getParent().resolve("lib").resolve("demo");
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("cannot tell where lockstep is installed: " + e.getMessage(), e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Creates the relay's user and database once. */
    private void prepare() throws SQLException {
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            boolean exists;
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + USER + "'")) {
                exists = rs.next();
            }
            if (!exists) {
                s.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + password + "'");
                s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
            }
        }
    }

    /** Starts the relay's database over, empty: every new demo run copies into a fresh database. */
    public void reset() throws SQLException {
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + server.getPort() + "/" + DATABASE;
    }

    public String password() {
        return password;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
