import dev.lockstep.demo.RelayDatabase;
import dev.lockstep.spi.Settings;
import dev.lockstep.spi.StepContext;
import dev.lockstep.steps.db.DbVerifyStep;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * db.copy and db.verify on a relay-shaped SQLite database (1 million rows by default),
 * against an embedded PostgreSQL, beside two baselines run in the same invocation on
 * the same file and server: pgloader (Debian's package) and psql \copy of CSV files
 * exported beforehand (the floor; the three tables at once). lockstep runs as users run
 * it, through dist/lockstep, with LOCKSTEP_JAVA_OPTS=-Xmx512m. Copies are repeated
 * ROUNDS times into fresh databases; medians.
 *
 * Run: java -cp "target/lockstep.jar:target/lib/*" bench/DbBench.java [rows]
 */
public class DbBench {
    static final List<String> TABLES = List.of("events", "event_tags", "kv");
    static final int ROUNDS = 3;
    static final String BOOK = """
                    lockstep: 1
                    name: db-bench
                    params:
                      sqlite: {}
                      pg_url: {}
                    steps:
                      - id: copy
                        uses: db.copy
                        with:
                          source: { url: "jdbc:sqlite:${{ params.sqlite }}" }
                          target: { url: "${{ params.pg_url }}", user: postgres }
                          verify: false
                      - id: counts
                        uses: db.verify
                        with:
                          source: { url: "jdbc:sqlite:${{ params.sqlite }}" }
                          target: { url: "${{ params.pg_url }}", user: postgres }
                      - id: checksums
                        uses: db.verify
                        with:
                          source: { url: "jdbc:sqlite:${{ params.sqlite }}" }
                          target: { url: "${{ params.pg_url }}", user: postgres }
                          checksum: true
                    """;

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        for (String tool : List.of("pgloader", "psql", "/usr/bin/time")) {
            if (run(List.of("sh", "-c", "command -v " + tool)).exit != 0) {
                throw new IllegalStateException(tool + " is needed: apt-get install pgloader postgresql-client time");
            }
        }
        Path dir = Files.createTempDirectory("db-bench");
        Path db = dir.resolve("relay.db");
        long t0 = System.nanoTime();
        RelayDatabase.generate(db, RelayDatabase.Shape.of(rows));
        double genSeconds = (System.nanoTime() - t0) / 1e9;
        double mb = Files.size(db) / 1e6;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            int port = pg.getPort();
            String schema = Files.readString(Path.of("runbooks/demo-cutover/migrations/V1__relay_schema.sql"));
            List<Path> csvs = new ArrayList<>();
            try (Connection s = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                for (String t : TABLES) csvs.add(exportCsv(s, t, dir.resolve(t + ".csv")));
            }
            Path book = dir.resolve("bench.yaml");
            Files.writeString(book, BOOK);
            List<Double> floor = new ArrayList<>();
            List<Double> pgloader = new ArrayList<>();
            List<Double> copy = new ArrayList<>();
            double countSeconds = 0;
            double checksumSeconds = 0;
            long maxRssKb = 0;
            String last = null;
            for (int round = 1; round <= ROUNDS; round++) {
                for (String name : List.of("lockstep", "pgloader", "floor")) {
                    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                        s.execute("CREATE DATABASE " + name + round);
                    }
                }
                for (String name : List.of("lockstep", "floor")) {
                    try (Connection c = DriverManager.getConnection(url(port, name + round), "postgres", null);
                         Statement s = c.createStatement()) {
                        s.execute(schema);
                    }
                }
                t0 = System.nanoTime();
                List<Process> copies = new ArrayList<>();
                for (int i = 0; i < TABLES.size(); i++) {
                    copies.add(new ProcessBuilder("psql", "-q", "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", "postgres",
                            "-d", "floor" + round, "-c", "\\copy " + TABLES.get(i) + " FROM '" + csvs.get(i) + "' WITH (FORMAT csv)")
                            .redirectErrorStream(true).start());
                }
                for (Process p : copies) {
                    if (p.waitFor() != 0) throw new IllegalStateException("psql failed: " + new String(p.getInputStream().readAllBytes()));
                }
                floor.add((System.nanoTime() - t0) / 1e9);

                t0 = System.nanoTime();
                Result pl = run(List.of("pgloader", "sqlite://" + db, "postgresql://postgres@127.0.0.1:" + port + "/pgloader" + round));
                pgloader.add((System.nanoTime() - t0) / 1e9);
                if (pl.exit != 0) throw new IllegalStateException("pgloader failed:\n" + pl.out);

                Result ls = run(List.of("/usr/bin/time", "-v", "env", "LOCKSTEP_JAVA_OPTS=-Xmx512m", "dist/lockstep", "run", book.toString(),
                        "--no-tui", "--new", "--state-dir", dir.resolve("state").toString(), "-p", "sqlite=" + db,
                        "-p", "pg_url=" + url(port, "lockstep" + round)));
                if (ls.exit != 0) throw new IllegalStateException("lockstep failed:\n" + ls.out);
                copy.add(Double.parseDouble(find(ls.out, "copied [\\d,]+ rows in 3 tables in ([\\d.]+)s")));
                countSeconds = stepSeconds(ls.out, "counts");
                checksumSeconds = stepSeconds(ls.out, "checksums");
                maxRssKb = Math.max(maxRssKb, Long.parseLong(find(ls.out, "Maximum resident set size \\(kbytes\\): (\\d+)")));
                last = url(port, "lockstep" + round);
            }
            double floorSeconds = median(floor);
            double pgloaderSeconds = median(pgloader);
            double copySeconds = median(copy);
            double sqliteCount = timeCounts("jdbc:sqlite:" + db, null);
            double pgCount = timeCounts(last, "postgres");
            double warmVerify = warmVerify(db, last);

            System.out.printf("relay-shaped SQLite: %,d rows, %.1f MB, generated in %.1fs%n%n", rows, mb, genSeconds);
            System.out.printf("%-44s %9s %12s %9s%n", "copy SQLite -> PostgreSQL (median of " + ROUNDS + ")", "seconds",
                    "rows/s", "MB/s");
            line("psql \\copy of exported CSV (floor)", floorSeconds, rows, mb);
            line("pgloader", pgloaderSeconds, rows, mb);
            line("lockstep db.copy (COPY, tables at once)", copySeconds, rows, mb);
            System.out.printf("rounds, seconds: floor %s, pgloader %s, db.copy %s%n", floor, pgloader, copy);
            System.out.printf("db.copy vs pgloader: %.2fx the throughput; vs the floor: %.2fx the time%n",
                    pgloaderSeconds / copySeconds, copySeconds / floorSeconds);
            System.out.printf("lockstep JVM with -Xmx512m: max resident set %d MB%n%n", maxRssKb / 1024);
            System.out.printf("verify, row counts: %.3fs as a step in a fresh JVM; %.3fs warm (median of 5)%n", countSeconds, warmVerify);
            System.out.printf("connect + count(*) of every table, warm (median of 5): SQLite %.3fs, PostgreSQL %.3fs; "
                    + "warm verify / slower side: %.2f%n", sqliteCount, pgCount, warmVerify / Math.max(sqliteCount, pgCount));
            System.out.printf("verify, counts and checksums: %.2fs = %.2fs per million rows%n", checksumSeconds,
                    checksumSeconds / (rows / 1e6));
        }
    }

    /** db.verify (counts) called in this JVM, as warm as the count(*) baseline. */
    static double warmVerify(Path db, String pgUrl) throws Exception {
        DbVerifyStep step = new DbVerifyStep();
        DbVerifyStep.Config config = new DbVerifyStep.Config(Map.of("url", "jdbc:sqlite:" + db),
                Map.of("url", pgUrl, "user", "postgres"), null, null, false, null);
        StepContext quiet = new StepContext() {
            public String stepId() { return "verify"; }
            public Path workDir() { return Path.of("."); }
            public Settings settings() { return Settings.of(System.getenv()); }
            public Map<String, String> env() { return Map.of(); }
            public void line(String text) { }
            public void note(String text) { }
            public void recordExternalId(String key, String value) { }
            public Map<String, String> externalIds() { return Map.of(); }
            public CheckOutcome evaluate(dev.lockstep.spi.Check check) { throw new UnsupportedOperationException(); }
            public boolean askOperator(String instructions) { return false; }
            public Object resolve(String template) { return template; }
        };
        List<Double> tries = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            long t0 = System.nanoTime();
            if (!step.execute(config, quiet).ok()) throw new IllegalStateException("verify found a difference");
            if (i > 0) tries.add((System.nanoTime() - t0) / 1e9);
        }
        return median(tries);
    }

    /** What counting by hand costs: connect, then count(*) every table; the median of five tries. */
    static double timeCounts(String url, String user) throws Exception {
        List<Double> tries = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement()) {
                for (String t : TABLES) {
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + t)) {
                        rs.next();
                    }
                }
            }
            tries.add((System.nanoTime() - t0) / 1e9);
        }
        return median(tries);
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    static String url(int port, String db) {
        return "jdbc:postgresql://localhost:" + port + "/" + db;
    }

    static void line(String what, double seconds, int rows, double mb) {
        System.out.printf("%-44s %9.2f %,12.0f %9.1f%n", what, seconds, rows / seconds, mb / seconds);
    }

    static Path exportCsv(Connection c, String table, Path file) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table);
             BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= n; i++) {
                    if (i > 1) w.write(',');
                    Object v = rs.getObject(i);
                    if (v == null) continue;
                    String text = v instanceof byte[] b ? "\\x" + HexFormat.of().formatHex(b) : v.toString();
                    w.write('"');
                    w.write(text.replace("\"", "\"\""));
                    w.write('"');
                }
                w.write('\n');
            }
        }
        return file;
    }

    static double stepSeconds(String out, String step) {
        Matcher m = Pattern.compile("ok step " + step + " succeeded in ([\\d.]+)(ms|s)").matcher(out);
        if (!m.find()) throw new IllegalStateException("no timing for " + step + " in:\n" + out);
        double v = Double.parseDouble(m.group(1));
        return m.group(2).equals("ms") ? v / 1000 : v;
    }

    static String find(String out, String regex) {
        Matcher m = Pattern.compile(regex).matcher(out);
        if (!m.find()) throw new IllegalStateException("'" + regex + "' not found in:\n" + out);
        return m.group(1);
    }

    record Result(int exit, String out) {}

    static Result run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out);
    }
}
