package dev.lockstep.journal;

import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.json.Json;
import dev.lockstep.secret.Redactor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * A run's append-only event log: one JSON object per line, each with a CRC so that a
 * record torn by a crash is recognised, and a typed payload checked on reading. Every
 * append is forced to disk before it returns. A torn last record is dropped with a
 * warning; damage anywhere else, or a record whose checksum holds but whose content
 * does not, is refused with its line, never guessed around.
 *
 * <p>The process that appends holds the journal's own lock for as long as it is open,
 * and refuses to append when the file grew under it: whatever happened to lock files,
 * two processes can never both write one run.
 */
public final class Journal implements AutoCloseable {
    /** The journal format this lockstep writes and reads; RUN_STARTED records it. */
    public static final int FORMAT = 1;
    private static final String CRC_KEY = ",\"crc\":\"";

    private final Path file;
    private final List<Event> events;
    private final List<String> warnings;
    private final LockedFile locked;
    private long end;
    private Redactor redactor = Redactor.none();

    private Journal(Path file, List<Event> events, List<String> warnings, LockedFile locked, long end) {
        this.file = file;
        this.events = events;
        this.warnings = warnings;
        this.locked = locked;
        this.end = end;
    }

    /** Creates a new journal (0600) and holds it; fails if one exists. */
    public static Journal create(Path file, Path driverFile, String command) {
        try {
            StateDir.createPrivateDirectories(file.getParent());
            Files.createFile(file, StateDir.PRIVATE_FILE);
            forceDirectory(file.getParent());
            LockedFile locked = LockedFile.tryLock(file, false).orElseThrow(() -> new LockstepException(
                    ErrorCode.LOCK_HELD, "another process took the new journal " + file + " before this one could"));
            Journal j = new Journal(file, new ArrayList<>(), new ArrayList<>(), locked, 0);
            j.nameDriver(driverFile, command);
            return j;
        } catch (FileAlreadyExistsException e) {
            throw new LockstepException(ErrorCode.IO, "journal already exists: " + file);
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot create journal " + file + ": " + e.getMessage());
        }
    }

