package dev.lockstep.steps.db;

import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Compares tables on two databases, independently of whatever moved the data: row
 * counts (both sides at once, tables in parallel), and optionally contents, by an
 * order-independent checksum over chunks of the integer primary key that narrows
 * down to the differing key ranges and a few example keys.
 */
final class Verifier {
    /** The result of a verify: one row per table (see {@link TableResult#toMap}). */
    static final ResultShape SHAPE = ResultShape.object("ok", ResultShape.VALUE, "mismatches", ResultShape.VALUE,
            "tables", ResultShape.listOf(ResultShape.object("table", ResultShape.VALUE, "source", ResultShape.VALUE,
                    "target", ResultShape.VALUE, "verdict", ResultShape.VALUE, "detail", ResultShape.VALUE)));

    /** Rows per checksum chunk; a differing chunk is split until it is small enough to compare key by key. */
    static final int CHUNK_ROWS = 50_000;
    private static final int KEY_BY_KEY_ROWS = 2_000;
    private static final int EXAMPLES = 5;
    static final List<String> DEFAULT_EXCLUDE = List.of("flyway_schema_history");

    private final DbEndpoint source;
    private final DbEndpoint target;
    private final StepContext ctx;

    Verifier(DbEndpoint source, DbEndpoint target, StepContext ctx) {
        this.source = source;
        this.target = target;
        this.ctx = ctx;
    }

    /** One table's verdict. Counts are null for a side that does not have the table. */
    record TableResult(String table, Long source, Long target, String verdict, String detail) {
        boolean ok() {
            return verdict.equals("OK");
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("table", table);
            m.put("source", source);
            m.put("target", target);
            m.put("verdict", verdict);
            if (detail != null) m.put("detail", detail);
            return m;
        }

        /**
         * The table's line as it finishes, read in a narrow pane too: its verdict, then how many
         * rows both sides held and how fast they were compared.
         */
        String line(long nanos) {
            long rows = (source == null ? 0 : source) + (target == null ? 0 : target);
            double seconds = nanos / 1e9;
            return String.format(Locale.ROOT, "%s: source %s, target %s %s; %,d rows compared in %.2f s (%,.0f rows/s)", table,
                    side(source), side(target), verdict + (detail != null ? " (" + detail + ")" : ""), rows, seconds,
                    seconds > 0 ? rows / seconds : 0.0);
        }

        static String side(Long count) {
            return count == null ? "-" : String.valueOf(count);
        }
    }

    record Report(List<TableResult> tables) {
        long mismatches() {
            return tables.stream().filter(t -> !t.ok()).count();
        }

