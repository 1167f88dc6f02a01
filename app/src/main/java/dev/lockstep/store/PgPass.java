package dev.lockstep.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The password file libpq reads ({@code $PGPASSFILE}, else {@code ~/.pgpass}): lines of
 * {@code host:port:database:user:password}, {@code *} matching anything, {@code \:} and {@code \\}
 * escaping; the first matching line wins.
 */
final class PgPass {
    private PgPass() {}

    static String lookup(Map<String, String> env, String host, int port, String database, String user) {
        Path file = env.containsKey("PGPASSFILE") ? Path.of(env.get("PGPASSFILE"))
                : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".pgpass");
        List<String> lines;
        try {
            if (!Files.isRegularFile(file)) return null;
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) continue;
            List<String> f = fields(line);
            if (f.size() != 5) continue;
            if (matches(f.get(0), host) && matches(f.get(1), String.valueOf(port)) && matches(f.get(2), database)
                    && matches(f.get(3), user)) {
                return f.get(4);
            }
        }
        return null;
    }

    private static boolean matches(String pattern, String value) {
        return pattern.equals("*") || pattern.equals(value);
    }

    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                f.append(line.charAt(++i));
            } else if (c == ':' && out.size() < 4) {
                out.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        out.add(f.toString());
        return out;
    }
}
