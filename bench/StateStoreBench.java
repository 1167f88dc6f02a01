import dev.lockstep.cli.Main;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Journal;
import dev.lockstep.journal.StateDir;
import dev.lockstep.store.Follow;
import dev.lockstep.store.HeldRun;
import dev.lockstep.store.LocalStore;
import dev.lockstep.store.PostgresStore;
import dev.lockstep.store.PostgresUrl;
import dev.lockstep.store.StateStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shared store against the local journal, in the same run, on the same machine (PostgreSQL
 * embedded, on loopback):
 *  1. append latency per step transition (goal: PostgreSQL p95 under 5 ms);
 *  2. event to watcher latency: from an append returning to its line printed by a running
 *     `lockstep watch --no-tui` (goal: p95 under 200 ms);
 *  3. 20 runs driven at once on one PostgreSQL store, each followed by a watcher.
 *
 * Run: java -cp "target/lockstep.jar:target/lib/*" bench/StateStoreBench.java [appends]
 */
public class StateStoreBench {
    private static final EventData SUCCEEDED = new EventData.Succeeded("exit 0", Map.of("rds_endpoint", "db.example.internal"),
            1234, List.of());

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Path tmp = Files.createTempDirectory("store-bench");
        // Durable commits, as a production server has them (the embedded server turns synchronous_commit off).
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on").start()) {
            System.out.println("PostgreSQL " + setting(pg, "server_version") + " on loopback, fsync " + setting(pg, "fsync")
                    + ", synchronous_commit " + setting(pg, "synchronous_commit") + "; " + Runtime.getRuntime().availableProcessors()
                    + " CPUs");
            String url = newDatabase(pg, "bench");
            Map<String, String> env = new HashMap<>(Map.of("PGPASSWORD", "unused"));
            try (StateStore local = new LocalStore(new StateDir(tmp.resolve("state")));
                 StateStore shared = PostgresStore.open(PostgresUrl.parse(url, env), Duration.ofSeconds(30))) {
                System.out.println("== append latency per step transition (" + n + " appends each, after 100 to warm up)");
                System.out.printf("%-36s %9s %9s %9s%n", "", "p50 ms", "p95 ms", "p99 ms");
                long[][] both = appends(local, shared, 100, n);
                print("local journal (write + fsync)", both[0]);
                print("PostgreSQL store (one transaction)", both[1]);
                System.out.println();
                System.out.println("== event -> watcher's terminal (lockstep watch --no-tui), 200 events 25 ms apart");
                System.out.printf("%-36s %9s %9s %9s%n", "", "p50 ms", "p95 ms", "max ms");
                print("local store (follows the file)", watched(local, "--state-dir", tmp.resolve("state").toString()), true);
                print("PostgreSQL store (LISTEN/NOTIFY)", watched(shared, "--state", url), true);
            }
            System.out.println();
            concurrent(newDatabase(pg, "concurrent"), 20, 200);
        } finally {
            try (var s = Files.walk(tmp)) {
                s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String setting(EmbeddedPostgres pg, String name) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
             var r = s.executeQuery("SHOW " + name)) {
            r.next();
            return r.getString(1);
        }
    }

    private static String newDatabase(EmbeddedPostgres pg, String name) throws Exception {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return "postgres://postgres@localhost:" + pg.getPort() + "/" + name;
    }

    /** Appends a run's first record, so that watchers can follow it. */
    private static HeldRun newRun(StateStore store, String id) {
        HeldRun run = store.create(id, "bench");
        run.append(EventType.RUN_STARTED, null, new EventData.RunStarted(Journal.FORMAT, "/bench.yaml", "bench", "Bench", "00",
                List.of("step"), Map.of("step", Map.of()), Map.of(), List.of(), List.of(), "bench@host", "host", 1, "bench",
                "bench", null, null));
        return run;
    }

    /**
     * Append latencies of a run in each store, {@code local}'s first and {@code shared}'s second: interleaved, each
     * store first every other time, so that whatever else the machine does falls on both alike.
     */
    private static long[][] appends(StateStore local, StateStore shared, int warm, int n) {
        try (HeldRun first = newRun(local, "warm-local"); HeldRun second = newRun(shared, "warm-pg")) {
            for (int i = 0; i < warm; i++) {
                first.append(EventType.STEP_SUCCEEDED, "step", SUCCEEDED);
                second.append(EventType.STEP_SUCCEEDED, "step", SUCCEEDED);
            }
            long[][] ns = new long[2][n];
            for (int i = 0; i < n; i++) {
                if (i % 2 == 0) {
                    ns[0][i] = append(first);
                    ns[1][i] = append(second);
                } else {
                    ns[1][i] = append(second);
                    ns[0][i] = append(first);
                }
            }
            return ns;
        }
    }

    private static long append(HeldRun run) {
        long t0 = System.nanoTime();
        run.append(EventType.STEP_SUCCEEDED, "step", SUCCEEDED);
        return System.nanoTime() - t0;
    }

    /** A real `lockstep watch --no-tui` in this JVM; each event's reason is a mark whose printing is timed. */
    private static long[] watched(StateStore store, String option, String where) throws Exception {
        String id = "watched-" + (store instanceof LocalStore ? "local" : "pg");
        int marks = 200;
        long[] seen = new long[marks];
        Arrays.fill(seen, -1);
        CountDownLatch ready = new CountDownLatch(1);
        Pattern mark = Pattern.compile("mark-(\\d+)");
        PrintStream out = new PrintStream(new OutputStream() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public void write(int b) {
                if (b != '\n') {
                    line.append((char) b);
                    return;
                }
                long now = System.nanoTime();
                Matcher m = mark.matcher(line);
                if (m.find()) seen[Integer.parseInt(m.group(1))] = now;
                if (line.indexOf("run started") >= 0) ready.countDown();
                line.setLength(0);
            }
        }, true, StandardCharsets.ISO_8859_1);
        try (HeldRun run = newRun(store, id)) {
            Thread watcher = new Thread(() -> Main.run(Map.of(), new ByteArrayInputStream(new byte[0]), out,
                    new PrintStream(OutputStream.nullOutputStream()), "watch", id, "--no-tui", option, where), "watcher");
            watcher.start();
            ready.await();
            long[] done = new long[marks];
            for (int i = 0; i < marks; i++) {
                run.append(EventType.STEP_SKIPPED, "step", new EventData.ByReason("bench", "mark-" + i));
                done[i] = System.nanoTime();
                Thread.sleep(25);
            }
            run.append(EventType.RUN_ABANDONED, null, new EventData.ByReason("bench", "done"));
            run.close();
            watcher.join();
            long[] ns = new long[marks];
            for (int i = 0; i < marks; i++) {
                if (seen[i] < 0) throw new IllegalStateException("the watcher never printed mark " + i);
                ns[i] = seen[i] - done[i];
            }
            return ns;
        }
    }

    /** Runs driven at once, each appending with a pause between steps, each followed by a watcher. */
    private static void concurrent(String url, int runs, int appendsEach) throws Exception {
        System.out.println("== " + runs + " runs at once on one PostgreSQL store, " + appendsEach + " appends each "
                + "(10 ms apart), each run followed by a watcher");
        try (StateStore store = PostgresStore.open(PostgresUrl.parse(url, Map.of()), Duration.ofSeconds(30))) {
            ExecutorService pool = Executors.newFixedThreadPool(runs * 2);
            Map<String, Integer> followed = new ConcurrentHashMap<>();
            List<Future<long[]>> drivers = new ArrayList<>();
            List<Future<?>> watchers = new ArrayList<>();
            long began = System.nanoTime();
            for (int r = 0; r < runs; r++) {
                String id = "run-" + r;
                HeldRun run = newRun(store, id);
                watchers.add(pool.submit(() -> {
                    try (Follow f = store.follow(id)) {
                        int events = 0;
                        while (events < appendsEach + 1) {
                            for (Follow.Item item : f.next(Duration.ofSeconds(1))) if (item instanceof Follow.Recorded) events++;
                        }
                        followed.put(id, events);
                    }
                    return null;
                }));
                drivers.add(pool.submit(() -> {
                    try (run) {
                        long[] ns = new long[appendsEach];
                        for (int i = 0; i < appendsEach; i++) {
                            long t0 = System.nanoTime();
                            run.append(EventType.STEP_SUCCEEDED, "step", SUCCEEDED);
                            ns[i] = System.nanoTime() - t0;
                            Thread.sleep(10);
                        }
                        return ns;
                    }
                }));
            }
            List<Long> all = new ArrayList<>();
            for (Future<long[]> d : drivers) for (long ns : d.get()) all.add(ns);
            for (Future<?> w : watchers) w.get();
            double seconds = (System.nanoTime() - began) / 1e9;
            pool.shutdown();
            long[] ns = all.stream().mapToLong(Long::longValue).toArray();
            System.out.printf("%-36s %9s %9s %9s%n", "", "p50 ms", "p95 ms", "p99 ms");
            print("append, under " + runs + " drivers", ns);
            System.out.printf("%d appends in %.1f s (%.0f/s); every watcher saw all %d records of its run: %s%n", ns.length,
                    seconds, ns.length / seconds, appendsEach + 1,
                    followed.size() == runs && followed.values().stream().allMatch(v -> v == appendsEach + 1));
        }
    }

    private static void print(String what, long[] ns) {
        print(what, ns, false);
    }

    private static void print(String what, long[] ns, boolean max) {
        long[] s = ns.clone();
        Arrays.sort(s);
        System.out.printf("%-36s %9.2f %9.2f %9.2f%n", what, s[s.length / 2] / 1e6, s[(int) (s.length * 0.95)] / 1e6,
                (max ? s[s.length - 1] : s[(int) (s.length * 0.99)]) / 1e6);
    }
}
