package dev.lockstep.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A run's lease row as read, with the database's clock ({@code now}): every comparison of
 * times is the server's, so the drivers' clocks need not agree.
 */
record Lease(String token, String operator, String host, long pid, String command, Instant since, Instant renewedAt,
             Instant expiresAt, Instant now) {

    /** The lease of a run, if it has one; {@code forUpdate} locks the row until the transaction ends. */
    static Optional<Lease> read(PostgresStore store, Connection c, String runId, boolean forUpdate) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT token::text, operator, host, pid, command, since, renewed_at, "
                + "expires_at, now() FROM " + store.table("leases") + " WHERE run_id = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            s.setString(1, runId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) return Optional.empty();
                return Optional.of(new Lease(r.getString(1), r.getString(2), r.getString(3), r.getLong(4), r.getString(5),
                        r.getTimestamp(6).toInstant(), r.getTimestamp(7).toInstant(), r.getTimestamp(8).toInstant(),
                        r.getTimestamp(9).toInstant()));
            }
        }
    }

    static Optional<Lease> read(PostgresStore store, Connection c, String runId) throws SQLException {
        return read(store, c, runId, false);
    }

    boolean live() {
        return expiresAt.isAfter(now);
    }

    /** The holder as the local store names a lock's: pid, host, user, since when, doing what. */
    String who() {
        return "pid " + pid + " on " + host + " (" + operator + ") since " + since + " (" + command + ")";
    }

    String freshness() {
        long ago = Duration.between(renewedAt, now).toSeconds();
        return live() ? "lease renewed " + ago + " s ago, expires in " + Math.max(1, Duration.between(now, expiresAt).toSeconds())
                + " s" : "lease expired " + Duration.between(expiresAt, now).toSeconds() + " s ago";
    }

    RunHolder holder() {
        return new RunHolder(who(), freshness(), live());
    }
}
