package dev.lockstep.store;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Another process took the run this process drove ({@code lockstep resume --take-over}, or
 * {@code lockstep lock break}): {@code by} names it, {@code at} is when it asked. The driver
 * that lost the run may no longer act on it, and says so.
 */
public record TakenOver(String by, Instant at) {
    /** "taken over by pid 42 on host-b (…) at 2026-…Z". */
    public String describe() {
        return "taken over by " + by + " at " + at.truncatedTo(ChronoUnit.SECONDS);
    }
}
