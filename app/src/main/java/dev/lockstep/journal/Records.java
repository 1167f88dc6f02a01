package dev.lockstep.journal;

import dev.lockstep.secret.Redactor;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.Json;
import dev.lockstep.spi.LockstepException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A journal record as text: one JSON object with a CRC over the rest, whatever store keeps
 * it (a line of the local journal, a row of the PostgreSQL store). Both stores write and
 * check records through here, so a run copied from one to the other keeps its checksums.
 */
public final class Records {
    private static final String CRC_KEY = ",\"crc\":\"";

    private Records() {}

    /**
     * The event as it will be stored: payload type and step checked, secrets masked (and read
     * back through the codec, so that what the caller keeps is exactly what a reader will get).
     */
    public static Event make(long seq, EventType type, String step, EventData data, Redactor redactor) {
        if (!type.payload().isInstance(data)) {
            throw new IllegalArgumentException(type + " carries " + type.payload().getSimpleName() + ", not " + data);
        }
        if ((step != null) != type.isStepEvent()) throw new IllegalArgumentException(type + " with step " + step);
        return new Event(seq, Instant.now(), type, step, EventCodec.read(type, EventCodec.write(data, redactor)));
    }

    /** The record's text, without a line break. */
    public static String encode(Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", e.seq());
        m.put("ts", e.time().toString());
        m.put("type", e.type().name());
        if (e.step() != null) m.put("step", e.step());
        m.put("data", EventCodec.write(e.data(), Redactor.none()));
        String body = Json.write(m);
        return body.substring(0, body.length() - 1) + CRC_KEY + crc(body) + "\"}";
    }

    /**
     * Reads a record that must be whole (a store row, a line followed by another): any damage
     * is refused with {@code where}, never guessed around.
     */
    public static Event decodeWhole(String record, String where) {
        Decoded d = decode(record);
        if (d.torn()) {
            throw new LockstepException(ErrorCode.STATE_CORRUPT, where + "journal record is damaged (its checksum fails); "
                    + "refusing to guess the run's state");
        }
        if (d.problem() != null) {
            throw new LockstepException(ErrorCode.STATE_CORRUPT, where + "journal record has a valid checksum but "
                    + d.problem() + "; refusing to guess the run's state");
        }
        return d.event();
    }

    /** One record read back: an event, a torn record (checksum fails), or a record that checks but makes no sense. */
    record Decoded(Event event, String problem, boolean torn) {
        static final Decoded TORN = new Decoded(null, null, true);

        static Decoded problem(String why) {
            return new Decoded(null, why, false);
        }
    }

    static Decoded decode(String line) {
        int at = line.lastIndexOf(CRC_KEY);
        if (at < 0 || !line.endsWith("\"}")) return Decoded.TORN;
        String body = line.substring(0, at) + "}";
        String crc = line.substring(at + CRC_KEY.length(), line.length() - 2);
        if (!crc.equals(crc(body))) return Decoded.TORN;
        try {
            if (!(Json.parse(body) instanceof Map<?, ?> m)) return Decoded.problem("is not a JSON object");
            if (!(m.get("seq") instanceof Number seq) || !(m.get("ts") instanceof String ts)
                    || !(m.get("type") instanceof String typeName)) {
                return Decoded.problem("lacks seq, ts or type");
            }
            EventType type;
            try {
                type = EventType.valueOf(typeName);
            } catch (IllegalArgumentException e) {
                return Decoded.problem("has an unknown event type " + typeName + " (written by a newer lockstep?)");
            }
            Object step = m.get("step");
            if (type.isStepEvent() ? !(step instanceof String) : step != null) {
                return Decoded.problem(type + (type.isStepEvent() ? " does not name its step" : " names a step"));
            }
            return new Decoded(new Event(seq.longValue(), Instant.parse(ts), type, (String) step,
                    EventCodec.read(type, m.get("data"))), null, false);
        } catch (EventCodec.BadPayload e) {
            return Decoded.problem(e.getMessage());
        } catch (IllegalArgumentException | DateTimeParseException e) {
            return Decoded.problem("is not readable: " + e.getMessage());
        }
    }

    private static String crc(String body) {
        CRC32 c = new CRC32();
        c.update(body.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", c.getValue());
    }
}
