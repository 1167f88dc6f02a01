package dev.lockstep.steps.db;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code alembic}: {@code upgrade} or {@code downgrade} to a revision, {@code current},
 * {@code heads} or {@code history}, run with the project's own {@code alembic} executable and
 * configuration, in the configuration's folder. The database URL goes to the project in an
 * environment variable ({@code DATABASE_URL}, as env.py files read it), never on a command
 * line; give its password from a secret parameter and it is masked everywhere. An upgrade or
 * downgrade journals the revision it found before changing anything; its rollback goes back
 * to that revision. {@code current}, {@code heads} and {@code history} change nothing, so they
 * run in dry-run and as checks.
 *
 * <pre>
 * - id: upgrade
 *   uses: alembic
 *   with: { command: upgrade, revision: head, config: backend/alembic.ini, url: "${{ params.database_url }}" }
 *   outputs: { before: "${{ result.before }}", after: "${{ result.after }}" }
 * </pre>
 */
public final class AlembicStep implements StepType<AlembicStep.Config> {
    static final String BEFORE = "before";
    private static final List<String> COMMANDS = List.of("upgrade", "downgrade", "current", "heads", "history");
    /**
     * A revision as alembic takes one (head, base, -1, +2, ae1027a6acf, branch@head, ae10+2): it is one
     * argument of alembic's command line, so a value that starts like an option (--sql, -x) is refused.
     */
    private static final Pattern REVISION = Pattern.compile("-\\d+|[A-Za-z0-9_+][A-Za-z0-9_.@:+-]*");

    public record Config(
            @Key(value = "upgrade, downgrade, current, heads or history", required = true) String command,
            @Key("the revision to upgrade or downgrade to (upgrade: default head; downgrade: required, such as -1 or base)") String revision,
            @Key("the project's alembic.ini, relative to the runbook (default alembic.ini)") String config,
            @Key("the database URL, given to the project in the variable urlEnv (SQLAlchemy form: postgresql+psycopg2://…)") String url,
            @Key("the variable env.py reads the URL from (default DATABASE_URL)") String urlEnv,
            @Key("the alembic executable: a name on PATH or a path relative to the runbook (default alembic)") String executable,
            @Key("more environment variables for alembic") Map<String, String> env) {
        public Config {
            if (command != null && !COMMANDS.contains(command)) {
                throw new IllegalArgumentException("command must be one of " + String.join(", ", COMMANDS) + ", got '" + command + "'");
            }
            if ("downgrade".equals(command) && revision == null) {
                throw new IllegalArgumentException("downgrade needs a revision (such as -1, base or a revision id)");
            }
            if (revision != null && !REVISION.matcher(revision).matches()) {
                throw new IllegalArgumentException("revision: expected a revision such as head, base, -1 or an id, got '"
                        + revision + "' (it is an argument of alembic's command line, never an option)");
            }
            if (revision == null && "upgrade".equals(command)) revision = "head";
            config = config == null ? "alembic.ini" : config;
            urlEnv = urlEnv == null ? "DATABASE_URL" : urlEnv;
            executable = executable == null ? "alembic" : executable;
            env = env == null ? Map.of() : env;
        }

        boolean changes() {
            return command.equals("upgrade") || command.equals("downgrade");
        }
    }

    @Override
    public String name() {
        return "alembic";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "`command`: `upgrade` (to `revision`, default head), `downgrade` (to `revision`: -1, base, an id), "
                + "`current`, `heads`, `history`, with the project's own `executable` (default `alembic`) and `config` "
                + "(alembic.ini), run in its folder; `url` reaches env.py as `$DATABASE_URL` (`urlEnv`), never on a "
                + "command line; the revision found is journaled before a change and the rollback returns to it; "
                + "current/heads/history are read-only";
    }

