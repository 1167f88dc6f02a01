package dev.lockstep.store;

import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Identity;
import dev.lockstep.journal.Records;
import dev.lockstep.secret.Redactor;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.postgresql.PGConnection;

/**
 * A run this process drives in the PostgreSQL store, under a lease. A heartbeat renews the
 * lease; every append, in one transaction, locks the lease row and checks it is still this
 * process's, inserts record N under the (run, seq) key, and renews. So a process whose lease
 * was taken over fails its next append (on the token, or on the key) and stops; one that
 * cannot renew before the lease expires stops before its next append, and so before the next
 * effect, which is always journaled first.
 */
final class PgRun implements HeldRun {
    /** A chunk of log lines holds at most this much text, and a line is cut to it. */
    static final int CHUNK_CHARS = 64 * 1024;
    private static final int CHUNK_LINES = 1000;
    /** How often output lines are written while a step runs: watchers see them this late at most (plus their poll). */
    private static final long FLUSH_MS = 100;
    /** Output kept in memory while the store cannot take it; more is not logged (and said so). */
    private static final int MAX_PENDING_CHARS = 4 << 20;
    /** Renewals woken by writes to the run come at most this often. */
    private static final long MIN_RENEW_MS = 200;

    private final PostgresStore store;
    private final String runId;
    private final String token;
    private final String tookOver;
    private final List<Event> events;
    private final List<String> records;
    private final List<Pending> pending = new ArrayList<>();
    private final ScheduledExecutorService timers;
    private Connection conn;
    private Connection beat;
    /** The connection that LISTENs on the run's channel: the lease's, once it has said so. */
    private Connection listening;
    private long nextChunk;
    private int pendingChars;
    private Redactor redactor = Redactor.none();
    private volatile Consumer<String> notices = text -> { };
    private volatile Consumer<TakenOver> taken = t -> { };
    private volatile TakenOver lostTo;
    /** How many records this process knows (wrote or read): a RUN_RESUMED after them is another's. */
    private volatile long known;
    /** Set once the hold is lost (taken over, or not renewed in time): every later append is refused with it. */
    private volatile LockstepException lost;
    /** When the lease was last renewed, as this process's monotonic clock saw the renewal being sent. */
    private volatile long renewedNanos;
    private volatile String renewTrouble;
    private volatile boolean closed;
    /** A flush's connection broke: its chunks may or may not have been stored. */
    private boolean chunksInDoubt;

    private record Pending(String log, String line) {}

