package dev.lockstep.steps.db;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;

/**
 * {@code flyway}: {@code migrate}, {@code validate} or {@code info} against a database,
 * with SQL migrations from folders beside the runbook. {@code validate} and {@code info}
 * change nothing, so they run in dry-run and serve as preconditions.
 *
 * <pre>
 * - id: schema
 *   uses: flyway
 *   with:
 *     command: migrate
 *     target: { url: "${{ params.pg_url }}", user: zooid, password: "${{ params.db_password }}" }
 *     locations: [migrations]
 *   outputs: { version: "${{ result.current }}" }
 * </pre>
 */
public final class FlywayStep implements StepType<FlywayStep.Config> {
    public record Config(
            @Key(value = "migrate, validate or info", required = true) String command,
            @Key(value = "the database: { url, user, password }", required = true) Map<String, String> target,
            @Key("folders of V<version>__<name>.sql files, relative to the runbook (default: migrations)") List<String> locations) {
        public Config {
            if (command != null && !List.of("migrate", "validate", "info").contains(command)) {
                throw new IllegalArgumentException("command must be migrate, validate or info, got '" + command + "'");
            }
            DbEndpoint.from(target, "target");
            locations = locations == null ? List.of("migrations") : locations;
        }
    }

    @Override
    public String name() {
        return "flyway";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "`command: migrate`, `validate` or `info` on `target`, migrations from `locations` beside the "
                + "runbook; validate/info are read-only";
    }

    @Override
    public String example() {
        return """
                - id: schema
                  uses: flyway
                  with:
                    command: migrate
                    target: { url: "${{ params.pg_url }}", user: zooid, password: "${{ params.db_password }}" }
                    locations: [migrations]
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("migrated", ResultShape.VALUE, "invalid", ResultShape.listOf(ResultShape.VALUE), "applied", ResultShape.listOf(ResultShape.VALUE),
                "pending", ResultShape.VALUE, "current", ResultShape.VALUE);
    }

    @Override
    public boolean readOnly(Config c) {
        return !c.command().equals("migrate");
    }

    @Override
    public List<String> plan(Config c) {
        return List.of("flyway " + c.command() + " on " + DbEndpoint.from(c.target(), "target").describe(),
                "migrations from " + String.join(", ", c.locations()));
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws Exception {
        DbEndpoint db = DbEndpoint.from(c.target(), "target");
        List<String> locations = new ArrayList<>();
        for (String l : c.locations()) {
            Path dir = ctx.workDir().resolve(l).normalize();
            if (!Files.isDirectory(dir)) return StepResult.failed("migrations folder " + dir + " does not exist", Map.of());
            locations.add("filesystem:" + dir);
        }
        Flyway flyway = Flyway.configure(getClass().getClassLoader())
                .loggers("slf4j")
                .dataSource(db.url(), db.user(), db.password())
                .locations(locations.toArray(String[]::new))
                .load();
        Map<String, Object> data = new LinkedHashMap<>();
        switch (c.command()) {
            case "migrate" -> {
                MigrateResult r = flyway.migrate();
                r.migrations.forEach(m -> ctx.line("applied " + m.version + " " + m.description + " (" + m.executionTime + " ms)"));
                ctx.line(r.migrationsExecuted + " migration(s) applied");
                data.put("migrated", r.migrationsExecuted);
            }
            case "validate" -> {
                ValidateResult v = flyway.validateWithResult();
                if (!v.validationSuccessful) {
                    List<String> problems = new ArrayList<>();
                    for (ValidateOutput o : v.invalidMigrations) {
                        String p = (o.version.isEmpty() ? o.description : o.version) + ": " + o.errorDetails.errorMessage;
                        problems.add(p);
                        ctx.line("invalid: " + p);
                    }
                    data.put("invalid", problems);
                    info(flyway, data);
                    return StepResult.failed("flyway validate: " + problems.size() + " invalid migration(s)", data);
                }
                ctx.line("migrations are valid");
            }
            default -> {
                for (MigrationInfo i : flyway.info().all()) {
                    ctx.line(String.format("%-10s %-40s %s", i.getVersion() == null ? "R" : i.getVersion().getVersion(),
                            i.getDescription(), i.getState().getDisplayName()));
                }
            }
        }
        info(flyway, data);
        return StepResult.ok("flyway " + c.command() + ": at version " + data.get("current") + ", " + data.get("pending")
                + " pending", data);
    }

    private static void info(Flyway flyway, Map<String, Object> data) {
        var info = flyway.info();
        data.put("applied", java.util.Arrays.stream(info.applied())
                .filter(i -> i.getVersion() != null).map(i -> i.getVersion().getVersion()).toList());
        data.put("pending", info.pending().length);
        data.put("current", info.current() == null || info.current().getVersion() == null ? "none"
                : info.current().getVersion().getVersion());
    }
}
