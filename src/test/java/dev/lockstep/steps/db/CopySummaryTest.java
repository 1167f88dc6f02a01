package dev.lockstep.steps.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The copy's last line after a resume: a rate only of what was copied now, and none when nothing was. */
class CopySummaryTest {
    @Test
    void aResumedCopyThatFoundEveryTableDoneSaysSoInsteadOfARate() {
        assertEquals("nothing left to copy: 3 of 3 tables (1,000,000 rows) had been copied before the interruption",
                DbCopyStep.summary(1_000_000, 0, 3, 3, 0.01, 0));
    }

    @Test
    void theRateCountsOnlyTheRowsCopiedNow() {
        assertEquals("copied 400,000 rows in 1 table in 2.00s: 200,000 rows/s, 1.5 MB/s; 2 of 3 tables (600,000 rows) had been "
                + "copied before the interruption", DbCopyStep.summary(1_000_000, 400_000, 3, 2, 2.0, 3_000_000));
    }
}
