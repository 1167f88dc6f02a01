package dev.lockstep.steps.db;

import dev.lockstep.spi.StepContext;
import java.util.Locale;

/**
 * A long table operation's progress, as plain lines of the step's output (which the screen shows too): rows done of
 * the total, the rate and the time left, at most one line a second.
 */
final class Progress {
    private static final long EVERY_NANOS = 1_000_000_000L;

    private final StepContext ctx;
    private final String prefix;
    private final long total;
    private final long began = System.nanoTime();
    private long lastLine = began;

    /** {@code prefix} starts each line: the table, and what is done to it. */
    Progress(StepContext ctx, String prefix, long total) {
        this.ctx = ctx;
        this.prefix = prefix;
        this.total = total;
    }

    /** {@code rows} are done: a line if the last one is a second old. */
    synchronized void at(long rows) {
        long now = System.nanoTime();
        if (now - lastLine > EVERY_NANOS) {
            line(rows, now);
            lastLine = now;
        }
    }

    /** All {@code rows} are done. */
    synchronized void done(long rows) {
        line(rows, System.nanoTime());
    }

    private void line(long rows, long now) {
        double seconds = Math.max(1e-3, (now - began) / 1e9);
        double rate = rows / seconds;
        long left = Math.max(0, total - rows);
        ctx.line(String.format(Locale.ROOT, "%s%,d / %,d rows (%d%%), %,.0f rows/s, ETA %ds", prefix, rows, total,
                total == 0 ? 100 : Math.min(100, rows * 100 / total), rate, rate > 0 ? Math.round(left / rate) : 0));
    }
}
