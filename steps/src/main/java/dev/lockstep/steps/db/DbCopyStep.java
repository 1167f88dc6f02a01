package dev.lockstep.steps.db;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.Reconciliation;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * {@code db.copy}: copies tables from SQLite (opened read-only) to PostgreSQL with COPY,
 * streaming in bounded memory, tables in parallel, then verifies counts and checksums
 * like {@code db.verify} (a difference HALTS the run). Each table is copied in one
 * transaction and journaled when it starts and ends, so a resumed copy skips finished
 * tables and copies an interrupted one again from empty. A target table that already
 * has rows is refused unless {@code truncate: true}. Its built-in rollback empties the
 * target tables again (the SQLite source was only ever read).
 *
 * <pre>
 * - id: copy
 *   uses: db.copy
 *   with:
 *     source: { url: "jdbc:sqlite:${{ params.sqlite }}" }
 *     target: { url: "${{ params.pg_url }}", user: zooid, password: "${{ params.db_password }}" }
 *     parallel: 2
 * </pre>
 */
public final class DbCopyStep implements StepType<DbCopyStep.Config> {
    /** COPY data is sent in pieces of about this many bytes: memory stays flat whatever the table size. */
    static final int FLUSH_BYTES = 1 << 20;
    private static final String TABLE_ID = "table:";

    public record Config(
            @Key(value = "the SQLite database: { url: jdbc:sqlite:PATH }", required = true) Map<String, String> source,
            @Key(value = "the PostgreSQL database: { url, user, password }", required = true) Map<String, String> target,
            @Key("tables to copy (default: every table of the source)") List<String> tables,
            @Key("tables to leave out (default: none)") List<String> exclude,
            @Key("tables copied at once (default 4)") Integer parallel,
            @Key("empty target tables that already have rows (default false: refuse them)") Boolean truncate,
            @Key("create missing target tables from the SQLite schema (default false: Flyway makes them)") Boolean createTables,
            @Key("verify counts (and checksums) afterwards (default true)") Boolean verify,
            @Key("verify contents by checksum too (default true)") Boolean checksum) implements TwoDatabases {
        public Config {
            if (!DbEndpoint.from(source, "source").isSqlite()) {
                throw new IllegalArgumentException("source.url: db.copy reads SQLite (jdbc:sqlite:PATH)");
            }
            if (!DbEndpoint.from(target, "target").isPostgres()) {
                throw new IllegalArgumentException("target.url: db.copy writes PostgreSQL (jdbc:postgresql://HOST:PORT/DB)");
            }
            exclude = exclude == null ? List.of() : exclude;
            parallel = parallel == null ? 4 : parallel;
            if (parallel < 1) throw new IllegalArgumentException("parallel must be at least 1");
            truncate = Boolean.TRUE.equals(truncate);
            createTables = Boolean.TRUE.equals(createTables);
            verify = verify == null || verify;
            checksum = checksum == null || checksum;
        }
    }

    @Override
    public String name() {
        return "db.copy";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "SQLite → PostgreSQL with COPY, tables in parallel (`parallel`, default 4), bounded memory, progress "
                + "(rows, rows/s, ETA), sequences moved past the copied keys, then `db.verify` with checksums; refuses "
                + "non-empty targets unless `truncate: true`; `createTables: true` makes missing tables; resumable per "
                + "table; its rollback empties the tables it filled";
    }

