package dev.lockstep.store;

import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Journal;
import dev.lockstep.journal.StateDir;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Follows a local run by reading its journal and log files as they grow (polling: the files
 * may be on a network share, where change notification is unreliable). The files carry no
 * common order, so the lines of a step read in one poll are placed before the event that
 * ends that step's activity, and after the rest.
 */
final class LocalFollow implements Follow {
    private static final long POLL_MS = 50;
    /** Events after which a step's log may still grow: its lines are not flushed before them. */
    private static final Set<EventType> OPENING = EnumSet.of(EventType.STEP_STARTED, EventType.STEP_CHECKING,
            EventType.STEP_ROLLBACK_STARTED, EventType.FINAL_ROLLBACK_STARTED, EventType.STEP_CONFIRMED,
            EventType.STEP_RETRIED, EventType.STEP_EXTERNAL_ID, EventType.FINAL_ROLLBACK_EXTERNAL_ID);
    static final Pattern TIME_PREFIX = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ");

    private final StateDir dir;
    private final String runId;
    private long journalOffset;
    private long records;
    private final Map<String, Long> logOffsets = new LinkedHashMap<>();

    LocalFollow(StateDir dir, String runId) {
        this.dir = dir;
        this.runId = runId;
    }

    @Override
    public List<Item> next(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            List<Item> items = poll();
            if (!items.isEmpty() || System.nanoTime() >= deadline) return items;
            Thread.sleep(Math.max(1, Math.min(POLL_MS, (deadline - System.nanoTime()) / 1_000_000)));
        }
    }

    private List<Item> poll() {
        Journal.Tail tail = Journal.tail(dir.checked(dir.journal(runId)), journalOffset, records);
        journalOffset = tail.offset();
        records += tail.events().size();
        // Logs are read after the journal, so every line written before an event just read is among them.
        Map<String, List<String>> lines = new LinkedHashMap<>();
        for (String log : new LocalStore(dir).logNames(runId)) {
            List<String> more = readLines(log);
            if (!more.isEmpty()) lines.put(log, more);
        }
        List<Item> out = new ArrayList<>();
        for (Event e : tail.events()) {
            String log = logOf(e);
            if (log != null && !OPENING.contains(e.type())) flush(lines, log, out);
            out.add(new Recorded(e));
        }
        for (String log : new ArrayList<>(lines.keySet())) flush(lines, log, out);
        return out;
    }

    private static String logOf(Event e) {
        if (e.step() != null) return e.step();
        return e.type().name().startsWith("FINAL_ROLLBACK_") ? StateDir.RUNBOOK_ROLLBACK_LOG : null;
    }

    private static void flush(Map<String, List<String>> lines, String log, List<Item> out) {
        List<String> pending = lines.remove(log);
        if (pending != null) for (String l : pending) out.add(new Line(log, withoutTime(l)));
    }

    /** A log line as the driver's listeners saw it: without the timestamp the log file adds. */
    static String withoutTime(String line) {
        return TIME_PREFIX.matcher(line).replaceFirst("");
    }

    /** The whole lines a log gained since the last poll; a line still being written waits for the next. */
    private List<String> readLines(String log) {
        Path file = dir.checked(dir.stepLog(runId, log));
        long from = logOffsets.getOrDefault(log, 0L);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            if (size <= from) return List.of();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - from, 8L << 20));
            while (buf.hasRemaining()) {
                if (ch.read(buf, from + buf.position()) < 0) break;
            }
            byte[] b = buf.array();
            int end = buf.position();
            while (end > 0 && b[end - 1] != '\n') end--;
            if (end == 0) return List.of();
            logOffsets.put(log, from + end);
            String text = new String(b, 0, end - 1, StandardCharsets.UTF_8);
            return List.of(text.split("\n", -1));
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot read the log " + file + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {}
}