    /** Reads a journal without locking or writing it (while this process holds it, through the held file). */
    public static Journal read(Path file) {
        Optional<LockedFile> mine = LockedFile.heldHere(file);
        try {
            if (mine.isPresent()) return parse(file, bytes(mine.get().channel()), null);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                return parse(file, bytes(ch), null);
            }
        } catch (NoSuchFileException e) {
            throw new LockstepException(ErrorCode.NOT_FOUND, "no journal " + file);
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot read journal " + file + ": " + e.getMessage());
        }
    }

    /**
     * Takes the journal's lock and opens it for appending, cutting off a torn last record
     * first. When another process holds it, refuses and names that process.
     */
    public static Journal openForAppend(Path file, Path driverFile, String command, String runId) {
        try {
            Optional<LockedFile> locked = LockedFile.tryLock(file, false);
            if (locked.isEmpty()) {
                throw new LockstepException(ErrorCode.LOCK_HELD, "run " + runId + " is being driven by " + driver(driverFile)
                        + "; wait for it to finish or stop it (the run stays resumable)");
            }
            try {
                Journal j = parse(file, bytes(locked.get().channel()), locked.get());
                j.nameDriver(driverFile, command);
                return j;
            } catch (RuntimeException | IOException e) {
                locked.get().close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw new LockstepException(ErrorCode.NOT_FOUND, "no journal " + file);
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot open journal " + file + ": " + e.getMessage());
        }
    }

    /** Names the process that holds a journal's lock, if one does (this process included). */
    public static Optional<String> driverOf(Path file, Path driverFile) {
        try {
            if (LockedFile.heldHere(file).isPresent()) return Optional.of(driver(driverFile));
            Optional<LockedFile> free = LockedFile.tryLock(file, false);
            if (free.isPresent()) {
                free.get().close();
                return Optional.empty();
            }
            return Optional.of(driver(driverFile));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot check who drives " + file + ": " + e.getMessage());
        }
    }

    private static String driver(Path driverFile) throws IOException {
        try (FileChannel ch = FileChannel.open(driverFile, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return Holder.describe(ch);
        } catch (NoSuchFileException e) {
            return "another lockstep process (it has not named itself yet)";
        }
    }

    private void nameDriver(Path driverFile, String command) throws IOException {
        StateDir.createPrivateDirectories(driverFile.getParent());
        try (FileChannel ch = FileChannel.open(driverFile.resolveSibling(driverFile.getFileName() + ".new"),
                java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
                        LinkOption.NOFOLLOW_LINKS), StateDir.PRIVATE_FILE)) {
            Holder.write(ch, command);
        }
        Files.move(driverFile.resolveSibling(driverFile.getFileName() + ".new"), driverFile,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static byte[] bytes(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size > Integer.MAX_VALUE - 8) throw new IOException("journal is larger than 2 GB");
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        while (buf.hasRemaining()) {
            if (ch.read(buf, buf.position()) < 0) break;
        }
        return buf.array();
    }

    private static Journal parse(Path file, byte[] bytes, LockedFile locked) throws IOException {
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
            String where = file + ":" + lineNo + ": ";
            Record r = complete ? decode(bytes, start, end) : Record.TORN;
            if (r == Record.TORN) {
                if (complete && nl + 1 < bytes.length) {
                    throw new LockstepException(ErrorCode.STATE_CORRUPT, where
                            + "journal record is damaged and is not the last one; refusing to guess the run's state");
                }
                warnings.add(where + "ignored a torn last record (the process stopped while writing it)");
                break;
            }
            if (r.problem() != null) {
                throw new LockstepException(ErrorCode.STATE_CORRUPT, where + "journal record has a valid checksum but "
                        + r.problem() + "; refusing to guess the run's state");
            }
            Event e = r.event();
            if (e.seq() != events.size() + 1) {
                throw new LockstepException(ErrorCode.STATE_CORRUPT, where + "expected record " + (events.size() + 1)
                        + ", found record " + e.seq());
            }
            if (events.isEmpty() && e.data() instanceof EventData.RunStarted rs && rs.formatVersion() > FORMAT) {
                throw new LockstepException(ErrorCode.STATE_CORRUPT, where + "journal format " + rs.formatVersion()
                        + " was written by a newer lockstep (" + rs.version() + "); this one reads format " + FORMAT);
            }
            events.add(e);
            start = end + 1;
            goodEnd = start;
        }
        if (locked != null && goodEnd < bytes.length) {
            locked.channel().truncate(goodEnd);
            locked.channel().force(true);
        }
        return new Journal(file, events, warnings, locked, goodEnd);
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) if (bytes[i] == b) return i;
        return -1;
    }

    /** Secrets in event data are masked with this before anything is written. */
    public void redactWith(Redactor r) {
        this.redactor = r;
    }

    /**
     * Appends and forces one record to disk; returns it as written (masked). Refuses, before
     * writing, when the file is not as this process left it.
     */
    public synchronized Event append(EventType type, String step, EventData data) {
        if (locked == null) throw new IllegalStateException("journal opened read-only");
        if (!type.payload().isInstance(data)) {
            throw new IllegalArgumentException(type + " carries " + type.payload().getSimpleName() + ", not " + data);
        }
        if ((step != null) != type.isStepEvent()) throw new IllegalArgumentException(type + " with step " + step);
        Event e = new Event(events.size() + 1L, Instant.now(), type, step, EventCodec.read(type, EventCodec.write(data, redactor)));
        byte[] line = (encode(e) + "\n").getBytes(StandardCharsets.UTF_8);
        FileChannel ch = locked.channel();
        try {
            if (ch.size() != end) {
                throw new LockstepException(ErrorCode.STATE_CORRUPT, "the journal " + file + " changed under this process ("
                        + ch.size() + " bytes where " + end + " were written): another process wrote to it. Stopping before "
                        + "anything else happens; inspect it with lockstep show");
            }
            ByteBuffer buf = ByteBuffer.wrap(line);
            long at = end;
            while (buf.hasRemaining()) at += ch.write(buf, at);
            ch.force(false);
            end = at;
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
        m.put("data", EventCodec.write(e.data(), Redactor.none()));
        String body = Json.write(m);
        return body.substring(0, body.length() - 1) + CRC_KEY + crc(body) + "\"}";
    }

    /** One line read back: an event, a torn record (checksum fails), or a record that checks but makes no sense. */
    private record Record(Event event, String problem) {
        static final Record TORN = new Record(null, null);
    }

    private static Record decode(byte[] bytes, int from, int to) {
        String line;
        try {
            line = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, from, to - from)).toString();
        } catch (CharacterCodingException e) {
            return Record.TORN;
        }
        int at = line.lastIndexOf(CRC_KEY);
        if (at < 0 || !line.endsWith("\"}")) return Record.TORN;
        String body = line.substring(0, at) + "}";
        String crc = line.substring(at + CRC_KEY.length(), line.length() - 2);
        if (!crc.equals(crc(body))) return Record.TORN;
        try {
            if (!(Json.parse(body) instanceof Map<?, ?> m)) return new Record(null, "is not a JSON object");
            if (!(m.get("seq") instanceof Number seq) || !(m.get("ts") instanceof String ts)
                    || !(m.get("type") instanceof String typeName)) {
                return new Record(null, "lacks seq, ts or type");
            }
            EventType type;
            try {
                type = EventType.valueOf(typeName);
            } catch (IllegalArgumentException e) {
                return new Record(null, "has an unknown event type " + typeName + " (written by a newer lockstep?)");
            }
            Object step = m.get("step");
            if (type.isStepEvent() ? !(step instanceof String) : step != null) {
                return new Record(null, type + (type.isStepEvent() ? " does not name its step" : " names a step"));
            }
            return new Record(new Event(seq.longValue(), Instant.parse(ts), type, (String) step,
                    EventCodec.read(type, m.get("data"))), null);
        } catch (EventCodec.BadPayload e) {
            return new Record(null, e.getMessage());
        } catch (IllegalArgumentException | DateTimeParseException e) {
            return new Record(null, "is not readable: " + e.getMessage());
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
        if (locked == null) return;
        try {
            locked.close();
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot close journal " + file + ": " + e.getMessage());
        }
    }
}