    @Override
    public String example() {
        return """
                - id: copy
                  uses: db.copy
                  with:
                    source: { url: "jdbc:sqlite:${{ params.sqlite }}" }
                    target: { url: "${{ params.pg_url }}", user: zooid, password: "${{ params.db_password }}" }
                    parallel: 2
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("tables", ResultShape.mapOf(ResultShape.VALUE), "rows", ResultShape.VALUE, "rowsPerSecond", ResultShape.VALUE,
                "verify", Verifier.SHAPE);
    }

    @Override
    public List<String> plan(Config c) {
        List<String> lines = new ArrayList<>();
        lines.add("copy " + (c.tables() == null ? "every table" : String.join(", ", c.tables()))
                + (c.exclude().isEmpty() ? "" : " except " + String.join(", ", c.exclude())) + " with COPY, "
                + c.parallel() + " at a time");
        lines.add("from " + c.from().describe() + " (read-only)");
        lines.add("to " + c.to().describe() + (c.createTables() ? ", creating missing tables" : ""));
        lines.add(c.truncate() ? "target tables that have rows are emptied first" : "target tables that have rows are refused");
        if (c.verify()) lines.add("then verify counts" + (c.checksum() ? " and checksums" : "") + "; a difference halts the run");
        return lines;
    }

    /** Resuming re-attaches: tables journaled as copied are skipped, the one in flight is copied again. */
    @Override
    public Reconciliation reconcile(Config c, Map<String, String> externalIds, boolean idempotent) {
        return Reconciliation.RERUN;
    }

    @Override
    public boolean undoesItself() {
        return true;
    }

    /** Empties the target tables this copy filled, so that the cutover can be tried again from the start. */
    @Override
    public List<String> planRollback(Config c) {
        return List.of("empty (TRUNCATE) " + (c.tables() == null ? "every table copied from " + c.from().describe() : "tables "
                        + String.join(", ", c.tables().stream().filter(t -> !c.exclude().contains(t)).toList()))
                        + (c.tables() == null && !c.exclude().isEmpty() ? " except " + String.join(", ", c.exclude()) : "")
                        + " on " + c.to().describe(),
                "the tables' definitions stay; " + c.from().describe() + " is not touched");
    }

    @Override
    public StepResult rollback(Config c, StepContext ctx) throws Exception {
        DbEndpoint dst = c.to();
        List<String> emptied = new ArrayList<>();
        try (Connection d = dst.open(false); Statement st = d.createStatement()) {
            List<String> present = Sql.tables(d, dst);
            for (String t : tables(c)) {
                for (String p : present) {
                    if (p.equalsIgnoreCase(t)) {
                        st.execute("TRUNCATE " + Sql.quote(p));
                        emptied.add(p);
                        ctx.line("emptied " + p);
                    }
                }
            }
        }
        return StepResult.ok("emptied " + emptied.size() + " target tables", Map.of("emptied", emptied));
    }

    private static List<String> tables(Config c) throws SQLException {
        List<String> names = new ArrayList<>();
        DbEndpoint src = c.from();
        try (Connection s = src.open(true)) {
            for (String t : c.tables() != null ? c.tables() : Sql.tables(s, src)) {
                if (!c.exclude().contains(t)) names.add(t);
            }
        }
        return names;
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws Exception {
        DbEndpoint src = c.from();
        DbEndpoint dst = c.to();
        List<String> names = tables(c);
        long started = System.nanoTime();
        Map<String, Long> copied = new LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(c.parallel());
        try {
            Map<String, Future<Copied>> futures = new LinkedHashMap<>();
            for (String t : names) futures.put(t, pool.submit(() -> new TableCopy(c, ctx, t).run()));
            long bytes = 0;
            long copiedNow = 0;
            int tablesBefore = 0;
            for (Map.Entry<String, Future<Copied>> f : futures.entrySet()) {
                Copied r;
                try {
                    r = f.getValue().get();
                } catch (ExecutionException e) {
                    pool.shutdownNow();
                    String why = e.getCause() instanceof SQLException sql ? sql.getMessage() : String.valueOf(e.getCause().getMessage());
                    return StepResult.failed("copying " + f.getKey() + " failed: " + why, Map.of("copied", copied));
                }
                copied.put(f.getKey(), r.rows());
                bytes += r.bytes();
                if (r.before()) tablesBefore++;
                else copiedNow += r.rows();
            }
            double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
            long rows = copied.values().stream().mapToLong(Long::longValue).sum();
            ctx.line(summary(rows, copiedNow, names.size(), tablesBefore, seconds, bytes));
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("tables", copied);
            data.put("rows", rows);
            // The rate of this attempt's copying: rows copied before an interruption took none of its time.
            data.put("rowsPerSecond", Math.round(copiedNow / seconds));
            if (!c.verify()) return StepResult.ok("copied " + rows + " rows", data);
            StepResult verified = new Verifier(src, dst, ctx).verify(names, List.of(), c.checksum(), c.parallel())
                    .toResult("copy verified: counts" + (c.checksum() ? " and checksums" : ""));
            Map<String, Object> all = new LinkedHashMap<>(data);
            all.put("verify", verified.data());
            return new StepResult(verified.ok(), "copied " + rows + " rows; " + verified.summary(), all, verified.haltEvidence());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The copy's last line. Its rate counts only the rows this attempt copied, in the time it took:
     * tables a resumed copy found done before the interruption are named apart, and when every
     * table was, there is no rate to give.
     */
    static String summary(long rows, long copiedNow, int tables, int tablesBefore, double seconds, long bytes) {
        String before = String.format(Locale.ROOT, "%d of %d tables (%,d rows) had been copied before the interruption",
                tablesBefore, tables, rows - copiedNow);
        if (tablesBefore == tables) return "nothing left to copy: " + before;
        int tablesNow = tables - tablesBefore;
        String now = String.format(Locale.ROOT, "copied %,d rows in %d table%s in %.2fs: %,.0f rows/s, %.1f MB/s", copiedNow,
                tablesNow, tablesNow == 1 ? "" : "s", seconds, copiedNow / seconds, bytes / seconds / 1e6);
        return tablesBefore == 0 ? now : now + "; " + before;
    }

    /** One table's copy: its rows, the bytes sent now, and whether it had been copied before an interruption. */
    private record Copied(long rows, long bytes, boolean before) {}

    /** Copies one table in one transaction: truncate if needed, COPY, move sequences past the keys, commit. */
    private static final class TableCopy {
        private final Config config;
        private final StepContext ctx;
        private final String table;

        TableCopy(Config config, StepContext ctx, String table) {
            this.config = config;
            this.ctx = ctx;
            this.table = table;
        }

        Copied run() throws Exception {
            String state = ctx.externalIds().get(TABLE_ID + table);
            if (state != null && state.startsWith("done ")) {
                long rows = Long.parseLong(state.substring(5));
                ctx.line(table + ": already copied (" + rows + " rows) before the interruption; skipped");
                return new Copied(rows, 0, true);
            }
            boolean inFlight = "started".equals(state);
            DbEndpoint src = config.from();
            DbEndpoint dst = config.to();
            try (Connection s = src.open(true); Connection d = dst.open(false)) {
                d.setAutoCommit(false);
                List<Sql.Column> columns = Sql.columns(s, src, table);
                String target = targetTable(d, dst, s, columns);
                Map<String, Sql.Column> targetColumns = new HashMap<>();
                for (Sql.Column c : Sql.columns(d, dst, target)) targetColumns.put(c.name().toLowerCase(Locale.ROOT), c);
                List<Sql.Column> into = new ArrayList<>();
                for (Sql.Column c : columns) {
                    Sql.Column t = targetColumns.get(c.name().toLowerCase(Locale.ROOT));
                    if (t == null) throw new SQLException("target table " + target + " has no column " + c.name());
                    into.add(t);
                }
                long existing = Sql.count(d, target);
                if (existing > 0 && !inFlight && !config.truncate()) {
                    throw new SQLException("target table " + target + " already has " + existing
                            + " rows: refusing to copy into it (set truncate: true to replace them)");
                }
                ctx.recordExternalId(TABLE_ID + table, "started");
                if (existing > 0) {
                    try (Statement st = d.createStatement()) {
                        st.execute("TRUNCATE " + Sql.quote(target));
                    }
                    ctx.line(table + ": emptied " + existing + " rows " + (inFlight ? "left by the interrupted copy" : "(truncate: true)"));
                }
                long total = Sql.count(s, table);
                long[] result = copy(s, d, columns, target, into, total);
                moveSequences(d, target);
                d.commit();
                ctx.recordExternalId(TABLE_ID + table, "done " + result[0]);
                return new Copied(result[0], result[1], false);
            }
        }

        /** Streams the source rows into COPY; {@code into} are the target columns, in the source's order. */
        private long[] copy(Connection s, Connection d, List<Sql.Column> columns, String target, List<Sql.Column> into,
                            long total) throws Exception {
            String[] typeOf = into.stream().map(Sql.Column::type).toArray(String[]::new);
            boolean[] asBytes = new boolean[typeOf.length];
            for (int i = 0; i < typeOf.length; i++) asBytes[i] = CopyEncoder.readsBytes(typeOf[i]);
            String copySql = "COPY " + Sql.quote(target) + " (" + String.join(", ", into.stream().map(c -> Sql.quote(c.name())).toList())
                    + ") FROM STDIN";
            CopyIn in = d.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql);
            CopyEncoder out = new CopyEncoder(in, FLUSH_BYTES);
            long rows = 0;
            Progress progress = new Progress(ctx, table + ": ", total);
            try (Statement st = s.createStatement();
                 ResultSet rs = st.executeQuery("SELECT " + String.join(", ", columns.stream().map(c -> Sql.quote(c.name())).toList())
                         + " FROM " + Sql.quote(table))) {
                while (rs.next()) {
                    for (int i = 0; i < typeOf.length; i++) {
                        if (i > 0) out.separator();
                        if (asBytes[i]) {
                            out.bytes(rs.getBytes(i + 1), typeOf[i]);
                        } else {
                            out.value(rs.getObject(i + 1));
                        }
                    }
                    rows++;
                    if (out.endRow()) {
                        if (Thread.currentThread().isInterrupted()) throw new InterruptedException();
                        progress.at(rows);
                    }
                }
                out.flush();
                in.endCopy();
            } catch (Exception e) {
                if (in.isActive()) in.cancelCopy();
                d.rollback();
                throw e;
            }
            progress.done(rows);
            return new long[] {rows, out.sent()};
        }

        /** The target's name for the table, creating it from the SQLite schema when allowed. */
        private String targetTable(Connection d, DbEndpoint dst, Connection s, List<Sql.Column> columns) throws SQLException {
            for (String t : Sql.tables(d, dst)) if (t.equalsIgnoreCase(table)) return t;
            if (!config.createTables()) {
                throw new SQLException("target table " + table + " does not exist: create it first (for example with a "
                        + "flyway step) or set createTables: true");
            }
            List<String> defs = new ArrayList<>();
            List<String> pk = new ArrayList<>();
            for (Sql.Column c : columns) {
                String type = CopyEncoder.columnType(c.type(), storedAs(s, c));
                defs.add(Sql.quote(c.name().toLowerCase(Locale.ROOT)) + " " + type);
                if (c.pkPosition() > 0) pk.add(Sql.quote(c.name().toLowerCase(Locale.ROOT)));
            }
            if (!pk.isEmpty()) defs.add("PRIMARY KEY (" + String.join(", ", pk) + ")");
            String name = table.toLowerCase(Locale.ROOT);
            try (Statement st = d.createStatement()) {
                st.execute("CREATE TABLE " + Sql.quote(name) + " (" + String.join(", ", defs) + ")");
            }
            ctx.line(table + ": created target table " + name);
            return name;
        }

        /** For date/time columns: whether SQLite holds them as text or as numbers (the first non-null value decides). */
        private String storedAs(Connection s, Sql.Column c) throws SQLException {
            String t = c.type() == null ? "" : c.type().toUpperCase(Locale.ROOT);
            if (!t.contains("DATE") && !t.contains("TIME")) return null;
            try (Statement st = s.createStatement(); ResultSet rs = st.executeQuery("SELECT typeof(" + Sql.quote(c.name())
                    + ") FROM " + Sql.quote(table) + " WHERE " + Sql.quote(c.name()) + " IS NOT NULL LIMIT 1")) {
                return rs.next() ? rs.getString(1) : "text";
            }
        }

        /** Moves every serial/identity sequence of the table past the copied keys, so new rows get new keys. */
        private static void moveSequences(Connection d, String target) throws SQLException {
            List<String[]> seqs = new ArrayList<>();
            try (PreparedStatement ps = d.prepareStatement("SELECT column_name, pg_get_serial_sequence(quote_ident(?), column_name) "
                    + "FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?")) {
                ps.setString(1, target);
                ps.setString(2, target);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) if (rs.getString(2) != null) seqs.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            for (String[] s : seqs) {
                try (PreparedStatement ps = d.prepareStatement("SELECT setval(?, coalesce((SELECT max(" + Sql.quote(s[0]) + ") FROM "
                        + Sql.quote(target) + "), 0) + 1, false)")) {
                    ps.setString(1, s[1]);
                    ps.execute();
                }
            }
        }
    }
}
