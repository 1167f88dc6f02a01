import dev.lockstep.demo.RelayDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.Random;

/**
 * What the operator waits for: the whole command, from process start to exit, copying a
 * relay-shaped SQLite database into PostgreSQL, for lockstep (db.copy with
 * {@code verify: false}, and as shipped: verification with checksums inline), pgloader
 * (Debian's package) and the floor ({@code sqlite3 -csv … | psql -c "\copy …"} per table,
 * the three tables at once). All four run interleaved (the order turning each round) into
 * fresh databases on one embedded PostgreSQL, at each size; per round each side is divided by
 * the floor and by pgloader of the same round, and the medians and the spread (min–max over
 * rounds) of those ratios are printed.
 *
 * <p>The data are generated here, not by the demo's generator (whose batches share one
 * byte array: 40 distinct signatures in 400k events, 2 distinct kv values): nostr-shaped
 * events with a distinct 64-byte signature each, 64-hex pubkeys from 20,000 authors (skewed),
 * kinds and content sizes as on a relay (notes of a few words to a few KB, reactions, reposts
 * carrying the reposted event's JSON, encrypted DMs, profiles), tags naming 64-hex event ids
 * and pubkeys or hashtags, kv values of 16 bytes to 2 KB; the tables and their row split
 * are the demo's ({@link RelayDatabase.Shape}: 40% events, 58% tags, 2% kv).
 *
 * <p>{@code verify:rows:rounds} measures verification alone, on one copy made beforehand: lockstep's
 * whole {@code db.verify} command with checksums against the digest reference, a full read of both
 * sides hashed in the databases ({@code sqlite3}'s {@code sha3_query} and PostgreSQL's
 * {@code md5(string_agg(t::text, ''))}, every table of both sides at once), interleaved; it prints the
 * wall and CPU ratios with their spread. CPU there counts the PostgreSQL server's too (its backends' time, as the
 * postmaster reaps them): the reference does its hashing there.
 *
 * <p>Run: java -cp "target/lockstep.jar:target/lib/*:target/lib/demo/*" bench/CopyBench.java [[verify:]rows:rounds ...]
 * (default 1000000:3 5000000:1). Needs pgloader, psql, sqlite3 and GNU time (apt-get install
 * pgloader postgresql-client sqlite3 time).
 */
public class CopyBench {
    static final List<String> TABLES = List.of("events", "event_tags", "kv");
    static final Map<String, String> FLOOR_SELECT = Map.of(
            "events", "SELECT id, pubkey, created_at, kind, content, '\\x' || hex(sig) FROM events",
            "event_tags", "SELECT id, event_id, name, value FROM event_tags",
            "kv", "SELECT key, '\\x' || hex(value) FROM kv");
    static final List<String> SIDES = List.of("lockstep (verify: false)", "lockstep (as shipped)", "pgloader", "floor");
    static final String BOOK = """
                    lockstep: 1
                    name: copy-bench
                    params:
                      sqlite: {}
                      pg_url: {}
                    steps:
                      - id: copy
                        uses: db.copy
                        with:
                          source: { url: "jdbc:sqlite:${{ params.sqlite }}" }
                          target: { url: "${{ params.pg_url }}", user: postgres }
                    %s
                    """;
    static final String VERIFY_BOOK = """
                    lockstep: 1
                    name: verify-bench
                    params:
                      sqlite: {}
                      pg_url: {}
                    steps:
                      - id: verify
                        uses: db.verify
                        with:
                          source: { url: "jdbc:sqlite:${{ params.sqlite }}" }
                          target: { url: "${{ params.pg_url }}", user: postgres }
                          checksum: %s
                    """;
    /** Checksums against the digest reference; counts only against count(*) of every table of both sides at once. */
    static final List<String> VERIFY_SIDES = List.of("lockstep db.verify", "digest reference", "lockstep counts only",
            "count reference");