    private PgRun(PostgresStore store, String runId, String token, Connection conn, List<String> records, List<Event> events,
                  long nextChunk, String tookOver, long renewedNanos) {
        this.store = store;
        this.runId = runId;
        this.token = token;
        this.conn = conn;
        this.records = new ArrayList<>(records);
        this.events = new ArrayList<>(events);
        this.known = records.size();
        this.nextChunk = nextChunk;
        this.tookOver = tookOver;
        this.renewedNanos = renewedNanos;
        this.timers = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "lockstep-lease-" + runId);
            t.setDaemon(true);
            return t;
        });
        long beatMs = Math.max(200, store.lease().toMillis() / 3);
        timers.execute(() -> heartbeat(beatMs));
        timers.scheduleWithFixedDelay(this::flushInBackground, FLUSH_MS, FLUSH_MS, TimeUnit.MILLISECONDS);
    }

    static PgRun create(PostgresStore store, String runId, String command) {
        Connection c = store.connect("driver " + runId);
        long before = System.nanoTime();
        String token = UUID.randomUUID().toString();
        try {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO " + store.table("runs") + " (run_id) VALUES (?)")) {
                s.setString(1, runId);
                s.executeUpdate();
            }
            writeLease(store, c, runId, token, command, false);
            c.commit();
            c.setAutoCommit(true);
            return new PgRun(store, runId, token, c, List.of(), List.of(), 1, null, before);
        } catch (SQLException e) {
            PostgresStore.closeQuietly(c);
            if ("23505".equals(e.getSQLState())) {
                throw new LockstepException(ErrorCode.IO, "run " + runId + " already exists in " + store.describe());
            }
            throw store.unavailable("cannot create run " + runId, e);
        }
    }

    static PgRun open(PostgresStore store, String runId, StateStore.Opening how) {
        Connection c = store.connect("driver " + runId);
        long before = System.nanoTime();
        String token = UUID.randomUUID().toString();
        String tookOver = null;
        List<String> records;
        long nextChunk;
        try {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("SELECT moved_to FROM " + store.table("runs")
                    + " WHERE run_id = ? FOR UPDATE")) {
                s.setString(1, runId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) throw new LockstepException(ErrorCode.NOT_FOUND, "no run " + runId + " in " + store.describe());
                    if (r.getString(1) != null && !how.evenIfMoved()) throw LocalStore.movedAway(runId, r.getString(1));
                }
            }
            Optional<Lease> held = Lease.read(store, c, runId, true);
            if (held.isPresent()) {
                Lease l = held.get();
                if (l.live()) {
                    if (how.takeOver() == null) {
                        throw new LockstepException(ErrorCode.LOCK_HELD, "run " + runId + " is being driven by " + l.who() + "; "
                                + l.freshness() + ". Wait for it to finish or its lease to expire, or take it over: lockstep "
                                + "resume " + runId + " --take-over " + runId + " (recorded in the run)");
                    }
                    StateStore.requireTyped(runId, how.takeOver(), "--take-over");
                    tookOver = "the live lease of " + l.who() + " (" + l.freshness() + "), on typed confirmation";
                } else {
                    tookOver = "the expired lease of " + l.who() + " (" + l.freshness() + ")";
                }
            }
            writeLease(store, c, runId, token, how.command(), held.isPresent());
            records = store.records(c, runId);
            try (PreparedStatement s = c.prepareStatement("SELECT coalesce(max(chunk), 0) + 1 FROM " + store.table("logs")
                    + " WHERE run_id = ?")) {
                s.setString(1, runId);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    nextChunk = r.getLong(1);
                }
            }
            c.commit();
            c.setAutoCommit(true);
        } catch (SQLException e) {
            PostgresStore.closeQuietly(c);
            throw store.unavailable("cannot open run " + runId, e);
        } catch (RuntimeException e) {
            PostgresStore.closeQuietly(c);
            throw e;
        }
        PgRun run = new PgRun(store, runId, token, c, records, List.of(), nextChunk, tookOver, before);
        try {
            run.events.addAll(store.decode(runId, records));
            return run;
        } catch (RuntimeException e) {
            run.close();
            throw e;
        }
    }

    private static void writeLease(PostgresStore store, Connection c, String runId, String token, String command,
                                   boolean replace) throws SQLException {
        String sql = replace
                ? "UPDATE " + store.table("leases") + " SET token = ?::uuid, operator = ?, host = ?, pid = ?, command = ?, "
                        + "since = now(), renewed_at = now(), expires_at = now() + ? * interval '1 millisecond' WHERE run_id = ?"
                : "INSERT INTO " + store.table("leases") + " (token, operator, host, pid, command, since, renewed_at, "
                        + "expires_at, run_id) VALUES (?::uuid, ?, ?, ?, ?, now(), now(), now() + ? * interval '1 millisecond', ?)";
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, token);
            s.setString(2, Identity.operator());
            s.setString(3, Identity.host());
            s.setLong(4, ProcessHandle.current().pid());
            s.setString(5, command);
            s.setLong(6, store.lease().toMillis());
            s.setString(7, runId);
            s.executeUpdate();
        }
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public String source() {
        return store.source(runId);
    }

    @Override
    public synchronized List<Event> events() {
        return Collections.unmodifiableList(new ArrayList<>(events));
    }

    @Override
    public synchronized List<String> records() {
        return Collections.unmodifiableList(new ArrayList<>(records));
    }

    @Override
    public List<String> warnings() {
        return List.of();
    }

    @Override
    public synchronized void redactWith(Redactor redactor) {
        this.redactor = redactor;
    }

    @Override
    public void onNotice(Consumer<String> notices) {
        this.notices = notices;
    }

    @Override
    public void onTakenOver(Consumer<TakenOver> taken) {
        this.taken = taken;
    }

    @Override
    public Optional<TakenOver> lostTo() {
        return Optional.ofNullable(lostTo);
    }

    @Override
    public Optional<String> tookOver() {
        return Optional.ofNullable(tookOver);
    }

    @Override
    public synchronized Event append(EventType type, String step, EventData data) {
        Event e = Records.make(events.size() + 1L, type, step, data, redactor);
        String record = Records.encode(e);
        String runbook = e.data() instanceof EventData.RunStarted rs ? rs.name() : null;
        write(List.of(e), List.of(record), runbook, describe(e));
        events.add(e);
        records.add(record);
        known = records.size();
        return e;
    }

    private static String describe(Event e) {
        return e.type() + (e.step() != null ? " of step " + e.step() : "");
    }

    @Override
    public synchronized void appendRecords(List<String> more) {
        List<Event> read = new ArrayList<>();
        String runbook = null;
        for (String record : more) {
            long seq = events.size() + read.size() + 1L;
            Event e = Records.decodeWhole(record, source() + ":" + seq + ": ");
            if (e.seq() != seq) {
                throw new LockstepException(ErrorCode.STATE_CORRUPT, "record " + e.seq() + " cannot follow record " + (seq - 1)
                        + " of " + source());
            }
            if (e.data() instanceof EventData.RunStarted rs) runbook = rs.name();
            read.add(e);
        }
        if (read.isEmpty()) return;
        write(read, more, runbook, more.size() + " copied records");
        events.addAll(read);
        records.addAll(more);
        known = records.size();
    }

    /** Refuses to go on when the hold is lost, or the lease may have expired without this process renewing it. */
    private void requireHeld() {
        if (lost != null) throw lost;
        long since = System.nanoTime() - renewedNanos;
        if (since > store.lease().toNanos()) {
            throw lose(ErrorCode.STATE_UNAVAILABLE, "the lease of run " + runId + " was not renewed for "
                    + TimeUnit.NANOSECONDS.toSeconds(since) + " s, longer than it lasts (" + store.lease().toSeconds() + " s)"
                    + (renewTrouble != null ? ": " + renewTrouble : "") + "; another process may drive the run now");
        }
    }

    private LockstepException lose(ErrorCode code, String why) {
        LockstepException e = new LockstepException(code, why + ". This process records nothing more and stops before its "
                + "next step" + (code == ErrorCode.LOCK_HELD ? "" : "; the run can be resumed (lockstep resume " + runId
                + ", here or on another machine once its lease has expired)"));
        if (lost == null) lost = e;
        return lost;
    }

    /**
     * Writes records, with the output lines before them. One failure of the connection is survived:
     * on a new one, whether the failed statement was stored is read back first, so a record is neither
     * lost nor written twice. Anything else gives the hold up.
     */
    private void write(List<Event> es, List<String> recs, String runbook, String what) {
        requireHeld();
        long before = System.nanoTime();
        try {
            settleChunks();
            List<Chunk> chunks = chunks(pending, nextChunk, es.get(0).seq());
            boolean held;
            try {
                held = transact(connection(), es, recs, chunks, runbook);
            } catch (SQLException e) {
                if (!PostgresStore.isConnectionTrouble(e) || isUnique(e)) throw e;
                reconnect();
                held = stored(es, recs) || transact(conn, es, recs, chunks, runbook);
            }
            if (!held) throw lose(ErrorCode.LOCK_HELD, takenOver(conn, Lease.read(store, conn, runId)));
            logsWritten(chunks.size());
            renewedNanos = before;
        } catch (SQLException e) {
            closeConnection();
            if (isUnique(e)) {
                throw lose(ErrorCode.LOCK_HELD, "another process wrote record " + es.get(0).seq() + " of run " + runId
                        + " first: it drives the run now");
            }
            throw lose(ErrorCode.STATE_UNAVAILABLE, "cannot record " + what + " of run " + runId + " in the state store "
                    + store.describe() + ": " + PostgresStore.reason(e));
        } catch (LockstepException e) {
            if (e == lost) throw e;
            closeConnection();
            throw lose(ErrorCode.STATE_UNAVAILABLE, "cannot record " + what + " of run " + runId + ": " + e.getMessage());
        }
    }

    /** Output lines as stored: a chunk holds lines of one log, bounded in count and size, before record {@code beforeSeq}. */
    private record Chunk(long number, String log, long beforeSeq, String lines) {}

    private static List<Chunk> chunks(List<Pending> lines, long first, long beforeSeq) {
        List<Chunk> out = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            String log = lines.get(i).log();
            StringBuilder text = new StringBuilder();
            int count = 0;
            while (i < lines.size() && lines.get(i).log().equals(log) && count < CHUNK_LINES
                    && (count == 0 || text.length() + lines.get(i).line().length() < CHUNK_CHARS)) {
                if (count++ > 0) text.append('\n');
                text.append(lines.get(i++).line());
            }
            out.add(new Chunk(first + out.size(), log, beforeSeq, text.toString()));
        }
        return out;
    }

    /**
     * Stores records and chunks, renews the lease and wakes watchers, in one statement (one round
     * trip, one transaction): all of it happens only if the lease row, locked, still carries this
     * process's token. False when it does not (another process took the run): then nothing happened.
     */
    private boolean transact(Connection c, List<Event> es, List<String> recs, List<Chunk> chunks, String runbook)
            throws SQLException {
        StringBuilder sql = new StringBuilder("WITH held AS (SELECT run_id FROM " + store.table("leases")
                + " WHERE run_id = ? AND token = ?::uuid FOR UPDATE)");
        if (!chunks.isEmpty()) {
            sql.append(", logged AS (INSERT INTO ").append(store.table("logs")).append(" (run_id, chunk, log, before_seq, lines) "
                    + "SELECT held.run_id, v.chunk, v.log, v.before_seq, v.lines FROM held, (VALUES ")
                    .append(rows(chunks.size(), "(?::bigint, ?, ?::bigint, ?)"))
                    .append(") AS v (chunk, log, before_seq, lines) RETURNING 1)");
        }
        if (!es.isEmpty()) {
            sql.append(", recorded AS (INSERT INTO ").append(store.table("events")).append(" (run_id, seq, ts, type, step, record) "
                    + "SELECT held.run_id, v.seq, v.ts, v.type, v.step, v.record FROM held, (VALUES ")
                    .append(rows(es.size(), "(?::bigint, ?::timestamptz, ?, ?, ?)"))
                    .append(") AS v (seq, ts, type, step, record) RETURNING 1), touched AS (UPDATE ").append(store.table("runs"))
                    .append(" SET updated_at = now(), runbook = coalesce(?, runbook) FROM held WHERE ")
                    .append(store.table("runs")).append(".run_id = held.run_id RETURNING 1)");
        }
        sql.append(", renewed AS (UPDATE ").append(store.table("leases")).append(" SET renewed_at = now(), expires_at = now() + "
                + "? * interval '1 millisecond' FROM held WHERE ").append(store.table("leases")).append(".run_id = held.run_id "
                + "RETURNING 1) SELECT pg_notify(?, held.run_id) FROM held");
        try (PreparedStatement s = c.prepareStatement(sql.toString())) {
            int p = 1;
            s.setString(p++, runId);
            s.setString(p++, token);
            for (Chunk ch : chunks) {
                s.setLong(p++, ch.number());
                s.setString(p++, ch.log());
                s.setLong(p++, ch.beforeSeq());
                s.setString(p++, ch.lines());
            }
            for (int i = 0; i < es.size(); i++) {
                s.setLong(p++, es.get(i).seq());
                s.setObject(p++, es.get(i).time().atOffset(ZoneOffset.UTC));
                s.setString(p++, es.get(i).type().name());
                s.setString(p++, es.get(i).step());
                s.setString(p++, recs.get(i));
            }
            if (!es.isEmpty()) s.setString(p++, runbook);
            s.setLong(p++, store.lease().toMillis());
            s.setString(p, store.channel(runId));
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    private static String rows(int n, String row) {
        return String.join(", ", Collections.nCopies(n, row));
    }

    private static boolean isUnique(SQLException e) {
        return "23505".equals(e.getSQLState()) || (e.getNextException() != null && "23505".equals(e.getNextException().getSQLState()));
    }

    /**
     * Whether a statement whose connection broke was stored after all: its first record is there,
     * as this process wrote it (written otherwise, another process wrote it: the hold is lost).
     */
    private boolean stored(List<Event> es, List<String> recs) throws SQLException {
        try (PreparedStatement s = conn.prepareStatement("SELECT record FROM " + store.table("events")
                + " WHERE run_id = ? AND seq = ?")) {
            s.setString(1, runId);
            s.setLong(2, es.get(0).seq());
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) return false;
                if (r.getString(1).equals(recs.get(0))) return true;
            }
        }
        throw lose(ErrorCode.LOCK_HELD, "another process wrote record " + es.get(0).seq() + " of run " + runId
                + " first: it drives the run now");
    }

    /** After a flush whose connection broke, finds out whether its chunks were stored before writing them again. */
    private void settleChunks() throws SQLException {
        if (!chunksInDoubt || pending.isEmpty()) return;
        try (PreparedStatement s = connection().prepareStatement("SELECT 1 FROM " + store.table("logs")
                + " WHERE run_id = ? AND chunk = ?")) {
            s.setString(1, runId);
            s.setLong(2, nextChunk);
            try (ResultSet r = s.executeQuery()) {
                if (r.next()) logsWritten(chunks(pending, nextChunk, 0).size());
            }
        }
        chunksInDoubt = false;
    }

    /** The driver's connection, made again when an earlier failure closed it. */
    private Connection connection() {
        if (conn == null) conn = store.connect("driver " + runId);
        return conn;
    }

    private void reconnect() {
        closeConnection();
        connection();
    }

    private void closeConnection() {
        PostgresStore.closeQuietly(conn);
        conn = null;
    }

    /** Locks the lease row for the transaction and checks it is still this process's. */
    private void checkLease(Connection c) throws SQLException {
        Optional<Lease> l = Lease.read(store, c, runId, true);
        if (l.isEmpty() || !l.get().token().equals(token)) throw lose(ErrorCode.LOCK_HELD, takenOver(c, l));
    }

    /**
     * Says who took the run: the holder of its lease now, else the process that last resumed it
     * (a takeover, or a broken lock, that has already let the run go).
     */
    private String takenOver(Connection c, Optional<Lease> now) throws SQLException {
        TakenOver by = taker(c, now);
        if (lostTo == null) {
            lostTo = by;
            // Said from a thread of its own: whoever listens may wait for this process's engine, which may be here.
            Thread t = new Thread(() -> taken.accept(by), "lockstep-taken-over");
            t.setDaemon(true);
            t.start();
        }
        return "run " + runId + " was " + by.describe() + (now.isPresent() ? "; it drives the run now" : "");
    }

    private TakenOver taker(Connection c, Optional<Lease> now) throws SQLException {
        if (now.isPresent()) return new TakenOver(now.get().who(), now.get().since());
        try (PreparedStatement s = c.prepareStatement("SELECT seq, record FROM " + store.table("events")
                + " WHERE run_id = ? AND type = 'RUN_RESUMED' ORDER BY seq DESC LIMIT 1")) {
            s.setString(1, runId);
            try (ResultSet r = s.executeQuery()) {
                if (r.next()) {
                    Event resumed = Records.decodeWhole(r.getString(2), source() + ":" + r.getLong(1) + ": ");
                    EventData.RunResumed by = resumed.data(EventData.RunResumed.class);
                    if (resumed.seq() > known) {
                        return new TakenOver("pid " + by.pid() + " on " + by.host() + " (" + by.by() + ", " + by.command()
                                + "), which has let it go since", resumed.time());
                    }
                }
            }
        }
        return new TakenOver("a process that broke its lease", Instant.now());
    }

    private void rollbackQuietly() {
        try {
            if (conn != null) {
                conn.rollback();
                conn.setAutoCommit(true);
            }
        } catch (SQLException e) {
            closeConnection();
        }
    }

    private void logsWritten(int chunks) {
        if (chunks == 0) return;
        nextChunk += chunks;
        pending.clear();
        pendingChars = 0;
    }

    /** Writes pending output while a step runs, so watchers see it live. */
    private void flushInBackground() {
        synchronized (this) {
            if (pending.isEmpty() || lost != null || closed) return;
            try {
                settleChunks();
                if (pending.isEmpty()) return;
                List<Chunk> chunks = chunks(pending, nextChunk, events.size() + 1L);
                if (transact(connection(), List.of(), List.of(), chunks, null)) {
                    logsWritten(chunks.size());
                } else {
                    lose(ErrorCode.LOCK_HELD, takenOver(conn, Lease.read(store, conn, runId)));
                }
            } catch (SQLException | LockstepException e) {
                // The lines stay pending, the next append writes them (or says why it cannot); had the
                // statement been stored before the connection broke, the next write finds them there.
                chunksInDoubt = true;
                closeConnection();
            }
        }
    }

    /**
     * Renews the lease every beat, and as soon as the run's channel says that someone wrote to the
     * run: a take-over records its RUN_RESUMED there, so a driver whose run was taken learns it in
     * the moment rather than at its next beat. This process's own writes wake it too, so renewals
     * are at least {@link #MIN_RENEW_MS} apart.
     */
    private void heartbeat(long beatMs) {
        long last = 0;
        while (lost == null && !closed) {
            try {
                Thread.sleep(Math.max(0, MIN_RENEW_MS - (System.nanoTime() - last) / 1_000_000));
            } catch (InterruptedException e) {
                return;
            }
            last = System.nanoTime();
            renew();
            awaitWrite(beatMs);
        }
    }

    /** Waits up to {@code ms} for a write to the run, on the lease's connection (which LISTENs on the run's channel). */
    private void awaitWrite(long ms) {
        try {
            if (beat == null || beat.isClosed()) return;
            if (listening != beat) {
                try (Statement s = beat.createStatement()) {
                    s.execute("LISTEN " + store.channel(runId));
                }
                listening = beat;
            }
            beat.unwrap(PGConnection.class).getNotifications((int) ms);
        } catch (SQLException e) {
            // The next renewal finds the connection broken, says so and connects again.
            PostgresStore.closeQuietly(beat);
            beat = null;
        }
    }

    /** Renews the lease on its own connection, and says when it cannot. */
    private void renew() {
        if (lost != null || closed) return;
        long before = System.nanoTime();
        try {
            if (beat == null || beat.isClosed()) beat = store.connect("lease " + runId);
            try (PreparedStatement s = beat.prepareStatement("UPDATE " + store.table("leases") + " SET renewed_at = now(), "
                    + "expires_at = now() + ? * interval '1 millisecond' WHERE run_id = ? AND token = ?::uuid")) {
                s.setLong(1, store.lease().toMillis());
                s.setString(2, runId);
                s.setString(3, token);
                if (s.executeUpdate() == 1) {
                    renewedNanos = Math.max(renewedNanos, before);
                    if (renewTrouble != null) notices.accept("the lease of run " + runId + " is renewed again");
                    renewTrouble = null;
                    return;
                }
            }
            // A renewal that raced this process's own close finds the lease given up, not taken.
            if (closed) return;
            // Said to the listener of the take-over (as who took the run, and when), not as a notice.
            lose(ErrorCode.LOCK_HELD, takenOver(beat, Lease.read(store, beat, runId)));
        } catch (SQLException | LockstepException e) {
            PostgresStore.closeQuietly(beat);
            beat = null;
            boolean first = renewTrouble == null;
            renewTrouble = e instanceof SQLException sql ? PostgresStore.reason(sql) : e.getMessage();
            long since = System.nanoTime() - renewedNanos;
            if (since > store.lease().toNanos()) {
                lose(ErrorCode.STATE_UNAVAILABLE, "the lease of run " + runId + " could not be renewed for "
                        + TimeUnit.NANOSECONDS.toSeconds(since) + " s (" + renewTrouble + "); another process may drive the run now");
                notices.accept(lost.getMessage());
            } else if (first) {
                notices.accept("cannot renew the lease of run " + runId + " (" + renewTrouble + "); retrying. If it is not "
                        + "renewed within " + Duration.ofNanos(store.lease().toNanos() - since).toSeconds() + " s, this process "
                        + "stops before its next step");
            }
        }
    }

    @Override
    public StepLog openLog(String log) {
        return new StepLog() {
            @Override
            public void write(String line) throws IOException {
                synchronized (PgRun.this) {
                    if (lost != null) throw new IOException("the run is no longer held: " + lost.getMessage());
                    if (pendingChars > MAX_PENDING_CHARS) {
                        throw new IOException("the state store has not taken output for a while (" + pendingChars
                                + " characters wait)");
                    }
                    String kept = line.length() > CHUNK_CHARS ? line.substring(0, CHUNK_CHARS) + " [cut: "
                            + (line.length() - CHUNK_CHARS) + " more characters]" : line;
                    pending.add(new Pending(log, kept));
                    pendingChars += kept.length();
                }
            }

            @Override
            public void close() {
                // Lines are written by the background flush and before the next record.
            }
        };
    }

    @Override
    public synchronized void replaceLog(String log, List<String> lines) {
        List<Pending> copied = new ArrayList<>();
        for (String l : lines) copied.add(new Pending(log, l));
        List<Chunk> chunks = chunks(copied, nextChunk, events.size() + 1L);
        heldTransaction("cannot write the log " + log + " of run " + runId, c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM " + store.table("logs") + " WHERE run_id = ? AND log = ?")) {
                s.setString(1, runId);
                s.setString(2, log);
                s.executeUpdate();
            }
            transact(c, List.of(), List.of(), chunks, null);
        });
        nextChunk += chunks.size();
    }

    @Override
    public synchronized void markMoved(String to) {
        heldTransaction("cannot mark run " + runId, c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE " + store.table("runs")
                    + " SET moved_to = ?, updated_at = now() WHERE run_id = ?")) {
                s.setString(1, to == null ? null : to + " (by " + Identity.operator() + " at " + java.time.Instant.now() + ")");
                s.setString(2, runId);
                s.executeUpdate();
            }
        });
    }

    /** Work done in one transaction, with the lease row locked and checked to be this process's. */
    private interface Held {
        void run(Connection c) throws SQLException;
    }

    private void heldTransaction(String what, Held work) {
        requireHeld();
        try {
            connection().setAutoCommit(false);
            checkLease(conn);
            work.run(conn);
            conn.commit();
            conn.setAutoCommit(true);
        } catch (SQLException e) {
            rollbackQuietly();
            throw store.unavailable(what, e);
        } catch (RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
    }

    /** Writes what output is pending and gives the lease up, so others see at once that nobody drives the run. */
    @Override
    public void close() {
        timers.shutdownNow();
        synchronized (this) {
            if (closed) return;
            closed = true;
            if (lost == null && conn != null) {
                try {
                    settleChunks();
                    List<Chunk> chunks = chunks(pending, nextChunk, events.size() + 1L);
                    if (!chunks.isEmpty() && transact(conn, List.of(), List.of(), chunks, null)) logsWritten(chunks.size());
                    try (PreparedStatement s = conn.prepareStatement("WITH gone AS (DELETE FROM " + store.table("leases")
                            + " WHERE run_id = ? AND token = ?::uuid RETURNING run_id) SELECT pg_notify(?, run_id) FROM gone")) {
                        s.setString(1, runId);
                        s.setString(2, token);
                        s.setString(3, store.channel(runId));
                        s.executeQuery().close();
                    }
                } catch (SQLException | LockstepException e) {
                    // The lease then expires by itself; the records are all written already.
                }
            }
            closeConnection();
        }
        PostgresStore.closeQuietly(beat);
    }
}
