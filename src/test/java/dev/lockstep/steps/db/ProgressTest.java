package dev.lockstep.steps.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Progress lines of a long copy or verification, on a clock the test moves: at most one a second, rate and time left. */
class ProgressTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aLineASecondWithTheRateAndTheTimeLeft() {
        AtomicLong now = new AtomicLong(5 * SECOND);
        List<String> lines = new ArrayList<>();
        Progress p = new Progress(lines::add, "events: checksums of ", 4_000_000, now::get);
        now.addAndGet(SECOND / 2);
        p.at(500_000);
        assertEquals(List.of(), lines, "not before a second has passed");
        now.addAndGet(SECOND);
        p.at(1_500_000);
        now.addAndGet(SECOND / 2);
        p.at(2_000_000);
        assertEquals(List.of("events: checksums of 1,500,000 / 4,000,000 rows (37%), 1,000,000 rows/s, ETA 3s"), lines);
        now.addAndGet(2 * SECOND);
        p.done(4_000_000);
        assertEquals("events: checksums of 4,000,000 / 4,000,000 rows (100%), 1,000,000 rows/s, ETA 0s", lines.get(1));
    }

    @Test
    void anEmptyTableIsDoneAtOnce() {
        List<String> lines = new ArrayList<>();
        new Progress(lines::add, "kv: ", 0, () -> 0L).done(0);
        assertEquals(List.of("kv: 0 / 0 rows (100%), 0 rows/s, ETA 0s"), lines);
    }
}
