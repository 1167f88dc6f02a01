package dev.lockstep.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds processes a step started that outlived the lockstep that started them (kill -9
 * does not stop children). Every step process carries LOCKSTEP_RUN_ID and
 * LOCKSTEP_STEP_ID in its environment; on Linux, /proc shows them. Elsewhere this
 * finds nothing, and the operator is told to check by hand.
 */
public final class Orphans {
    public static final String RUN_ID = "LOCKSTEP_RUN_ID";
    public static final String STEP_ID = "LOCKSTEP_STEP_ID";

    private Orphans() {}

    public static List<Long> of(String runId, String stepId) {
        Path proc = Path.of("/proc");
        if (!Files.isDirectory(proc)) return List.of();
        byte[] run = (RUN_ID + "=" + runId).getBytes(StandardCharsets.UTF_8);
        byte[] step = (STEP_ID + "=" + stepId).getBytes(StandardCharsets.UTF_8);
        long self = ProcessHandle.current().pid();
        List<Long> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(proc)) {
            for (Path p : s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid == self) continue;
                byte[] env;
                try {
                    env = Files.readAllBytes(p.resolve("environ"));
                } catch (IOException | SecurityException e) {
                    continue;
                }
                if (containsEntry(env, run) && containsEntry(env, step)) found.add(pid);
            }
        } catch (IOException e) {
            return found;
        }
        return found;
    }

    /** True when the NUL-separated environment block holds exactly this NAME=value entry. */
    private static boolean containsEntry(byte[] env, byte[] entry) {
        int start = 0;
        for (int i = 0; i <= env.length; i++) {
            if (i == env.length || env[i] == 0) {
                if (i - start == entry.length && java.util.Arrays.equals(env, start, i, entry, 0, entry.length)) return true;
                start = i + 1;
            }
        }
        return false;
    }
}
