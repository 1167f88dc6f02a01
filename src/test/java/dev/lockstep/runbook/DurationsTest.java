package dev.lockstep.runbook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lockstep.spi.Durations;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void durationsAreShortAndWrittenTheSameInEveryLocale() {
        Locale before = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY); // a decimal comma, were the locale consulted
        try {
            assertEquals("999ms", Durations.format(Duration.ofMillis(999)));
            assertEquals("1s", Durations.format(Duration.ofMillis(1000)));
            assertEquals("1.0s", Durations.format(Duration.ofMillis(1040)));
            assertEquals("1.5s", Durations.format(Duration.ofMillis(1500)));
            assertEquals("2.0s", Durations.format(Duration.ofMillis(1950)));
            assertEquals("60.0s", Durations.format(Duration.ofMillis(59_960)));
            assertEquals("2m5s", Durations.format(Duration.ofSeconds(125)));
            assertEquals("1h1m", Durations.format(Duration.ofSeconds(3_660)));
        } finally {
            Locale.setDefault(before);
        }
    }
}
