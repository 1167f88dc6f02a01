package dev.lockstep.steps.db;

import dev.lockstep.spi.StepContext;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A long table operation's progress, as plain lines of the step's output (which the screen shows too): rows done of
 * the total, the rate and the time left, at most one line a second.
 */
final class Progress {
    private static final long EVERY_NANOS = 1_000_000_000L;

    private final Consumer<String> out;
    private final String prefix;
    private final long total;
    private final LongSupplier clock;
    private final long began;
    private long lastLine;

    /** {@code prefix} starts each line: the table, and what is done to it. */
    Progress(StepContext ctx, String prefix, long total) {
        this(ctx::line, prefix, total, System::nanoTime);
    }

    /** As above, the lines to {@code out}, the time from {@code clock} (nanoseconds). */
    Progress(Consumer<String> out, String prefix, long total, LongSupplier clock) {
        this.out = out;
        this.prefix = prefix;
        this.total = total;
        this.clock = clock;
        this.began = clock.getAsLong();
        this.lastLine = began;
    }

    /** {@code rows} are done: a line if the last one is a second old. */
    synchronized void at(long rows) {
        long now = clock.getAsLong();
        if (now - lastLine > EVERY_NANOS) {
            line(rows, now);
            lastLine = now;
        }
    }

    /** All {@code rows} are done. */
    synchronized void done(long rows) {
        line(rows, clock.getAsLong());
    }

    private void line(long rows, long now) {
        double seconds = Math.max(1e-3, (now - began) / 1e9);
        double rate = rows / seconds;
        long left = Math.max(0, total - rows);
        out.accept(String.format(Locale.ROOT, "%s%,d / %,d rows (%d%%), %,.0f rows/s, ETA %ds", prefix, rows, total,
                total == 0 ? 100 : Math.min(100, rows * 100 / total), rate, rate > 0 ? Math.round(left / rate) : 0));
    }
}
