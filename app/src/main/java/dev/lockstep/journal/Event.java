package dev.lockstep.journal;

import dev.lockstep.secret.Redactor;
import java.time.Instant;
import java.util.Map;

/**
 * One journal record. {@code step} names the step of a step event and is null for run
 * events; {@code data} is the typed payload as it was written (secrets already masked).
 */
public record Event(long seq, Instant time, EventType type, String step, EventData data) {
    /** The payload as its record type; the type is fixed by {@link EventType#payload()}. */
    public <T extends EventData> T data(Class<T> type) {
        return type.cast(data);
    }

    /** The payload's fields as they are written in the journal, for listings that show every detail. */
    public Map<String, Object> fields() {
        return EventCodec.write(data, Redactor.none());
    }
}
