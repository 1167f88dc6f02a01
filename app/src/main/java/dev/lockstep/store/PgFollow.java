package dev.lockstep.store;

import dev.lockstep.journal.Event;
import dev.lockstep.journal.Journal;
import dev.lockstep.journal.Records;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Follows a run in PostgreSQL: LISTEN wakes it when the driver writes, and it reads what is
 * new past the last record and chunk it saw, in one snapshot. When the connection breaks it
 * says so, connects again, and reads on from the same place, so nothing is lost or repeated.
 */
final class PgFollow implements Follow {
    private static final int EVENT_BATCH = 5000;
    private static final int CHUNK_BATCH = 1000;
    /** Longest wait on LISTEN before reading anyway: a silently dead connection is found this soon. */
    private static final long POLL_MS = 1000;
    private static final long RETRY_MS = 500;

    private final PostgresStore store;
    private final String runId;
    private Connection conn;
    private long lastSeq;
    private long lastChunk;
    private String lostBecause;

    PgFollow(PostgresStore store, String runId) {
        this.store = store;
        this.runId = runId;
    }

    @Override
    public List<Item> next(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        List<Item> out = new ArrayList<>();
        while (true) {
            try {
                if (conn == null) {
                    conn = store.connect("watch " + runId);
                    try (Statement s = conn.createStatement()) {
                        s.execute("LISTEN " + store.channel(runId));
                    }
                    if (lostBecause != null) {
                        out.add(new Notice("connected to the state store again; catching up from record " + (lastSeq + 1)));
                        lostBecause = null;
                    }
                }
                PGConnection pg = conn.unwrap(PGConnection.class);
                pg.getNotifications(1);
                fetch(out);
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (!out.isEmpty() || left <= 0) return out;
                pg.getNotifications((int) Math.max(1, Math.min(POLL_MS, left)));
            } catch (SQLException | LockstepException e) {
                if (e instanceof LockstepException le && le.code() != ErrorCode.STATE_UNAVAILABLE) throw le;
                PostgresStore.closeQuietly(conn);
                conn = null;
                if (lostBecause == null) {
                    lostBecause = e.getMessage();
                    out.add(new Notice("lost the state store (" + lostBecause + "); connecting again"));
                    return out;
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) return out;
                Thread.sleep(Math.min(RETRY_MS, left));
            }
        }
    }

    /** Reads what is new in one snapshot, records and output lines in the order they were written. */
    private void fetch(List<Item> out) throws SQLException {
        List<Event> events = new ArrayList<>();
        List<long[]> chunkKeys = new ArrayList<>();
        List<String[]> chunks = new ArrayList<>();
        boolean chunksCut;
        boolean eventsCut = false;
        conn.setAutoCommit(false);
        conn.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            try (PreparedStatement s = conn.prepareStatement("SELECT seq, record FROM " + store.table("events")
                    + " WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT " + EVENT_BATCH)) {
                s.setString(1, runId);
                s.setLong(2, lastSeq);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        long seq = lastSeq + events.size() + 1;
                        if (r.getLong(1) != seq) {
                            eventsCut = true;
                            break;
                        }
                        Event e = Records.decodeWhole(r.getString(2), store.source(runId) + ":" + seq + ": ");
                        if (seq == 1) Journal.requireKnownFormat(e, store.source(runId) + ":1: ");
                        events.add(e);
                    }
                }
            }
            try (PreparedStatement s = conn.prepareStatement("SELECT chunk, before_seq, log, lines FROM " + store.table("logs")
                    + " WHERE run_id = ? AND chunk > ? ORDER BY chunk LIMIT " + CHUNK_BATCH)) {
                s.setString(1, runId);
                s.setLong(2, lastChunk);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        if (r.getLong(1) != lastChunk + chunks.size() + 1) break;
                        chunkKeys.add(new long[] {r.getLong(1), r.getLong(2)});
                        chunks.add(new String[] {r.getString(3), r.getString(4)});
                    }
                }
            }
            chunksCut = chunks.size() == CHUNK_BATCH;
            eventsCut |= events.size() == EVENT_BATCH;
            conn.commit();
        } finally {
            conn.setAutoCommit(true);
        }
        // A chunk written before record N comes before it. When the chunks read were cut short, records past
        // the last chunk read wait for the next fetch, since more lines may come before them.
        // Chunks left after the records read come before the next record, unless records were left unread.
        long recordLimit = chunksCut ? chunkKeys.get(chunkKeys.size() - 1)[1] - 1 : Long.MAX_VALUE;
        int c = 0;
        for (Event e : events) {
            if (e.seq() > recordLimit) {
                eventsCut = true;
                break;
            }
            while (c < chunks.size() && chunkKeys.get(c)[1] <= e.seq()) emit(out, chunkKeys.get(c)[0], chunks.get(c++));
            out.add(new Recorded(e));
            lastSeq = e.seq();
        }
        while (c < chunks.size() && (!eventsCut || chunkKeys.get(c)[1] <= lastSeq + 1)) {
            emit(out, chunkKeys.get(c)[0], chunks.get(c++));
        }
    }

    private void emit(List<Item> out, long chunk, String[] logAndLines) {
        for (String line : logAndLines[1].split("\n", -1)) out.add(new Line(logAndLines[0], LocalFollow.withoutTime(line)));
        lastChunk = chunk;
    }

    @Override
    public void close() {
        PostgresStore.closeQuietly(conn);
        conn = null;
    }
}
