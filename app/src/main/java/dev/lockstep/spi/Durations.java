package dev.lockstep.spi;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations written as {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h30m}. */
public final class Durations {
    /** What a duration looks like; the JSON Schema says the same. */
    public static final String FORMAT = "(\\d+(ms|s|m|h))+";
    private static final Pattern WHOLE = Pattern.compile(FORMAT);
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

    private Durations() {}

    /** The longest duration a runbook may give: a year is longer than any procedure, and far from overflowing. */
    public static final Duration MAX = Duration.ofDays(365);

    /** @throws IllegalArgumentException saying what was expected, for a malformed or too long duration */
    public static Duration parse(String text) {
        String t = text.trim();
        if (!WHOLE.matcher(t).matches()) {
            throw new IllegalArgumentException("a duration such as 30s, 5m, 1h30m or 500ms, got '" + text + "'");
        }
        long millis = 0;
        Matcher m = PART.matcher(t);
        while (m.find()) {
            // More digits than a year of milliseconds has (11) cannot be in range; skip parsing them.
            String digits = m.group(1).replaceFirst("^0+(?=.)", "");
            long n = digits.length() > 11 ? Long.MAX_VALUE : Long.parseLong(digits);
            long unit = switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m" -> 60_000;
                default -> 3_600_000;
            };
            millis += n > MAX.toMillis() / unit ? MAX.toMillis() + 1 : n * unit;
            if (millis > MAX.toMillis()) {
                throw new IllegalArgumentException("a duration of at most " + format(MAX) + " (a year), got '" + text + "'");
            }
        }
        return Duration.ofMillis(millis);
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) return ms + "ms";
        long s = ms / 1000;
        if (s < 60) {
            long tenths = (ms + 50) / 100; // rounded half up, and the same in every locale
            return ms % 1000 == 0 ? s + "s" : tenths / 10 + "." + tenths % 10 + "s";
        }
        if (s < 3600) return (s / 60) + "m" + (s % 60 > 0 ? (s % 60) + "s" : "");
        return (s / 3600) + "h" + ((s % 3600) / 60 > 0 ? ((s % 3600) / 60) + "m" : "");
    }
}
