package dev.lockstep.journal;

import java.time.Instant;
import java.util.Map;

/** One journal record. {@code step} is null for run-level events; {@code data} is already redacted. */
public record Event(long seq, Instant time, EventType type, String step, Map<String, Object> data) {
    public String text(String key) {
        Object v = data.get(key);
        return v == null ? null : String.valueOf(v);
    }
}
