package dev.lockstep.journal;

import dev.lockstep.spi.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who holds a lock: written into the locked file right after the lock is taken, so that a
 * process that is refused can name the holder. A refused process may read the file in the
 * instant between the holder's lock and its write, so readers retry briefly.
 */
final class LockOwner {
    private static final int MAX_BYTES = 4096;
    private static final long READ_PATIENCE_MS = 2000;

    private LockOwner() {}

    /** Replaces the file's content with this process's name. */
    static void write(FileChannel ch, String command) throws IOException {
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("pid", ProcessHandle.current().pid());
        me.put("host", Identity.host());
        me.put("user", System.getProperty("user.name", "unknown"));
        me.put("since", Instant.now().toString());
        me.put("command", command);
        byte[] content = Json.write(me).getBytes(StandardCharsets.UTF_8);
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(content), 0);
        ch.force(true);
    }

    /**
     * Names whoever wrote into {@code ch}; waits up to two seconds for a holder that has
     * locked the file but not written its name yet.
     */
    static String describe(FileChannel ch) throws IOException {
        long deadline = System.nanoTime() + READ_PATIENCE_MS * 1_000_000;
        while (true) {
            Map<String, Object> h = read(ch);
            if (h != null && !isGone(h)) return describe(h);
            if (System.nanoTime() > deadline) {
                return h == null ? "a lockstep process that did not write its name (its lock file is empty)"
                        : "a lockstep process that took the lock over from " + describe(h) + ", which has ended";
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "a lockstep process (interrupted while reading its name)";
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> read(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size == 0 || size > MAX_BYTES) return null;
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        ch.read(buf, 0);
        try {
            return Json.parse(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8)) instanceof Map<?, ?> m
                    && m.get("pid") instanceof Number ? (Map<String, Object>) m : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String describe(Map<String, Object> h) {
        return "pid " + h.get("pid") + " on " + h.get("host") + (h.get("user") != null ? " (user " + h.get("user") + ")" : "")
                + " since " + h.get("since") + " (" + h.get("command") + ")";
    }

    /** Whether the holder recorded in a lock file is a process that no longer exists on this host. */
    static boolean isGone(Map<String, Object> h) {
        return h != null && h.get("pid") instanceof Number pid && Identity.host().equals(h.get("host"))
                && ProcessHandle.of(pid.longValue()).isEmpty();
    }
}
