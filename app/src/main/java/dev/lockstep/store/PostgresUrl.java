package dev.lockstep.store;

import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.UserFiles;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * A shared store's address, {@code postgres://[USER[:PASSWORD]@][HOST][:PORT][/DATABASE][?schema=S&sslmode=M…]},
 * with what it leaves out taken as psql does: {@code $PGHOST}, {@code $PGPORT}, {@code $PGDATABASE},
 * {@code $PGUSER}; the password from {@code $PGPASSWORD}, a file named by {@code $LOCKSTEP_STATE_PASSWORD_FILE}
 * (a mounted secret), or {@code ~/.pgpass} ({@code $PGPASSFILE}). The password is never part of
 * {@link #describe()}, which is the only form lockstep prints.
 */
public record PostgresUrl(String host, int port, String database, String user, String password, String schema,
                          Map<String, String> ssl) {
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final List<String> SSL_KEYS = List.of("sslmode", "sslrootcert", "sslcert", "sslkey");

    public static boolean isPostgres(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        return t.startsWith("postgres://") || t.startsWith("postgresql://");
    }

    /** Reads a URL; a mistake in it is a usage error that never repeats the password. */
    public static PostgresUrl parse(String text, Map<String, String> env) {
        URI uri;
        try {
            // "postgres://" alone, as psql takes it (everything from the PG variables), is not a URI to Java.
            uri = new URI(text.endsWith("://") ? text + "/" : text);
        } catch (URISyntaxException e) {
            throw bad("it is not a URL (" + e.getReason() + ")");
        }
        if (uri.getRawFragment() != null) throw bad("it has a #fragment");
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String info = uri.getRawUserInfo();
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            if (colon >= 0) password = decode(info.substring(colon + 1));
        }
        String host = uri.getHost() != null ? uri.getHost() : env.getOrDefault("PGHOST", "localhost");
        if (uri.getHost() == null && uri.getRawAuthority() != null && !uri.getRawAuthority().endsWith("@")
                && !uri.getRawAuthority().isEmpty() && uri.getPort() < 0) {
            throw bad("its host cannot be read");
        }
        int port;
        try {
            port = uri.getPort() >= 0 ? uri.getPort() : Integer.parseInt(env.getOrDefault("PGPORT", "5432"));
        } catch (NumberFormatException e) {
            throw bad("$PGPORT is not a number");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.startsWith("/")) path = path.substring(1);
        if (path.contains("/")) throw bad("its path must be just the database name");
        if (user == null || user.isEmpty()) user = env.getOrDefault("PGUSER", System.getProperty("user.name", "postgres"));
        String database = !path.isEmpty() ? decode(path) : env.getOrDefault("PGDATABASE", user);
        String schema = "lockstep";
        Map<String, String> ssl = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (key.equals("schema")) {
                    if (!SCHEMA.matcher(value).matches()) {
                        throw bad("schema '" + value + "': expected lower-case letters, digits and _ (at most 63)");
                    }
                    schema = value;
                } else if (SSL_KEYS.contains(key)) {
                    ssl.put(key, value);
                } else {
                    throw bad("unknown parameter '" + key + "' (known: schema, " + String.join(", ", SSL_KEYS) + ")");
                }
            }
        }
        if (password == null) password = env.get("PGPASSWORD");
        if (password == null) password = passwordFile(env);
        if (password == null) password = PgPass.lookup(env, host, port, database, user);
        return new PostgresUrl(host, port, database, user, password, schema, Map.copyOf(ssl));
    }

    private static String passwordFile(Map<String, String> env) {
        String file = env.get("LOCKSTEP_STATE_PASSWORD_FILE");
        if (file == null) return null;
        try {
            return UserFiles.readString(Path.of(file), 64 * 1024).strip();
        } catch (NoSuchFileException e) {
            throw new LockstepException(ErrorCode.USAGE, "$LOCKSTEP_STATE_PASSWORD_FILE names " + file + ", which does not exist");
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot read $LOCKSTEP_STATE_PASSWORD_FILE " + file + ": " + UserFiles.reason(e));
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static LockstepException bad(String why) {
        return new LockstepException(ErrorCode.USAGE, "the state URL is not usable: " + why
                + "; expected postgres://[USER@]HOST[:PORT]/DATABASE[?schema=NAME] (the password from $PGPASSWORD, "
                + "$LOCKSTEP_STATE_PASSWORD_FILE or ~/.pgpass)");
    }

    /** The store as lockstep prints it: never with the password. */
    public String describe() {
        return "postgres://" + user + "@" + hostPart() + ":" + port + "/" + database
                + (schema.equals("lockstep") ? "" : "?schema=" + schema);
    }

    private String hostPart() {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + hostPart() + ":" + port + "/"
                + java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Connection properties. Timeouts keep a dead network from hanging a driver: a statement waits at
     * most {@code socketTimeout}, so a driver that cannot reach the store fails its append and stops.
     */
    public Properties properties(String applicationName, int socketTimeoutSeconds) {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        p.setProperty("ApplicationName", applicationName);
        p.setProperty("connectTimeout", "10");
        p.setProperty("socketTimeout", String.valueOf(socketTimeoutSeconds));
        p.setProperty("tcpKeepAlive", "true");
        ssl.forEach(p::setProperty);
        return p;
    }

    public DatabaseAddress address() {
        return new DatabaseAddress(host, port, database);
    }

    @Override
    public String toString() {
        return describe();
    }
}
