package dev.lockstep.store;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A PostgreSQL database as a URL names it: host, port and database name, so two spellings of one can be compared. */
public record DatabaseAddress(String host, int port, String database) {
    private static final Pattern URL = Pattern.compile(
            "(?:jdbc:postgresql|postgres(?:ql)?)://(?:[^@/?#]*@)?(\\[[^\\]]+\\]|[^:/?#,]*)(?::(\\d+))?/([^?#/]+)");

    /** The address in a JDBC or postgres:// URL, if it names a database. */
    public static Optional<DatabaseAddress> in(String text) {
        Matcher m = URL.matcher(text);
        if (!m.find()) return Optional.empty();
        String host = m.group(1).isEmpty() ? "localhost" : m.group(1);
        return Optional.of(new DatabaseAddress(host, m.group(2) == null ? 5432 : Integer.parseInt(m.group(2)), m.group(3)));
    }

    /** Whether both name one database; loopback names count as one host. */
    public boolean sameAs(DatabaseAddress other) {
        return port == other.port && database.equals(other.database) && canonical(host).equals(canonical(other.host));
    }

    private static String canonical(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("127.0.0.1") || h.equals("::1") || h.equals("[::1]") ? "localhost" : h;
    }

    @Override
    public String toString() {
        return host + ":" + port + "/" + database;
    }
}
