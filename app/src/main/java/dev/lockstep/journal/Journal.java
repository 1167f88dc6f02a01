package dev.lockstep.journal;

import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.json.Json;
import dev.lockstep.secret.Redactor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A run's append-only event log: one JSON object per line, each with a CRC so that
 * a record torn by a crash is recognised. Every append is forced to disk before
 * it returns. A torn last record is dropped with a warning; damage anywhere else
 * is reported, never guessed around.
 */
public final class Journal implements AutoCloseable {
    private static final String CRC_KEY = ",\"crc\":\"";

    private final Path file;
    private final List<Event> events;
    private final List<String> warnings;
    private final FileChannel channel;
    private Redactor redactor = Redactor.none();

    private Journal(Path file, List<Event> events, List<String> warnings, FileChannel channel) {
        this.file = file;
        this.events = events;
        this.warnings = warnings;
        this.channel = channel;
    }

    /** Creates a new journal file (mode 0600); fails if one exists. */
    public static Journal create(Path file) {
        try {
            Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            forceDirectory(file.getParent());
            return new Journal(file, new ArrayList<>(), new ArrayList<>(), ch);
        } catch (FileAlreadyExistsException e) {
            throw new LockstepException(ErrorCode.IO, "journal already exists: " + file);
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot create journal " + file + ": " + e.getMessage());
        }
    }

    /** Reads a journal without opening it for writing. */
    public static Journal read(Path file) {
        return load(file, false);
    }

    /** Reads a journal and opens it for appending, cutting off a torn last record first. */
    public static Journal openForAppend(Path file) {
        return load(file, true);
    }

    private static Journal load(Path file, boolean forAppend) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot read journal " + file + ": " + e.getMessage());
        }
        List<Event> events = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        int start = 0;
        int goodEnd = 0;
        int lineNo = 0;
        while (start < bytes.length) {
            int nl = indexOf(bytes, (byte) '\n', start);
            lineNo++;
            boolean complete = nl >= 0;
            int end = complete ? nl : bytes.length;
            String line = new String(bytes, start, end - start, StandardCharsets.UTF_8);
            Event e = complete ? decode(line) : null;
            if (e == null) {
                boolean last = !complete || nl + 1 >= bytes.length;
                if (!last) {
                    throw new LockstepException(ErrorCode.STATE_CORRUPT, file + ":" + lineNo
                            + ": journal record is damaged and is not the last one; refusing to guess the run's state");
                }
                warnings.add(file + ":" + lineNo + ": ignored a torn last record (the process stopped while writing it)");
                break;
            }
            events.add(e);
            start = end + 1;
            goodEnd = start;
        }
        FileChannel ch = null;
        if (forAppend) {
            try {
                ch = FileChannel.open(file, StandardOpenOption.WRITE);
                if (goodEnd < bytes.length) {
                    ch.truncate(goodEnd);
                    ch.force(true);
                }
                ch.position(goodEnd);
            } catch (IOException e) {
                throw new LockstepException(ErrorCode.IO, "cannot open journal " + file + ": " + e.getMessage());
            }
        }
        return new Journal(file, events, warnings, ch);
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) if (bytes[i] == b) return i;
        return -1;
    }

    /** Secrets in event data are masked with this before anything is written. */
    public void redactWith(Redactor r) {
        this.redactor = r;
    }

    /** Appends and forces one record to disk; returns it as written. */
    public synchronized Event append(EventType type, String step, Map<String, Object> data) {
        if (channel == null) throw new IllegalStateException("journal opened read-only");
        @SuppressWarnings("unchecked")
        Map<String, Object> safe = (Map<String, Object>) redactor.redactTree(data == null ? Map.of() : data);
        Event e = new Event(events.size() + 1L, Instant.now(), type, step, Collections.unmodifiableMap(safe));
        byte[] line = (encode(e) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) channel.write(buf);
            channel.force(false);
        } catch (IOException ex) {
            throw new LockstepException(ErrorCode.IO, "cannot write journal " + file + ": " + ex.getMessage());
        }
        events.add(e);
        return e;
    }

    static String encode(Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", e.seq());
        m.put("ts", e.time().toString());
        m.put("type", e.type().name());
        if (e.step() != null) m.put("step", e.step());
        m.put("data", e.data());
        String body = Json.write(m);
        return body.substring(0, body.length() - 1) + CRC_KEY + crc(body) + "\"}";
    }

    /** Returns the event, or null when the line is torn or fails its CRC. */
    static Event decode(String line) {
        int at = line.lastIndexOf(CRC_KEY);
        if (at < 0 || !line.endsWith("\"}")) return null;
        String body = line.substring(0, at) + "}";
        String crc = line.substring(at + CRC_KEY.length(), line.length() - 2);
        if (!crc.equals(crc(body))) return null;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) Json.parse(body);
            @SuppressWarnings("unchecked")
            Map<String, Object> data = (Map<String, Object>) m.get("data");
            return new Event(((Number) m.get("seq")).longValue(), Instant.parse((String) m.get("ts")),
                    EventType.valueOf((String) m.get("type")), (String) m.get("step"),
                    Collections.unmodifiableMap(data));
        } catch (RuntimeException ex) {
            return null;
        }
    }

    private static String crc(String body) {
        CRC32 c = new CRC32();
        c.update(body.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", c.getValue());
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the file itself is still forced on every append.
        }
    }

    public List<Event> events() {
        return Collections.unmodifiableList(events);
    }

    public List<String> warnings() {
        return warnings;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot close journal " + file + ": " + e.getMessage());
        }
    }
}
