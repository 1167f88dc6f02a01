package dev.lockstep.steps.db;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code db.verify}: row counts of every table, source against target, and with
 * {@code checksum: true} their contents. Any difference HALTS the run with a table of
 * source, target and verdict per table. As a check it holds when everything matches.
 *
 * <pre>
 * - id: verify
 *   uses: db.verify
 *   with:
 *     source: { url: "jdbc:sqlite:${{ params.sqlite }}" }
 *     target: { url: "${{ params.pg_url }}", user: zooid, password: "${{ params.db_password }}" }
 *     tables: [events, event_tags, kv]     # default: every table either side has
 *     checksum: true
 * </pre>
 */
public final class DbVerifyStep implements StepType<DbVerifyStep.Config> {
    public record Config(
            @Key(value = "the database the data came from: { url, user, password }", required = true) Map<String, String> source,
            @Key(value = "the database the data went to: { url, user, password }", required = true) Map<String, String> target,
            @Key("tables to compare (default: all tables either side has; one on one side only is a mismatch)") List<String> tables,
            @Key("tables to leave out of 'all' (default: flyway_schema_history)") List<String> exclude,
            @Key("also compare contents, by chunked order-independent checksums (default false)") Boolean checksum,
            @Key("tables compared at once (default 2)") Integer parallel) implements TwoDatabases {
        public Config {
            DbEndpoint.from(source, "source");
            DbEndpoint.from(target, "target");
            exclude = exclude == null ? Verifier.DEFAULT_EXCLUDE : exclude;
            checksum = Boolean.TRUE.equals(checksum);
            parallel = parallel == null ? 2 : parallel;
            if (parallel < 1) throw new IllegalArgumentException("parallel must be at least 1");
        }
    }

    @Override
    public String name() {
        return "db.verify";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "row counts of every table (or `tables`), SQLite or PostgreSQL on either side, both sides at once; "
                + "with `checksum: true` also contents; any difference **halts** with a per-table table; as a check it "
                + "holds when all match";
    }

    @Override
    public String example() {
        return """
                - id: verify
                  uses: db.verify
                  with:
                    source: { url: "jdbc:sqlite:${{ params.sqlite }}" }
                    target: { url: "${{ params.pg_url }}", user: zooid, password: "${{ params.db_password }}" }
                    checksum: true
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return Verifier.SHAPE;
    }

    @Override
    public boolean readsOnly() {
        return true;
    }

    @Override
    public List<String> plan(Config c) {
        List<String> lines = new ArrayList<>();
        lines.add("compare row counts" + (c.checksum() ? " and checksums" : "") + " of "
                + (c.tables() == null ? "every table (except " + String.join(", ", c.exclude()) + ")" : String.join(", ", c.tables())));
        lines.add("source: " + c.from().describe());
        lines.add("target: " + c.to().describe());
        lines.add("any difference halts the run");
        return lines;
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws Exception {
        return new Verifier(c.from(), c.to(), ctx).verify(c.tables(), c.exclude(), c.checksum(), c.parallel())
                .toResult(c.checksum() ? "counts and checksums" : "row counts");
    }
}
