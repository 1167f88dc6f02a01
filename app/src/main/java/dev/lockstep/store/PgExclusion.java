package dev.lockstep.store;

import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * Serialises starting and reopening runs of one runbook across machines: a PostgreSQL advisory
 * lock, held by a connection of its own for those few moments. It is released as soon as the run
 * is held, since the run's lease excludes other drivers from then on (a lock held for the whole run
 * would outlive its holder when the network drops silently, and block the takeover a lease allows).
 */
final class PgExclusion implements Exclusion {
    private static final long PATIENCE_SECONDS = 30;
    private Connection conn;

    private PgExclusion(Connection conn) {
        this.conn = conn;
    }

    static PgExclusion acquire(PostgresStore store, String runbook) {
        Connection c = store.connect("start " + runbook);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
        try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?), hashtext(?))")) {
            s.setString(1, "lockstep:" + store.table("runs"));
            s.setString(2, runbook);
            while (true) {
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    if (r.getBoolean(1)) return new PgExclusion(c);
                }
                if (System.nanoTime() > deadline) {
                    PostgresStore.closeQuietly(c);
                    throw new LockstepException(ErrorCode.LOCK_HELD, "another lockstep process has been starting or reopening a "
                            + "run of runbook " + runbook + " in " + store.describe() + " for " + PATIENCE_SECONDS
                            + " s; try again");
                }
                PostgresStore.pause(100);
            }
        } catch (SQLException e) {
            PostgresStore.closeQuietly(c);
            throw store.unavailable("cannot lock runbook " + runbook, e);
        } catch (RuntimeException e) {
            PostgresStore.closeQuietly(c);
            throw e;
        }
    }

    @Override
    public Exclusion whileDriving() {
        close();
        return NONE;
    }

    /** Closing the session releases its advisory lock. */
    @Override
    public synchronized void close() {
        PostgresStore.closeQuietly(conn);
        conn = null;
    }
}