    @Override
    public String example() {
        return """
                - id: upgrade
                  uses: alembic
                  with: { command: upgrade, revision: head, config: backend/alembic.ini, url: "${{ params.database_url }}" }
                  outputs: { before: "${{ result.before }}", after: "${{ result.after }}" }
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("before", ResultShape.VALUE, "after", ResultShape.VALUE, "heads", ResultShape.listOf(ResultShape.VALUE),
                "output", ResultShape.VALUE);
    }

    @Override
    public boolean readOnly(Config c) {
        return !c.changes();
    }

    @Override
    public boolean hasRollback(Config c) {
        return c.changes();
    }

    @Override
    public List<String> plan(Config c) {
        List<String> lines = new ArrayList<>();
        lines.add("$ " + String.join(" ", arguments(c, c.command(), c.revision())));
        if (c.url() != null) lines.add(c.urlEnv() + "=" + maskPassword(c.url()));
        if (c.changes()) lines.add("records the current revision first; the rollback returns to it");
        return lines;
    }

    /** A URL as the plan shows it: user, host and database, never a password. */
    static String maskPassword(String url) {
        return url.replaceAll("(://[^:/@]*):[^@/]*@", "$1:******@");
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws Exception {
        Map<String, Object> data = new LinkedHashMap<>();
        if (!c.changes()) {
            AlembicProcess.Result r = alembic(c, ctx, c.command(), null);
            data.put("output", r.stdout());
            List<String> revisions = r.revisions();
            data.put("heads", c.command().equals("heads") ? revisions : List.of());
            data.put("before", c.command().equals("current") ? joined(revisions) : null);
            data.put("after", data.get("before"));
            return r.exit() == 0 ? StepResult.ok("alembic " + c.command() + (c.command().equals("history") ? "" : ": " + joined(revisions)), data)
                    : StepResult.failed(r.failure(c.command()), data);
        }
        String before = ctx.externalIds().get(BEFORE);
        if (before == null) {
            AlembicProcess.Result current = alembic(c, ctx, "current", null);
            if (current.exit() != 0) return StepResult.failed(current.failure("current"), data);
            before = joined(current.revisions());
            ctx.recordExternalId(BEFORE, before);
        }
        ctx.note("revision before: " + before);
        AlembicProcess.Result r = alembic(c, ctx, c.command(), c.revision());
        data.put("before", before);
        data.put("output", r.stdout());
        if (r.exit() != 0) return StepResult.failed(r.failure(c.command() + " " + c.revision()), data);
        AlembicProcess.Result after = alembic(c, ctx, "current", null);
        if (after.exit() != 0) return StepResult.failed(after.failure("current"), data);
        data.put("after", joined(after.revisions()));
        data.put("heads", List.of());
        ctx.note("revision after: " + data.get("after"));
        return StepResult.ok("alembic " + c.command() + ": " + before + " → " + data.get("after"), data);
    }

    /** Goes back to the revision the step found: a downgrade after an upgrade, an upgrade after a downgrade. */
    @Override
    public List<String> planRollback(Config c) {
        String back = c.command().equals("upgrade") ? "downgrade" : "upgrade";
        return List.of("$ " + String.join(" ", arguments(c, back, "REVISION")),
                "REVISION: the revision the database is at when the step starts (journaled before the " + c.command() + ")");
    }

    @Override
    public StepResult rollback(Config c, StepContext ctx) throws Exception {
        String before = ctx.externalIds().get(BEFORE);
        if (before == null) return StepResult.ok("nothing to undo: the step changed nothing", Map.of());
        if (before.contains(",")) return StepResult.failed("the database was at several heads (" + before + "): go back by hand", Map.of());
        String back = c.command().equals("upgrade") ? "downgrade" : "upgrade";
        AlembicProcess.Result r = alembic(c, ctx, back, before);
        return r.exit() == 0 ? StepResult.ok("alembic " + back + " " + before, Map.of()) : StepResult.failed(r.failure(back + " " + before), Map.of());
    }

    /** The database's revision(s) as one value: "base" when it has none, several joined by commas. */
    private static String joined(List<String> revisions) {
        return revisions.isEmpty() ? "base" : String.join(",", revisions);
    }

    private static List<String> arguments(Config c, String command, String revision) {
        List<String> args = new ArrayList<>(List.of(c.executable(), "-c", Path.of(c.config()).getFileName().toString(), command));
        if (revision != null && (command.equals("upgrade") || command.equals("downgrade"))) args.add(revision);
        return args;
    }

    private static AlembicProcess.Result alembic(Config c, StepContext ctx, String command, String revision) throws IOException, InterruptedException {
        Path ini = ctx.workDir().resolve(c.config()).normalize();
        if (!Files.isRegularFile(ini)) throw new IOException("no Alembic configuration at " + ini);
        List<String> args = arguments(c, command, revision);
        args.set(0, AlembicProcess.resolve(c.executable(), ctx.workDir()));
        ctx.note("$ " + String.join(" ", arguments(c, command, revision)));
        Map<String, String> env = new LinkedHashMap<>(ctx.env());
        env.putAll(c.env());
        if (c.url() != null) env.put(c.urlEnv(), c.url());
        return AlembicProcess.run(args, ini.getParent(), env, ctx);
    }
}
