package dev.lockstep.store;

import dev.lockstep.journal.Event;
import dev.lockstep.journal.Journal;
import dev.lockstep.journal.Records;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;

/**
 * Runs kept in PostgreSQL, in a schema of their own (created and migrated by Flyway), so a team
 * shares them: events as rows keyed by (run, seq), step output in chunks, and a lease per run
 * naming its driver. Nothing of lockstep's runs besides PostgreSQL: no server of its own.
 */
public final class PostgresStore implements StateStore {
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
    /** How long a statement may wait on the network before the store counts as unreachable. */
    static final int SOCKET_TIMEOUT_SECONDS = 15;
    private static final String MIGRATIONS = "classpath:dev/lockstep/store/migration";
    /** The version of the last migration in {@link #MIGRATIONS}; a test keeps the two in step. */
    public static final int SCHEMA_VERSION = 3;

    private final PostgresUrl url;
    private final Duration lease;
    private Connection reader;

    private PostgresStore(PostgresUrl url, Duration lease) {
        this.url = url;
        this.lease = lease;
    }

    /** Connects, and creates or migrates the schema; refuses a schema newer than this lockstep knows. */
    public static PostgresStore open(PostgresUrl url, Duration lease) {
        PostgresStore store = new PostgresStore(url, lease);
        store.migrate();
        return store;
    }

    PostgresUrl url() {
        return url;
    }

    Duration lease() {
        return lease;
    }

    /** A table of lockstep's schema, for SQL text (the schema name is checked to be a plain identifier). */
    String table(String name) {
        return url.schema() + "." + name;
    }

    /**
     * The channel that announces a run's new records and log chunks: one per run (named by a digest
     * of schema and run id, which fits PostgreSQL's 63 characters), so a watcher wakes only for its run.
     */
    String channel(String runId) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((url.schema() + ":" + runId).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "lockstep_" + java.util.HexFormat.of().formatHex(d, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /**
     * Brings the schema to this lockstep's version. A schema already there costs one query; Flyway
     * (whose start-up takes a noticeable part of a second) runs only to create or migrate it.
     */
    private void migrate() {
        boolean current = query("cannot read the schema version", c -> {
            Set<String> applied = new HashSet<>();
            try (PreparedStatement s = c.prepareStatement("SELECT version, success FROM " + table("flyway_schema_history")
                    + " WHERE version IS NOT NULL"); ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    if (!r.getBoolean(2)) return false;
                    applied.add(r.getString(1));
                }
            } catch (SQLException e) {
                if ("42P01".equals(e.getSQLState())) return false;
                throw e;
            }
            Set<String> known = new HashSet<>();
            for (int v = 1; v <= SCHEMA_VERSION; v++) known.add(String.valueOf(v));
            return applied.equals(known);
        });
        if (current) return;
        try {
            Flyway flyway = Flyway.configure(PostgresStore.class.getClassLoader())
                    .loggers("slf4j")
                    .dataSource(url.jdbcUrl(), url.user(), url.password())
                    .schemas(url.schema())
                    .defaultSchema(url.schema())
                    .createSchemas(true)
                    .locations(MIGRATIONS)
                    .load();
            for (MigrationInfo m : flyway.info().all()) {
                if (m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED) {
                    throw new LockstepException(ErrorCode.STATE_CORRUPT, "the state store " + describe() + " has schema version "
                            + m.getVersion() + " (" + m.getDescription() + "), written by a newer lockstep; this one knows "
                            + "versions up to " + latestKnown(flyway) + ". Use a newer lockstep, or another schema (?schema=NAME)");
                }
            }
            flyway.migrate();
        } catch (FlywayException e) {
            throw unavailable("cannot prepare the schema " + url.schema(), e);
        }
    }

    private static String latestKnown(Flyway flyway) {
        String latest = "none";
        for (MigrationInfo m : flyway.info().all()) {
            if (m.getState() != MigrationState.FUTURE_SUCCESS && m.getState() != MigrationState.FUTURE_FAILED
                    && m.getVersion() != null) {
                latest = m.getVersion().getVersion();
            }
        }
        return latest;
    }

    /** A new connection, named in pg_stat_activity; failing to connect means the store is unavailable. */
    Connection connect(String purpose) {
        try {
            Connection c = DriverManager.getConnection(url.jdbcUrl(), url.properties("lockstep " + purpose,
                    SOCKET_TIMEOUT_SECONDS));
            c.setAutoCommit(true);
            return c;
        } catch (SQLException e) {
            throw unavailable("cannot connect", e);
        }
    }

    /** Why a statement failed, without the statement (a batch's message repeats the records it carried). */
    static String reason(Exception e) {
        Throwable cause = e instanceof java.sql.BatchUpdateException b && b.getNextException() != null ? b.getNextException() : e;
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** The store could not be reached or refused to work: said with the store's name, never its password. */
    LockstepException unavailable(String what, Exception e) {
        String why = reason(e);
        if (url.password() != null && !url.password().isEmpty()) why = why.replace(url.password(), "******");
        return new LockstepException(ErrorCode.STATE_UNAVAILABLE, "state store " + describe() + ": " + what + ": " + why, e);
    }

    /** Runs a read on the shared connection, connecting again once if it broke. */
    synchronized <T> T query(String what, Sql<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                if (reader == null || reader.isClosed()) reader = connect("reader");
                return work.run(reader);
            } catch (SQLException e) {
                closeQuietly(reader);
                reader = null;
                if (attempt >= 2 || !isConnectionTrouble(e)) throw unavailable(what, e);
            }
        }
    }

