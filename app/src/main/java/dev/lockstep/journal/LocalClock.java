package dev.lockstep.journal;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.TimeZone;

/**
 * The local wall-clock time, from the JDK's time-zone data read directly. {@code LocalDateTime.now()}
 * gives the same, but its first use loads java.time's zone-rules plugins through ServiceLoader, which
 * opens each of the ~100 jars on the class path: ~20 ms before the first screen.
 */
public final class LocalClock {
    private LocalClock() {}

    public static LocalDateTime now() {
        long millis = System.currentTimeMillis();
        ZoneOffset offset = ZoneOffset.ofTotalSeconds(TimeZone.getDefault().getOffset(millis) / 1000);
        return LocalDateTime.ofEpochSecond(Math.floorDiv(millis, 1000), Math.floorMod(millis, 1000) * 1_000_000, offset);
    }
}