    public static void main(String[] args) throws Exception {
        List<String> plan = args.length > 0 ? List.of(args) : List.of("1000000:3", "5000000:1");
        for (String tool : List.of("pgloader", "psql", "sqlite3", "/usr/bin/time")) {
            if (run(List.of("sh", "-c", "command -v " + tool)).exit != 0) {
                throw new IllegalStateException(tool + " is needed: apt-get install pgloader postgresql-client sqlite3 time");
            }
        }
        Path dir = Files.createTempDirectory("copy-bench");
        Path fast = dir.resolve("fast.yaml");
        Path shipped = dir.resolve("shipped.yaml");
        Files.writeString(fast, BOOK.formatted("      verify: false"));
        Files.writeString(shipped, BOOK.formatted(""));
        // The launcher makes its class-data archive on first use: not part of any copy.
        run(List.of("dist/lockstep", "--version"));
        String schema = Files.readString(Path.of("runbooks/demo-cutover/migrations/V1__relay_schema.sql"));
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            int port = pg.getPort();
            for (String step : plan) {
                if (step.startsWith("verify:")) {
                    benchVerify(dir, pg, schema, fast, step.substring("verify:".length()));
                    continue;
                }
                int rows = Integer.parseInt(step.split(":")[0]);
                int rounds = step.contains(":") ? Integer.parseInt(step.split(":")[1]) : 3;
                Path db = dir.resolve("relay-" + rows + ".db");
                long t0 = System.nanoTime();
                generate(db, RelayDatabase.Shape.of(rows));
                System.out.printf("%nrelay-shaped SQLite, realistic values: %,d rows, %.0f MB, generated in %.1fs; %d round(s)%n",
                        rows, Files.size(db) / 1e6, (System.nanoTime() - t0) / 1e9, rounds);
                System.out.println(distinct(db));
                // Generous: a whole command that takes this long is hung (thirty seconds a million rows, a minute at least).
                double limit = Math.max(60, 30.0 * rows / 1e6);
                Map<String, List<Timing>> times = new LinkedHashMap<>();
                for (String side : SIDES) times.put(side, new ArrayList<>());
                for (int round = 0; round < rounds; round++) {
                    for (int k = 0; k < SIDES.size(); k++) {
                        String side = SIDES.get((k + round) % SIDES.size());
                        String name = "bench_" + side.replaceAll("[^a-z]", "") + "_" + round;
                        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                            s.execute("CREATE DATABASE " + name);
                        }
                        if (!side.equals("pgloader")) {
                            try (Connection c = DriverManager.getConnection(url(port, name), "postgres", null);
                                 Statement s = c.createStatement()) {
                                s.execute(schema);
                            }
                        }
                        Timing t = switch (side) {
                            case "pgloader" -> timed(dir, List.of("pgloader", "sqlite://" + db,
                                    "postgresql://postgres@127.0.0.1:" + port + "/" + name), limit);
                            case "floor" -> timed(dir, List.of("bash", "-c", floor(db, port, name)), limit);
                            default -> timed(dir, List.of("dist/lockstep", "run",
                                    (side.contains("false") ? fast : shipped).toString(), "--no-tui", "--new",
                                    "--state-dir", dir.resolve("state-" + name).toString(), "-p", "sqlite=" + db,
                                    "-p", "pg_url=" + url(port, name)), limit);
                        };
                        if (t != null) check(port, name, rows, side);
                        times.get(side).add(t);
                        if (t != null) System.out.printf("  round %d %-26s %7.2fs wall, %6.2fs CPU, %5d MB max RSS%s%n", round + 1, side,
                                t.wall, t.cpu, t.rssKb / 1024, Double.isNaN(t.selfReported) ? ""
                                        : String.format(" (db.copy says %.2fs)", t.selfReported));
                        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                            s.execute("DROP DATABASE " + name);
                        }
                    }
                }
                report(rows, Files.size(db) / 1e6, times);
                Files.delete(db);
            }
        }
    }

    /** Verification alone: one copy, then lockstep's db.verify and the digest reference in turns on it. */
    static void benchVerify(Path dir, EmbeddedPostgres pg, String schema, Path copyBook, String step) throws Exception {
        int rows = Integer.parseInt(step.split(":")[0]);
        int rounds = step.contains(":") ? Integer.parseInt(step.split(":")[1]) : 3;
        int port = pg.getPort();
        Path db = dir.resolve("relay-" + rows + ".db");
        generate(db, RelayDatabase.Shape.of(rows));
        Path book = dir.resolve("verify.yaml");
        Files.writeString(book, VERIFY_BOOK.formatted("true"));
        Path counts = dir.resolve("counts.yaml");
        Files.writeString(counts, VERIFY_BOOK.formatted("false"));
        String name = "bench_verify";
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        try (Connection c = DriverManager.getConnection(url(port, name), "postgres", null); Statement s = c.createStatement()) {
            s.execute(schema);
        }
        double limit = Math.max(120, 60.0 * rows / 1e6);
        Timing copy = timed(dir, List.of("dist/lockstep", "run", copyBook.toString(), "--no-tui", "--new", "--state-dir",
                dir.resolve("state-copy").toString(), "-p", "sqlite=" + db, "-p", "pg_url=" + url(port, name)), limit);
        check(port, name, rows, "the copy to verify");
        System.out.printf("the copy (verify: false) %.2fs wall, %.2fs CPU, %d MB max RSS%n", copy.wall, copy.cpu, copy.rssKb / 1024);
        System.out.printf("%nverification of %,d rows (%.0f MB of SQLite), %d round(s); load %s%n", rows, Files.size(db) / 1e6,
                rounds, Files.readString(Path.of("/proc/loadavg")).trim());
        Map<String, List<Timing>> times = new LinkedHashMap<>();
        for (String side : VERIFY_SIDES) times.put(side, new ArrayList<>());
        long postmaster = postmaster(port, name);
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < VERIFY_SIDES.size(); k++) {
                String side = VERIFY_SIDES.get((k + round) % VERIFY_SIDES.size());
                double serverBefore = serverCpu(postmaster);
                Path runbook = side.contains("counts") ? counts : book;
                Timing t = side.startsWith("lockstep")
                        ? timed(dir, List.of("dist/lockstep", "run", runbook.toString(), "--no-tui", "--new", "--state-dir",
                                dir.resolve("state-verify-" + round).toString(), "-p", "sqlite=" + db, "-p", "pg_url=" + url(port, name)), limit)
                        : timed(dir, List.of("bash", "-c", side.startsWith("count") ? counts(db, port, name) : digests(db, port, name)),
                                limit);
                Thread.sleep(300); // the postmaster reaps the last backends
                double server = serverCpu(postmaster) - serverBefore;
                times.get(side).add(new Timing(t.wall, t.cpu + server, t.rssKb, t.selfReported));
                System.out.printf("  round %d %-21s %7.2fs wall, %6.2fs CPU (%.2fs of it PostgreSQL's), %5d MB max RSS%n", round + 1, side,
                        t.wall, t.cpu + server, server, t.rssKb / 1024);
            }
        }
        for (int pair = 0; pair < VERIFY_SIDES.size(); pair += 2) {
            List<Timing> ours = times.get(VERIFY_SIDES.get(pair));
            List<Timing> reference = times.get(VERIFY_SIDES.get(pair + 1));
            for (String what : List.of("wall", "CPU")) {
                List<Double> ratios = new ArrayList<>();
                for (int i = 0; i < rounds; i++) {
                    ratios.add(what.equals("wall") ? ours.get(i).wall / reference.get(i).wall : ours.get(i).cpu / reference.get(i).cpu);
                }
                ratios.sort(null);
                System.out.printf("%-20s / %-16s %-4s %5.2fx  (spread %.2f-%.2f over %d round(s))%n", VERIFY_SIDES.get(pair),
                        VERIFY_SIDES.get(pair + 1), what, median(ratios), ratios.get(0), ratios.get(ratios.size() - 1), ratios.size());
            }
        }
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE " + name);
        }
        Files.delete(db);
    }

    /** The PostgreSQL server's process: the parent of a backend. */
    static long postmaster(int port, String name) throws Exception {
        try (Connection c = DriverManager.getConnection(url(port, name), "postgres", null); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return ProcessHandle.of(rs.getLong(1)).orElseThrow().parent().orElseThrow().pid();
        }
    }

    /** CPU seconds of the server and of the backends it has reaped (utime, stime, cutime, cstime in /proc/PID/stat). */
    static double serverCpu(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0;
    }

    /** Every table of both sides read in full and hashed in its database, all at once. */
    static String digests(Path db, int port, String name) {
        return bothSidesAtOnce(db, port, name, t -> "SELECT hex(sha3_query('SELECT * FROM " + t + "'))",
                t -> "SELECT md5(string_agg(t::text, '')) FROM " + t + " t");
    }

    /** count(*) of every table of both sides, all at once. */
    static String counts(Path db, int port, String name) {
        return bothSidesAtOnce(db, port, name, t -> "SELECT count(*) FROM " + t, t -> "SELECT count(*) FROM " + t);
    }

    /** A shell script running a query on each table of both sides, sqlite3 and psql all at once; fails if one does. */
    static String bothSidesAtOnce(Path db, int port, String name, UnaryOperator<String> sqlite, UnaryOperator<String> postgres) {
        StringBuilder sh = new StringBuilder();
        for (String t : TABLES) {
            sh.append("sqlite3 '").append(db).append("' \"").append(sqlite.apply(t)).append("\" >/dev/null & p=\"$p $!\"; ");
            sh.append("psql -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p ").append(port).append(" -U postgres -d ").append(name)
                    .append(" -c \"").append(postgres.apply(t)).append("\" >/dev/null & p=\"$p $!\"; ");
        }
        return "set -o pipefail; " + sh + "s=0; for j in $p; do wait $j || s=1; done; exit $s";
    }

    static void report(int rows, double mb, Map<String, List<Timing>> times) {
        System.out.printf("%n%-28s %10s %12s %8s %10s%n", "whole command (median)", "seconds", "rows/s", "MB/s", "CPU s");
        for (var e : times.entrySet()) {
            List<Timing> done = e.getValue().stream().filter(t -> t != null).toList();
            long hung = e.getValue().size() - done.size();
            if (done.isEmpty()) {
                System.out.printf("%-28s hung in every round%n", e.getKey());
                continue;
            }
            double wall = median(done.stream().map(t -> t.wall).toList());
            System.out.printf("%-28s %10.2f %,12.0f %8.1f %10.2f%s%n", e.getKey(), wall, rows / wall, mb / wall,
                    median(done.stream().map(t -> t.cpu).toList()), hung == 0 ? "" : "  (hung in " + hung + " round(s), left out)");
        }
        for (String side : SIDES) {
            if (!side.startsWith("lockstep")) continue;
            List<Timing> ts = times.get(side).stream().filter(t -> t != null).toList();
            if (ts.isEmpty()) continue;
            System.out.printf("%-28s db.copy's own copy time %.2fs (median); the rest of the command (JVM start, "
                    + "connecting, reading the schema%s) %.2fs%n", side, median(ts.stream().map(t -> t.selfReported).toList()),
                    side.contains("false") ? "" : ", verifying", median(ts.stream().map(t -> t.wall - t.selfReported).toList()));
        }
        for (String base : List.of("floor", "pgloader")) {
            for (String side : SIDES) {
                if (side.equals(base) || (base.equals("pgloader") && side.equals("floor"))) continue;
                List<Double> ratios = new ArrayList<>();
                for (int i = 0; i < times.get(side).size(); i++) {
                    Timing a = times.get(side).get(i);
                    Timing b = times.get(base).get(i);
                    if (a != null && b != null) ratios.add(a.wall / b.wall);
                }
                if (ratios.isEmpty()) continue;
                ratios.sort(null);
                System.out.printf("%-26s / %-9s %5.2fx  (spread %.2f-%.2f over %d round(s))%n", side, base, median(ratios),
                        ratios.get(0), ratios.get(ratios.size() - 1), ratios.size());
            }
        }
    }

    /** Every table holds the source's rows: a side that copies less is not faster. */
    static void check(int port, String name, int rows, String side) throws Exception {
        long n = 0;
        try (Connection c = DriverManager.getConnection(url(port, name), "postgres", null); Statement s = c.createStatement()) {
            for (String t : TABLES) {
                try (var rs = s.executeQuery("SELECT count(*) FROM " + t)) {
                    rs.next();
                    n += rs.getLong(1);
                }
            }
        }
        if (n != RelayDatabase.Shape.of(rows).total()) throw new IllegalStateException(side + " copied " + n + " rows of " + rows);
    }

    static String floor(Path db, int port, String name) {
        StringBuilder sh = new StringBuilder();
        for (String t : TABLES) {
            sh.append("sqlite3 -csv '").append(db).append("' \"").append(FLOOR_SELECT.get(t).replace("\\", "\\\\"))
                    .append("\" | psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p ").append(port).append(" -U postgres -d ")
                    .append(name).append(" -c '\\copy ").append(t).append(" FROM STDIN WITH (FORMAT csv)' & p=\"$p $!\"; ");
        }
        // Each pipeline's status: wait for each job, fail if any did.
        return "set -o pipefail; " + sh + "s=0; for j in $p; do wait $j || s=1; done; exit $s";
    }

    /** selfReported: the copy's own time as db.copy prints it (lockstep only, else NaN). */
    record Timing(double wall, double cpu, long rssKb, double selfReported) {}

    /**
     * Process start to exit, measured here; CPU (user + system of the command and its children) and max RSS from GNU
     * time. A command still running after {@code limit} seconds is killed with its children and yields null: pgloader
     * sometimes stops with every COPY idle (seen at 5M rows, once in two), and one hang should not lose the run.
     */
    static Timing timed(Path dir, List<String> cmd, double limit) throws Exception {
        Path out = dir.resolve("time.txt");
        Path log = dir.resolve("out.txt");
        List<String> full = new ArrayList<>(List.of("/usr/bin/time", "-o", out.toString(), "-f", "%U %S %M"));
        full.addAll(cmd);
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor((long) (limit * 1000), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
            System.out.printf("  (%s still running after %.0fs: killed)%n", cmd.get(0), limit);
            return null;
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        String text = Files.readString(log, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + text);
        List<String> lines = Files.readAllLines(out);
        String[] f = lines.get(lines.size() - 1).trim().split(" ");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("copied [\\d,]+ rows in \\d+ tables in ([\\d.]+)s").matcher(text);
        return new Timing(wall, Double.parseDouble(f[0]) + Double.parseDouble(f[1]), Long.parseLong(f[2]),
                m.find() ? Double.parseDouble(m.group(1)) : Double.NaN);
    }

    static String distinct(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT (SELECT count(DISTINCT sig) FROM events), (SELECT count(DISTINCT pubkey) FROM events), "
                     + "(SELECT avg(length(content)) FROM events), (SELECT max(length(content)) FROM events), "
                     + "(SELECT count(DISTINCT value) FROM kv), (SELECT avg(length(value)) FROM kv)")) {
            rs.next();
            return String.format("distinct: %,d signatures, %,d pubkeys, %,d kv values; content %.0f bytes on average "
                    + "(at most %,d), kv values %.0f bytes", rs.getLong(1), rs.getLong(2), rs.getLong(5), rs.getDouble(3),
                    rs.getLong(4), rs.getDouble(6));
        }
    }

    // ---- the generator: the demo's tables, with values shaped like a relay's ----

    static final String[] WORDS = new String[4096];

    static void generate(Path file, RelayDatabase.Shape shape) throws Exception {
        Files.deleteIfExists(file);
        Random random = new Random(7);
        for (int i = 0; i < WORDS.length; i++) {
            // Word lengths 1..10, a Zipf-ish draw later: text compresses like text, not like noise or one repeated string.
            char[] w = new char[1 + random.nextInt(3) + random.nextInt(4) + random.nextInt(4)];
            for (int j = 0; j < w.length; j++) w[j] = (char) ('a' + random.nextInt(26));
            WORDS[i] = new String(w);
        }
        HexFormat hex = HexFormat.of();
        String[] authors = new String[20_000];
        for (int i = 0; i < authors.length; i++) authors[i] = hex.formatHex(bytes(random, 32));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            RelayDatabase.createTables(c);
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)")) {
                long at = 1_700_000_000L;
                for (int i = 1; i <= shape.events(); i++) {
                    at += random.nextInt(3);
                    int kind = kind(random);
                    ps.setInt(1, i);
                    ps.setString(2, authors[skewed(random, authors.length)]);
                    ps.setLong(3, at);
                    ps.setInt(4, kind);
                    ps.setString(5, content(random, kind, authors, hex));
                    ps.setBytes(6, bytes(random, 64)); // a fresh array per row: a BIP-340 signature
                    batch(ps, i);
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO event_tags VALUES (?, ?, ?, ?)")) {
                for (int i = 1; i <= shape.tags(); i++) {
                    int r = random.nextInt(100);
                    ps.setInt(1, i);
                    ps.setInt(2, 1 + random.nextInt(shape.events()));
                    ps.setString(3, r < 45 ? "e" : r < 90 ? "p" : "t");
                    ps.setString(4, r < 45 ? hex.formatHex(bytes(random, 32)) : r < 90 ? authors[skewed(random, authors.length)]
                            : WORDS[skewed(random, WORDS.length)]);
                    batch(ps, i);
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO kv VALUES (?, ?)")) {
                for (int i = 1; i <= shape.kv(); i++) {
                    ps.setString(1, (random.nextBoolean() ? "negentropy:" : "sub:") + hex.formatHex(bytes(random, 16)));
                    ps.setBytes(2, bytes(random, (int) Math.min(2048, 16 + Math.exp(4 + random.nextGaussian()))));
                    batch(ps, i);
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }

    /** Kinds as on a public relay: notes, reactions, reposts, DMs, profiles, contact lists. */
    static int kind(Random random) {
        int r = random.nextInt(100);
        return r < 50 ? 1 : r < 75 ? 7 : r < 83 ? 6 : r < 93 ? 4 : r < 97 ? 0 : 3;
    }

    static String content(Random random, int kind, String[] authors, HexFormat hex) {
        return switch (kind) {
            case 7 -> random.nextInt(5) == 0 ? "🤙" : "+";
            case 4 -> java.util.Base64.getEncoder().encodeToString(bytes(random, 32 + (int) Math.exp(4.5 + random.nextGaussian() * 0.7)))
                    + "?iv=" + java.util.Base64.getEncoder().encodeToString(bytes(random, 16));
            case 6 -> "{\"id\":\"" + hex.formatHex(bytes(random, 32)) + "\",\"pubkey\":\"" + authors[skewed(random, authors.length)]
                    + "\",\"created_at\":" + (1_690_000_000 + random.nextInt(10_000_000)) + ",\"kind\":1,\"tags\":[],\"content\":\""
                    + words(random, 20) + "\",\"sig\":\"" + hex.formatHex(bytes(random, 64)) + "\"}";
            case 0 -> "{\"name\":\"" + words(random, 1) + "\",\"about\":\"" + words(random, 25) + "\",\"picture\":\"https://"
                    + words(random, 1) + ".example/" + hex.formatHex(bytes(random, 16)) + ".jpg\",\"nip05\":\"" + words(random, 1)
                    + "@" + words(random, 1) + ".example\"}";
            case 3 -> "";
            // A note: log-normal in words, median about 18 words (~110 bytes), a few of several KB.
            default -> words(random, (int) Math.min(1500, Math.exp(2.9 + random.nextGaussian())));
        };
    }

    static String words(Random random, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.max(1, n); i++) {
            if (i > 0) b.append(random.nextInt(12) == 0 ? ". " : " ");
            b.append(WORDS[skewed(random, WORDS.length)]);
        }
        return b.toString();
    }

    /** Index into n with a heavy head: a few authors (words) are most of the rows, as on a relay. */
    static int skewed(Random random, int n) {
        double u = random.nextDouble();
        return (int) (n * u * u * u);
    }

    static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    static void batch(PreparedStatement ps, int i) throws Exception {
        ps.addBatch();
        if (i % 10_000 == 0) ps.executeBatch();
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static String url(int port, String db) {
        return "jdbc:postgresql://localhost:" + port + "/" + db;
    }

    record Result(int exit, String out) {}

    static Result run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }
}
