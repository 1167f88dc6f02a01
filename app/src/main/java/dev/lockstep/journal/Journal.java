package dev.lockstep.journal;

import dev.lockstep.secret.Redactor;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

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
    /**
     * The journal format this lockstep writes and reads; RUN_STARTED records it. 2: runs record where
     * they act (placeOptions, place), which a lockstep of format 1 would refuse field by field. 3: approvals
     * (STEP_APPROVED, STEP_REJECTED, and the plan an approval gate waits with), which format 2 would refuse record by record.
     */
    public static final int FORMAT = 3;

    private final Path file;
    private final List<Event> events;
    /** Each record's text as stored, for copying a run verbatim to another store. */
    private final List<String> records;
    private final List<String> warnings;
    private final LockedFile locked;
    /** Appends run here: a step's worker is interrupted by design and still journals (see {@link ChannelThread}). */
    private final ChannelThread io;
    private long end;
    private Redactor redactor = Redactor.none();

    private Journal(Path file, List<Event> events, List<String> records, List<String> warnings, LockedFile locked, long end) {
        this.file = file;
        this.events = events;
        this.records = records;
        this.warnings = warnings;
        this.locked = locked;
        this.io = new ChannelThread("journal " + file.getFileName());
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
            Journal j = new Journal(file, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), locked, 0);
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

    /**
     * The process named in a driver file, when it runs on this machine: the one that holds the
     * journal (whoever holds the lock wrote its name there first).
     */
    public static Optional<ProcessHandle> driverProcessHere(Path driverFile) {
        try (FileChannel ch = FileChannel.open(driverFile, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            java.util.Map<String, Object> h = LockOwner.read(ch);
            if (h == null || !(h.get("pid") instanceof Number pid) || !Identity.host().equals(h.get("host"))) {
                return Optional.empty();
            }
            return ProcessHandle.of(pid.longValue());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String driver(Path driverFile) throws IOException {
        try (FileChannel ch = FileChannel.open(driverFile, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return LockOwner.describe(ch);
        } catch (NoSuchFileException e) {
            return "another lockstep process (it has not named itself yet)";
        }
    }

    private void nameDriver(Path driverFile, String command) throws IOException {
        StateDir.createPrivateDirectories(driverFile.getParent());
        try (FileChannel ch = FileChannel.open(driverFile.resolveSibling(driverFile.getFileName() + ".new"),
                java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
                        LinkOption.NOFOLLOW_LINKS), StateDir.PRIVATE_FILE)) {
            LockOwner.write(ch, command);
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
        List<String> records = new ArrayList<>();
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
            String line = complete ? utf8(bytes, start, end) : null;
            Records.Decoded r = line == null ? Records.Decoded.TORN : Records.decode(line);
            if (r.torn()) {
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
            if (events.isEmpty()) requireKnownFormat(e, where);
            events.add(e);
            records.add(line);
            start = end + 1;
            goodEnd = start;
        }
        if (locked != null && goodEnd < bytes.length) {
            locked.channel().truncate(goodEnd);
            locked.channel().force(true);
        }
        return new Journal(file, events, records, warnings, locked, goodEnd);
    }

    /** Records read past an offset by {@link #tail}, and the offset after the last whole one. */
    public record Tail(List<Event> events, long offset) {}

    /**
     * Reads the whole records written past {@code offset} (a watcher following a journal):
     * a last line still being written, or torn, is left for later; damage before the end, or a
     * record out of sequence, is refused.
     */
    public static Tail tail(Path file, long offset, long recordsSeen) {
        Optional<LockedFile> mine = LockedFile.heldHere(file);
        byte[] bytes;
        try {
            if (mine.isPresent()) {
                bytes = bytesFrom(mine.get().channel(), offset);
            } else {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                    bytes = bytesFrom(ch, offset);
                }
            }
        } catch (NoSuchFileException e) {
            throw new LockstepException(ErrorCode.NOT_FOUND, "no journal " + file);
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot read journal " + file + ": " + e.getMessage());
        }
        List<Event> events = new ArrayList<>();
        int start = 0;
        while (true) {
            int nl = indexOf(bytes, (byte) '\n', start);
            if (nl < 0) break;
            long seq = recordsSeen + events.size() + 1;
            String where = file + ": record " + seq + ": ";
            String line = utf8(bytes, start, nl);
            Records.Decoded r = line == null ? Records.Decoded.TORN : Records.decode(line);
            if (r.torn()) {
                if (nl + 1 < bytes.length) {
                    throw new LockstepException(ErrorCode.STATE_CORRUPT, where
                            + "journal record is damaged and is not the last one; refusing to guess the run's state");
                }
                break;
            }
            if (r.problem() != null) {
                throw new LockstepException(ErrorCode.STATE_CORRUPT, where + "journal record has a valid checksum but "
                        + r.problem() + "; refusing to guess the run's state");
            }
            if (r.event().seq() != seq) {
                throw new LockstepException(ErrorCode.STATE_CORRUPT, where + "found record " + r.event().seq());
            }
            if (seq == 1) requireKnownFormat(r.event(), where);
            events.add(r.event());
            start = nl + 1;
        }
        return new Tail(events, offset + start);
    }

    private static byte[] bytesFrom(FileChannel ch, long offset) throws IOException {
        long size = ch.size();
        if (size < offset) throw new IOException("it is shorter (" + size + " bytes) than what was already read (" + offset + ")");
        if (size - offset > Integer.MAX_VALUE - 8) throw new IOException("journal is larger than 2 GB");
        ByteBuffer buf = ByteBuffer.allocate((int) (size - offset));
        while (buf.hasRemaining()) {
            if (ch.read(buf, offset + buf.position()) < 0) break;
        }
        return java.util.Arrays.copyOf(buf.array(), buf.position());
    }

    /** Refuses a run whose first record says it was written in a newer journal format than this lockstep reads. */
    public static void requireKnownFormat(Event first, String where) {
        if (first.data() instanceof EventData.RunStarted rs && rs.formatVersion() > FORMAT) {
            throw new LockstepException(ErrorCode.STATE_CORRUPT, where + "journal format " + rs.formatVersion()
                    + " was written by a newer lockstep (" + rs.version() + "); this one reads format " + FORMAT);
        }
    }

    /** A line's text, or null when it is not valid UTF-8 (a torn or damaged record). */
    private static String utf8(byte[] bytes, int from, int to) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, from, to - from)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
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
        Event e = Records.make(events.size() + 1L, type, step, data, redactor);
        String record = Records.encode(e);
        write(List.of(record));
        events.add(e);
        records.add(record);
        return e;
    }

    /**
     * Appends records exactly as another store kept them (lockstep state copy): each must be
     * whole and carry the next number, or nothing is written.
     */
    public synchronized void appendRecords(List<String> more) {
        if (locked == null) throw new IllegalStateException("journal opened read-only");
        List<Event> read = new ArrayList<>();
        for (String record : more) {
            Event e = Records.decodeWhole(record, file + ":" + (events.size() + read.size() + 1) + ": ");
            if (e.seq() != events.size() + read.size() + 1) {
                throw new LockstepException(ErrorCode.STATE_CORRUPT, "record " + e.seq() + " cannot follow record "
                        + (events.size() + read.size()) + " of " + file);
            }
            read.add(e);
        }
        write(more);
        events.addAll(read);
        records.addAll(more);
    }

    /** Writes lines and forces them to disk; refuses, before writing, when the file is not as this process left it. */
    private void write(List<String> lines) {
        StringBuilder text = new StringBuilder();
        for (String l : lines) text.append(l).append('\n');
        FileChannel ch = locked.channel();
        try {
            end = io.call(() -> {
                if (ch.size() != end) {
                    throw new LockstepException(ErrorCode.STATE_CORRUPT, "the journal " + file + " changed under this process ("
                            + ch.size() + " bytes where " + end + " were written): another process wrote to it. Stopping before "
                            + "anything else happens; inspect it with lockstep show");
                }
                ByteBuffer buf = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                long at = end;
                while (buf.hasRemaining()) at += ch.write(buf, at);
                ch.force(false);
                return at;
            });
        } catch (IOException ex) {
            throw new LockstepException(ErrorCode.IO, "cannot write journal " + file + ": " + ex.getMessage());
        }
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

    /** Each record's text as stored. */
    public List<String> records() {
        return Collections.unmodifiableList(records);
    }

    public List<String> warnings() {
        return warnings;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        io.close();
        if (locked == null) return;
        try {
            locked.close();
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot close journal " + file + ": " + e.getMessage());
        }
    }
}
