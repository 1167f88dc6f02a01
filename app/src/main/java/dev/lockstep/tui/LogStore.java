package dev.lockstep.tui;

import dev.lockstep.output.TerminalText;
import dev.lockstep.spi.LockstepException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Output lines per step, in ring buffers of {@link #CAPACITY} lines each, so memory stays
 * bounded however much a step prints; the full output stays in the step's log.
 * Written by the engine's threads, read by the UI thread.
 */
final class LogStore {
    static final int CAPACITY = 10_000;

    private final Map<String, Ring> rings = new HashMap<>();

    synchronized void append(String stepId, String line) {
        rings.computeIfAbsent(stepId, k -> new Ring()).add(line);
    }

    /** Loads the tail of a step log written by an earlier process (resume). */
    void preload(String stepId, java.util.function.Supplier<List<String>> log) {
        try {
            Ring r = new Ring();
            log.get().forEach(r::add);
            synchronized (this) {
                rings.put(stepId, r);
            }
        } catch (LockstepException e) {
            append(stepId, "[lockstep] " + e.getMessage());
        }
    }

    synchronized int size(String stepId) {
        Ring r = rings.get(stepId);
        return r == null ? 0 : r.size;
    }

    /** Lines [from, from + count) in age order, clipped to what is kept. */
    synchronized List<String> window(String stepId, int from, int count) {
        Ring r = rings.get(stepId);
        List<String> out = new ArrayList<>();
        if (r == null) return out;
        for (int i = Math.max(0, from); i < Math.min(r.size, from + count); i++) out.add(r.get(i));
        return out;
    }

    /** Index of the last line before {@code before} that contains {@code text} (colour codes aside), or -1. */
    synchronized int findBefore(String stepId, String text, int before) {
        Ring r = rings.get(stepId);
        if (r == null) return -1;
        for (int i = Math.min(before, r.size) - 1; i >= 0; i--) {
            if (TerminalText.plain(r.get(i)).contains(text)) return i;
        }
        return -1;
    }

    /** Index of the first line after {@code after} that contains {@code text} (colour codes aside), or -1. */
    synchronized int findAfter(String stepId, String text, int after) {
        Ring r = rings.get(stepId);
        if (r == null) return -1;
        for (int i = Math.max(0, after + 1); i < r.size; i++) {
            if (TerminalText.plain(r.get(i)).contains(text)) return i;
        }
        return -1;
    }

    private static final class Ring {
        private final String[] lines = new String[CAPACITY];
        private int start;
        private int size;

        void add(String line) {
            if (size < CAPACITY) {
                lines[(start + size++) % CAPACITY] = line;
            } else {
                lines[start] = line;
                start = (start + 1) % CAPACITY;
            }
        }

        String get(int i) {
            return lines[(start + i) % CAPACITY];
        }
    }
}
