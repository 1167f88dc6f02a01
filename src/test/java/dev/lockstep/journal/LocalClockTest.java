package dev.lockstep.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/** The shortcuts start-up takes around the JDK's plugin look-ups give what the JDK would have given. */
class LocalClockTest {
    @Test
    void localTimeIsJavaTimesInEveryZone() {
        TimeZone before = TimeZone.getDefault();
        try {
            // A half-hour offset, a 45-minute one, daylight saving in either hemisphere, and none.
            for (String zone : new String[] {"UTC", "Asia/Kolkata", "Asia/Kathmandu", "America/New_York", "Australia/Sydney",
                    "Pacific/Chatham", "America/St_Johns"}) {
                TimeZone.setDefault(TimeZone.getTimeZone(zone));
                LocalDateTime java = LocalDateTime.now();
                LocalDateTime ours = LocalClock.now();
                assertTrue(Duration.between(java, ours).abs().toSeconds() < 2, zone + ": " + java + " vs " + ours);
            }
        } finally {
            TimeZone.setDefault(before);
        }
    }

    @Test
    void theHostIsTheNameTheJdkGives() throws Exception {
        assertEquals(InetAddress.getLocalHost().getHostName(), Identity.host());
    }
}