    /** Work on a connection. */
    interface Sql<T> {
        T run(Connection c) throws SQLException;
    }

    static boolean isConnectionTrouble(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("57P");
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception e) {
            // Closing a connection that already broke: nothing more to release.
        }
    }

    @Override
    public String describe() {
        return url.describe();
    }

    @Override
    public String newRunId(String runbookName) {
        return dev.lockstep.journal.StateDir.newRunId(runbookName);
    }

    @Override
    public List<String> runIds() {
        return query("cannot list runs", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT run_id FROM " + table("runs") + " ORDER BY updated_at, run_id");
                 ResultSet r = s.executeQuery()) {
                List<String> out = new ArrayList<>();
                while (r.next()) out.add(r.getString(1));
                return out;
            }
        });
    }

    @Override
    public boolean exists(String runId) {
        return query("cannot look for run " + runId, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM " + table("runs") + " WHERE run_id = ?")) {
                s.setString(1, runId);
                try (ResultSet r = s.executeQuery()) {
                    return r.next();
                }
            }
        });
    }

    /** Names record N of a run in messages. */
    String source(String runId) {
        return describe() + "#" + runId;
    }

    @Override
    public Stored read(String runId) {
        dev.lockstep.journal.StateDir.requireRunId(runId);
        List<String> records = query("cannot read run " + runId, c -> records(c, runId));
        if (records == null) throw new LockstepException(ErrorCode.NOT_FOUND, "no run " + runId + " in " + describe());
        return new Stored(decode(runId, records), List.of(), source(runId));
    }

    /** A run's record texts in order, or null when there is no such run. */
    List<String> records(Connection c, String runId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT r.run_id, e.seq, e.record FROM " + table("runs") + " r LEFT JOIN "
                + table("events") + " e ON e.run_id = r.run_id WHERE r.run_id = ? ORDER BY e.seq")) {
            s.setString(1, runId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) return null;
                List<String> out = new ArrayList<>();
                do {
                    if (r.getString(3) != null) out.add(r.getString(3));
                } while (r.next());
                return out;
            }
        }
    }

    /** Decodes records, refusing any damage, a gap, or a newer journal format. */
    List<Event> decode(String runId, List<String> records) {
        List<Event> events = new ArrayList<>();
        for (String record : records) {
            String where = source(runId) + ":" + (events.size() + 1) + ": ";
            Event e = Records.decodeWhole(record, where);
            if (e.seq() != events.size() + 1) {
                throw new LockstepException(ErrorCode.STATE_CORRUPT, where + "expected record " + (events.size() + 1)
                        + ", found record " + e.seq());
            }
            if (events.isEmpty()) Journal.requireKnownFormat(e, where);
            events.add(e);
        }
        return events;
    }

    @Override
    public HeldRun create(String runId, String command) {
        return PgRun.create(this, dev.lockstep.journal.StateDir.requireRunId(runId), command);
    }

    @Override
    public HeldRun open(String runId, Opening how) {
        return PgRun.open(this, dev.lockstep.journal.StateDir.requireRunId(runId), how);
    }

    @Override
    public Optional<RunHolder> holder(String runId) {
        return query("cannot read the lease of run " + runId, c -> Lease.read(this, c, runId)).map(Lease::holder);
    }

    @Override
    public Exclusion exclude(String runbookName, String command) {
        return PgExclusion.acquire(this, runbookName);
    }

    @Override
    public List<String> readLog(String runId, String log) {
        return query("cannot read the log " + log + " of run " + runId, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT lines FROM " + table("logs")
                    + " WHERE run_id = ? AND log = ? ORDER BY chunk")) {
                s.setString(1, runId);
                s.setString(2, log);
                List<String> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.addAll(List.of(r.getString(1).split("\n", -1)));
                }
                return out;
            }
        });
    }

    @Override
    public List<String> logNames(String runId) {
        return query("cannot list the logs of run " + runId, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT DISTINCT log FROM " + table("logs")
                    + " WHERE run_id = ? ORDER BY log")) {
                s.setString(1, runId);
                List<String> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) out.add(r.getString(1));
                }
                return out;
            }
        });
    }

    @Override
    public Follow follow(String runId) {
        if (!exists(runId)) throw new LockstepException(ErrorCode.NOT_FOUND, "no run " + runId + " in " + describe());
        return new PgFollow(this, runId);
    }

    @Override
    public Path defaultReport(String runId) {
        return Path.of("report-" + runId + ".md");
    }

    @Override
    public Optional<String> movedTo(String runId) {
        return query("cannot read run " + runId, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT moved_to FROM " + table("runs") + " WHERE run_id = ?")) {
                s.setString(1, runId);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.ofNullable(r.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public void savePlan(PlanRecord plan) {
        query("cannot record plan " + plan.id(), c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO " + table("plans")
                    + " (plan_id, file_sha256, runbook, saved_at, key, secret_digests) VALUES (?, ?, ?, ?, ?, ?)")) {
                s.setString(1, plan.id());
                s.setString(2, plan.fileSha256());
                s.setString(3, plan.runbook());
                s.setObject(4, java.time.OffsetDateTime.parse(plan.savedAt()));
                s.setString(5, plan.key());
                s.setString(6, dev.lockstep.spi.Json.write(plan.secretDigests()));
                return s.executeUpdate();
            }
        });
    }

    @Override
    public String approverIdentity() {
        return query("cannot ask the database who this is", c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT session_user"); ResultSet r = s.executeQuery()) {
                r.next();
                return r.getString(1);
            }
        });
    }

    @Override
    public ApprovalRecord recordApproval(String runId, String step, boolean approves, String digest, String host, String reason) {
        String id = java.util.UUID.randomUUID().toString();
        query("cannot record the " + (approves ? "approval" : "rejection") + " of step " + step, c -> {
            // approver and at are the database's (a trigger sets them), whatever this statement says.
            try (PreparedStatement s = c.prepareStatement("INSERT INTO " + table("approvals")
                    + " (id, run_id, step, verdict, digest, reason, host) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, id);
                s.setString(2, runId);
                s.setString(3, step);
                s.setString(4, approves ? "approve" : "reject");
                s.setString(5, digest);
                s.setString(6, reason);
                s.setString(7, host);
                return s.executeUpdate();
            }
        });
        return approvals(runId, step).stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow();
    }

    @Override
    public List<ApprovalRecord> approvals(String runId, String step) {
        return query("cannot read the approvals of step " + step, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT id, verdict, approver, at, host, digest, reason FROM "
                    + table("approvals") + " WHERE run_id = ? AND step = ? ORDER BY at, id")) {
                s.setString(1, runId);
                s.setString(2, step);
                List<ApprovalRecord> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new ApprovalRecord(r.getString(1), step, "approve".equals(r.getString(2)), r.getString(3),
                                r.getObject(4, java.time.OffsetDateTime.class).toInstant(), r.getString(5), r.getString(6),
                                r.getString(7)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<PlanRecord> plan(String planId) {
        return query("cannot read plan " + planId, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT file_sha256, runbook, saved_at, key, secret_digests, used_by FROM "
                    + table("plans") + " WHERE plan_id = ?")) {
                s.setString(1, planId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) return Optional.empty();
                    return Optional.of(new PlanRecord(planId, r.getString(1), r.getString(2),
                            r.getObject(3, java.time.OffsetDateTime.class).toInstant().toString(), r.getString(4),
                            (Map<String, String>) dev.lockstep.spi.Json.parse(r.getString(5)), r.getString(6)));
                }
            }
        });
    }

    @Override
    public Optional<String> usePlan(String planId, String runId) {
        return query("cannot record that plan " + planId + " is used", c -> {
            // One statement: of two runs started from one plan at the same moment, one sets it.
            try (PreparedStatement s = c.prepareStatement("UPDATE " + table("plans")
                    + " SET used_by = ?, used_at = now() WHERE plan_id = ? AND used_by IS NULL")) {
                s.setString(1, runId);
                s.setString(2, planId);
                if (s.executeUpdate() == 1) return Optional.<String>empty();
            }
            try (PreparedStatement s = c.prepareStatement("SELECT used_by FROM " + table("plans") + " WHERE plan_id = ?")) {
                s.setString(1, planId);
                try (ResultSet r = s.executeQuery()) {
                    return Optional.of(r.next() && r.getString(1) != null ? r.getString(1) : "another run");
                }
            }
        });
    }

    @Override
    public Optional<DatabaseAddress> database() {
        return Optional.of(url.address());
    }

    @Override
    public synchronized void close() {
        closeQuietly(reader);
        reader = null;
    }

    /** Waits, interruptibly; an interrupt ends the wait as Ctrl-C would. */
    static void pause(long millis) {
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockstepException(ErrorCode.INTERRUPTED, "interrupted");
        }
    }
}