        /** A passing result, or a HALT with the per-table table as evidence and data. */
        StepResult toResult(String what) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("ok", mismatches() == 0);
            data.put("mismatches", mismatches());
            data.put("tables", tables.stream().map(TableResult::toMap).toList());
            if (mismatches() == 0) return StepResult.ok(what + ": " + tables.size() + " tables match", data);
            String evidence = String.join("; ", tables.stream().filter(t -> !t.ok())
                    .map(t -> t.table() + ": source=" + TableResult.side(t.source()) + " target=" + TableResult.side(t.target()) + " " + t.verdict()
                            + (t.detail() != null ? " (" + t.detail() + ")" : "")).toList());
            return StepResult.halted(what + ": " + mismatches() + " of " + tables.size() + " tables differ", evidence, data);
        }
    }

    Report verify(List<String> only, List<String> exclude, boolean checksum, int parallel) throws Exception {
        ExecutorService tablesPool = Executors.newFixedThreadPool(Math.max(1, parallel));
        ExecutorService sidesPool = Executors.newFixedThreadPool(Math.max(2, parallel * 2));
        try {
            // Both sides' tables listed at once, one connection each.
            Future<Connection> sc = sidesPool.submit(() -> source.open(true));
            Connection tc = target.open(true);
            Map<String, String> sourceTables;
            Map<String, String> targetTables;
            try (Connection s = get(sc); Connection t = tc) {
                Future<Map<String, String>> sl = sidesPool.submit(() -> byLowerName(Sql.tables(s, source)));
                targetTables = byLowerName(Sql.tables(t, target));
                sourceTables = get(sl);
                TreeSet<String> names = new TreeSet<>();
                if (only != null && !only.isEmpty()) {
                    for (String n : only) names.add(n.toLowerCase(Locale.ROOT));
                } else {
                    names.addAll(sourceTables.keySet());
                    names.addAll(targetTables.keySet());
                    for (String x : exclude) names.remove(x.toLowerCase(Locale.ROOT));
                }
                sourceTables.keySet().retainAll(names);
                targetTables.keySet().retainAll(names);
                for (String n : names) {
                    if (!sourceTables.containsKey(n) && !targetTables.containsKey(n)) {
                        throw new SQLException("table " + n + " exists on neither side");
                    }
                }
            }
            TreeSet<String> names = new TreeSet<>(sourceTables.keySet());
            names.addAll(targetTables.keySet());
            List<Future<TableResult>> futures = new ArrayList<>();
            for (String n : names) {
                String s = sourceTables.get(n);
                String t = targetTables.get(n);
                futures.add(tablesPool.submit(() -> {
                    // Each table counted on its own, both sides at once: its line comes as soon as it is done.
                    long began = System.nanoTime();
                    Future<Long> sCount = sidesPool.submit(() -> s == null ? null : withConnection(source, c -> Sql.count(c, s)));
                    Long tCount = t == null ? null : withConnection(target, c -> Sql.count(c, t));
                    TableResult r = table(n, s, t, get(sCount), tCount, checksum, sidesPool);
                    ctx.line(r.line(System.nanoTime() - began));
                    return r;
                }));
            }
            List<TableResult> results = new ArrayList<>();
            for (Future<TableResult> f : futures) results.add(get(f));
            return new Report(results);
        } finally {
            tablesPool.shutdownNow();
            sidesPool.shutdownNow();
        }
    }

    private static Map<String, String> byLowerName(List<String> tables) {
        Map<String, String> out = new HashMap<>();
        for (String n : tables) out.put(n.toLowerCase(Locale.ROOT), n);
        return out;
    }

    private TableResult table(String name, String s, String t, Long sCountOrNull, Long tCountOrNull, boolean checksum,
                              ExecutorService pool) throws Exception {
        if (s == null || t == null) {
            return new TableResult(name, sCountOrNull, tCountOrNull, s == null ? "MISSING IN SOURCE" : "MISSING IN TARGET", null);
        }
        long sCount = sCountOrNull;
        long tCount = tCountOrNull;
        String verdict = sCount == tCount ? "OK" : "MISMATCH";
        String detail = sCount == tCount ? null : "count";
        if (!checksum) return new TableResult(name, sCount, tCount, verdict, detail);

        List<Sql.Column> sCols = withConnection(source, c -> Sql.columns(c, source, s));
        List<Sql.Column> tCols = withConnection(target, c -> Sql.columns(c, target, t));
        Map<String, String> tByLower = new HashMap<>();
        for (Sql.Column c : tCols) tByLower.put(c.name().toLowerCase(Locale.ROOT), c.name());
        List<Sql.Column> sPaired = new ArrayList<>();
        List<Sql.Column> tPaired = new ArrayList<>();
        List<String> onlySource = new ArrayList<>();
        Map<String, Sql.Column> tColumnByName = new HashMap<>();
        for (Sql.Column c : tCols) tColumnByName.put(c.name(), c);
        for (Sql.Column c : sCols) {
            String other = tByLower.remove(c.name().toLowerCase(Locale.ROOT));
            if (other == null) {
                onlySource.add(c.name());
            } else {
                sPaired.add(c);
                tPaired.add(tColumnByName.get(other));
            }
        }
        if (!onlySource.isEmpty() || !tByLower.isEmpty()) {
            return new TableResult(name, sCount, tCount, "MISMATCH", "columns differ: " + (onlySource.isEmpty() ? ""
                    : "only in source " + onlySource + " ") + (tByLower.isEmpty() ? "" : "only in target " + tByLower.values()));
        }
        RowHash.Read[][] reads = RowHash.reads(source, sPaired, target, tPaired);
        Sql.Column key = Sql.integerKey(sCols);
        String tKey = key == null ? null : tPaired.get(sPaired.indexOf(key)).name();
        boolean byRowid = key == null && source.isSqlite() && target.isSqlite() && Sql.rowidOnly(sCols) && Sql.rowidOnly(tCols);
        if (byRowid) {
            key = Sql.ROWID;
            tKey = Sql.ROWID.name();
        }
        Progress progress = new Progress(ctx, name + ": checksums of ", Math.max(sCount, tCount));
        try (Side src = new Side(source, s, names(sPaired), key == null ? null : key.name(), reads[0], progress);
             Side dst = new Side(target, t, names(tPaired), tKey, reads[1], null)) {
            // Without a primary key the table's sum is the verdict: rowids are no part of a row, and copies of the same
            // rows may number them differently (VACUUM, INSERT … SELECT after deletes). They only narrow a difference down.
            if (key == null || byRowid) {
                Future<Sum> fa = pool.submit(() -> src.sum(null, null));
                Sum b = dst.sum(null, null);
                Sum a = get(fa);
                if (a.equals(b)) return new TableResult(name, sCount, tCount, verdict, detail);
                if (key == null) {
                    return new TableResult(name, sCount, tCount, "MISMATCH", (detail != null ? "count, " : "") + "checksum"
                            + narrowedInOrder(s, t, sPaired, tPaired, reads));
                }
            }
            long[] range = range(src, dst, pool);
            if (range == null) return new TableResult(name, sCount, tCount, verdict, detail);
            long chunks = Math.max(1, (Math.max(sCount, tCount) + CHUNK_ROWS - 1) / CHUNK_ROWS);
            long width = Math.max(1, (range[1] - range[0] + chunks) / chunks);
            List<long[]> differing = new ArrayList<>();
            TreeSet<Long> examples = new TreeSet<>();
            for (long lo = range[0]; lo <= range[1]; lo += width) {
                if (Thread.interrupted()) throw new InterruptedException();
                long hi = Math.min(range[1], lo + width - 1);
                narrow(src, dst, lo, hi, pool, differing, examples);
                if (lo > Long.MAX_VALUE - width) break;
            }
            if (differing.isEmpty()) return new TableResult(name, sCount, tCount, verdict, detail);
            StringBuilder d = new StringBuilder(detail != null ? "count, " : "").append("checksum: keys ");
            for (int i = 0; i < Math.min(EXAMPLES, differing.size()); i++) {
                long[] r = differing.get(i);
                d.append(i > 0 ? ", " : "").append(r[0] == r[1] ? String.valueOf(r[0]) : r[0] + ".." + r[1]);
            }
            if (differing.size() > EXAMPLES) d.append(" and ").append(differing.size() - EXAMPLES).append(" more ranges");
            d.append(" differ; e.g. ").append(key.name()).append(" = ")
                    .append(String.join(", ", examples.stream().limit(EXAMPLES).map(String::valueOf).toList()));
            return new TableResult(name, sCount, tCount, "MISMATCH", d.toString());
        }
    }

    private static List<String> names(List<Sql.Column> columns) {
        return columns.stream().map(Sql.Column::name).toList();
    }

    /**
     * The differing keys of a table whose primary key is text or several columns, by reading both sides in key order
     * (OrderedComparison); a table without a primary key, or with one of a type the two databases order differently,
     * is said to be why it cannot be narrowed.
     */
    private String narrowedInOrder(String s, String t, List<Sql.Column> sCols, List<Sql.Column> tCols, RowHash.Read[][] reads)
            throws Exception {
        List<Sql.Column> sKeys = sCols.stream().filter(c -> c.pkPosition() > 0).sorted(java.util.Comparator.comparingInt(Sql.Column::pkPosition))
                .toList();
        if (sKeys.isEmpty()) return "; no primary key to narrow it down";
        List<Sql.Column> tKeys = new ArrayList<>();
        for (Sql.Column k : sKeys) tKeys.add(tCols.get(sCols.indexOf(k)));
        for (Sql.Column k : sKeys) {
            if (!OrderedComparison.sortsTheSame(k)) return "; its primary key's " + k.name() + " (" + k.type() + ") cannot be narrowed down";
        }
        for (Sql.Column k : tKeys) {
            if (!OrderedComparison.sortsTheSame(k)) return "; its primary key's " + k.name() + " (" + k.type() + ") cannot be narrowed down";
        }
        OrderedComparison.Differences d = OrderedComparison.compare(source, s, sKeys, names(sCols), target, t, tKeys, names(tCols),
                reads, EXAMPLES);
        if (d.total() == 0) return "; no key differs row by row (the sums differ: values the two databases hash differently?)";
        long more = d.rangeCount() - d.ranges().size();
        return ": " + d.total() + (d.total() == 1 ? " key differs" : " keys differ") + " (" + d.changed() + " changed, " + d.onlySource()
                + " only in source, " + d.onlyTarget() + " only in target) in " + d.rangeCount() + (d.rangeCount() == 1 ? " range: " : " ranges: ")
                + String.join(", ", d.ranges()) + (more > 0 ? " and " + more + " more" : "") + "; e.g. " + String.join(", ", d.examples());
    }

    private static long[] range(Side a, Side b, ExecutorService pool) throws Exception {
        long[] x = get(pool.submit(a::minMax));
        long[] y = get(pool.submit(b::minMax));
        if (x == null && y == null) return null;
        if (x == null) return y;
        if (y == null) return x;
        return new long[] {Math.min(x[0], y[0]), Math.max(x[1], y[1])};
    }

    /** Compares [lo, hi]; if it differs, splits it until key-by-key comparison finds the keys. */
    private void narrow(Side a, Side b, long lo, long hi, ExecutorService pool, List<long[]> differing,
                        TreeSet<Long> examples) throws Exception {
        Future<Sum> fa = pool.submit(() -> a.sum(lo, hi));
        Sum sb = b.sum(lo, hi);
        Sum sa = get(fa);
        if (sa.equals(sb)) return;
        if (Math.max(sa.count, sb.count) <= KEY_BY_KEY_ROWS || lo == hi) {
            Future<Map<Long, Long>> ka = pool.submit(() -> a.keyed(lo, hi));
            Map<Long, Long> kb = b.keyed(lo, hi);
            Map<Long, Long> kaMap = get(ka);
            TreeSet<Long> keys = new TreeSet<>();
            for (Map.Entry<Long, Long> e : kaMap.entrySet()) if (!e.getValue().equals(kb.get(e.getKey()))) keys.add(e.getKey());
            for (Long k : kb.keySet()) if (!kaMap.containsKey(k)) keys.add(k);
            if (!keys.isEmpty()) differing.add(new long[] {keys.first(), keys.last()});
            for (Long k : keys) {
                if (examples.size() >= EXAMPLES) break;
                examples.add(k);
            }
            return;
        }
        long step = Math.max(1, (hi - lo + 8) / 8);
        for (long x = lo; x <= hi; x += step) {
            narrow(a, b, x, Math.min(hi, x + step - 1), pool, differing, examples);
            if (x > Long.MAX_VALUE - step) break;
        }
    }

    /** Row count and the sum of row hashes of a key range. */
    record Sum(long count, long sum) {}

    /**
     * One side of a table comparison: how to read its rows in canonical column order, on one connection for the
     * whole table (opened at the first read). {@code progress}, if any, hears of the rows it hashes.
     */
    private static final class Side implements AutoCloseable {
        private final DbEndpoint db;
        private final String table;
        private final List<String> columns;
        private final String key;
        private final RowHash.Read[] reads;
        private final Progress progress;
        private Connection connection;
        private long hashed;

        Side(DbEndpoint db, String table, List<String> columns, String key, RowHash.Read[] reads, Progress progress) {
            this.db = db;
            this.table = table;
            this.columns = columns;
            this.key = key;
            this.reads = reads;
            this.progress = progress;
        }

        private String select(Long lo) {
            StringBuilder b = new StringBuilder("SELECT ");
            if (key != null) b.append(Sql.quote(key)).append(", ");
            b.append(String.join(", ", columns.stream().map(Sql::quote).toList())).append(" FROM ").append(Sql.quote(table));
            if (lo != null) b.append(" WHERE ").append(Sql.quote(key)).append(" BETWEEN ? AND ?");
            return b.toString();
        }

        private Connection connection() throws SQLException {
            if (connection == null) {
                connection = db.openToHash();
                // A cursor (fetch size) needs a transaction on PostgreSQL.
                if (db.isPostgres()) connection.setAutoCommit(false);
            }
            return connection;
        }

        @Override
        public void close() throws SQLException {
            if (connection != null) connection.close();
        }

        Sum sum(Long lo, Long hi) throws Exception {
            long[] acc = new long[2];
            scan(lo, hi, (k, h) -> {
                acc[0]++;
                acc[1] += h;
            });
            return new Sum(acc[0], acc[1]);
        }

        Map<Long, Long> keyed(long lo, long hi) throws Exception {
            Map<Long, Long> out = new HashMap<>();
            scan(lo, hi, out::put);
            return out;
        }

        long[] minMax() throws SQLException {
            try (Statement s = connection().createStatement();
                 ResultSet rs = s.executeQuery("SELECT min(" + Sql.quote(key) + "), max(" + Sql.quote(key) + ") FROM "
                         + Sql.quote(table))) {
                rs.next();
                long min = rs.getLong(1);
                if (rs.wasNull()) return null;
                return new long[] {min, rs.getLong(2)};
            }
        }

        private void scan(Long lo, Long hi, RowSink sink) throws Exception {
            try (PreparedStatement ps = connection().prepareStatement(select(lo))) {
                Sql.hashedRows(ps);
                ps.setFetchSize(10_000);
                if (lo != null) {
                    ps.setLong(1, lo);
                    ps.setLong(2, hi);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    int first = key != null ? 2 : 1;
                    while (rs.next()) {
                        sink.row(key != null ? rs.getLong(1) : 0L, RowHash.row(rs, first, reads));
                        if ((++hashed & 0xfff) == 0) {
                            if (Thread.currentThread().isInterrupted()) throw new InterruptedException();
                            if (progress != null) progress.at(hashed);
                        }
                    }
                }
            }
        }
    }

    private interface RowSink {
        void row(long key, long hash);
    }

    private interface ConnectionWork<T> {
        T apply(Connection c) throws SQLException;
    }

    private static <T> T withConnection(DbEndpoint e, ConnectionWork<T> work) throws SQLException {
        try (Connection c = e.open(true)) {
            return work.apply(c);
        }
    }

    private static <T> T get(Future<T> f) throws Exception {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            throw e;
        }
    }
}
