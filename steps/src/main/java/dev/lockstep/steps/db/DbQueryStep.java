package dev.lockstep.steps.db;

import dev.lockstep.spi.CodeKey;
import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * {@code db.query}: runs SQL against a database and, when {@code rows} or {@code count} say
 * what must come back, HALTS on any difference with both shown. Values go in as bound
 * {@code parameters} ({@code ?}), never pasted into the SQL: a {@code ${{ }}} in {@code sql} is refused
 * when the runbook loads, but for {@code ${{ ident(…) }}}, a table or column name quoted as an
 * identifier. A query that only reads (SELECT,
 * WITH, SHOW, VALUES, TABLE, EXPLAIN) runs on a read-only connection, so the database itself
 * refuses a write, and it runs in dry-run and as a check ({@code expect: { first.x: … }}).
 *
 * <pre>
 * - id: seeded
 *   uses: db.query
 *   with:
 *     target: { url: "${{ params.jdbc_url }}", user: app, password: "${{ params.db_password }}" }
 *     sql: select email from users where active = ? order by email
 *     parameters: [true]
 *     rows: [{ email: a@example.com }, { email: b@example.com }]
 * </pre>
 */
public final class DbQueryStep implements StepType<DbQueryStep.Config> {
    private static final int MAX_ROWS = 1000;
    private static final int SHOWN_ROWS = 20;
    private static final List<String> READING = List.of("select", "with", "show", "values", "table", "explain");

    public record Config(
            @Key(value = "the database: { url, user, password }", required = true) Map<String, String> target,
            @Key(value = "the SQL (one statement when it has parameters); values go in as parameters, never as ${{ }}; "
                    + "a table or column name as ${{ ident(params.table) }}", required = true) String sql,
            @Key("values for the ? placeholders, in order") List<Value> parameters,
            @Key("the rows that must come back, in order: a mapping of column to value each (compared as text)") List<Map<String, String>> rows,
            @Key("how many rows must come back") Integer count) {
        public Config {
            DbEndpoint.from(target, "target");
            parameters = parameters == null ? List.of() : parameters;
        }
    }

    @Override
    public String name() {
        return "db.query";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "SQL on `target` with `parameters` bound to `?` (no `${{ }}` inside `sql` but `${{ ident(…) }}`, a "
                + "quoted table or column name); `rows` (expected rows, in order, compared as text) and `count`: a "
                + "difference **halts** with both shown; a query that only reads runs on a read-only connection, in "
                + "dry-run and as a check (`expect: { first.is_test: true }`)";
    }

    @Override
    public String example() {
        return """
                - id: seeded
                  uses: db.query
                  with:
                    target: { url: "${{ params.jdbc_url }}", user: app, password: "${{ params.db_password }}" }
                    sql: select email from users order by email
                    rows: [{ email: a@example.com }, { email: b@example.com }]
                """;
    }

    @Override
    public Map<String, CodeKey> codeKeys() {
        return Map.of("sql", new CodeKey("SQL", "write ? in its place and give the value in parameters: [\"%s\"]", Sql::identifier));
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("rows", ResultShape.listOf(ResultShape.mapOf(ResultShape.VALUE)), "first", ResultShape.mapOf(ResultShape.VALUE),
                "count", ResultShape.VALUE, "updated", ResultShape.VALUE);
    }

    /** Whether the SQL only reads, by its first word (comments skipped); the connection is then read-only too. */
    @Override
    public boolean readOnly(Config c) {
        String sql = c.sql().replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)--.*$", " ").strip().toLowerCase(Locale.ROOT);
        String first = sql.split("[\\s(]", 2)[0];
        return READING.contains(first) && !(first.equals("explain") && sql.contains("analyze"));
    }

    @Override
    public List<String> plan(Config c) {
        List<String> lines = new ArrayList<>();
        lines.add((readOnly(c) ? "query (read-only) " : "run SQL on ") + DbEndpoint.from(c.target(), "target").describe());
        for (String l : c.sql().strip().split("\n")) lines.add("  " + l);
        if (!c.parameters().isEmpty()) lines.add("parameters: " + c.parameters().stream().map(v -> String.valueOf(v.plain())).toList());
        if (c.rows() != null) lines.add("must return " + c.rows().size() + " row(s): " + c.rows());
        if (c.count() != null) lines.add("must return " + c.count() + " row(s)");
        return lines;
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws Exception {
        DbEndpoint db = DbEndpoint.from(c.target(), "target");
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Object> data = new LinkedHashMap<>();
        try (Connection conn = db.open(readOnly(c)); PreparedStatement st = conn.prepareStatement(c.sql())) {
            for (int i = 0; i < c.parameters().size(); i++) st.setObject(i + 1, c.parameters().get(i).plain());
            boolean hasRows = st.execute();
            int count = 0;
            if (hasRows) {
                try (ResultSet rs = st.getResultSet()) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        count++;
                        if (rows.size() >= MAX_ROWS) continue;
                        Map<String, Object> row = new LinkedHashMap<>();
                        for (int col = 1; col <= md.getColumnCount(); col++) row.put(md.getColumnLabel(col), plain(rs.getObject(col)));
                        rows.add(row);
                    }
                }
                rows.stream().limit(SHOWN_ROWS).forEach(r -> ctx.line(r.toString()));
                if (count > SHOWN_ROWS) ctx.line("… " + (count - SHOWN_ROWS) + " more row(s)");
                ctx.line(count + " row(s)");
            } else {
                data.put("updated", st.getUpdateCount());
                ctx.line(st.getUpdateCount() + " row(s) changed");
            }
            data.put("rows", rows);
            data.put("first", rows.isEmpty() ? Map.of() : rows.get(0));
            data.put("count", hasRows ? count : st.getUpdateCount());
            data.putIfAbsent("updated", null);
            String mismatch = mismatch(c, rows, count);
            if (mismatch != null) return StepResult.halted("the query's rows are not the expected ones: " + mismatch, mismatch, data);
            return StepResult.ok(hasRows ? count + " row(s)" : st.getUpdateCount() + " row(s) changed", data);
        }
    }

    /** What differs from {@code rows} and {@code count}, or null. */
    private static String mismatch(Config c, List<Map<String, Object>> rows, int count) {
        if (c.count() != null && c.count() != count) return "expected " + c.count() + " row(s), got " + count;
        if (c.rows() == null) return null;
        if (c.rows().size() != rows.size()) return "expected " + c.rows().size() + " row(s) " + c.rows() + ", got " + rows.size() + " " + rows;
        for (int i = 0; i < rows.size(); i++) {
            for (Map.Entry<String, String> e : c.rows().get(i).entrySet()) {
                Object actual = rows.get(i).get(e.getKey());
                if (!rows.get(i).containsKey(e.getKey())) return "row " + (i + 1) + " has no column " + e.getKey() + ": " + rows.get(i);
                if (!Objects.equals(e.getValue(), actual == null ? null : String.valueOf(actual))) {
                    return "row " + (i + 1) + " column " + e.getKey() + ": expected " + e.getValue() + ", got " + actual;
                }
            }
        }
        return null;
    }

    private static Object plain(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Integer) return v;
        if (v instanceof Number n) return n.toString();
        return String.valueOf(v);
    }
}
