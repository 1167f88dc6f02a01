package dev.lockstep.journal;

import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where runs live on disk:
 * <pre>
 * STATE_DIR/runs/RUN_ID/journal.jsonl   the event log
 * STATE_DIR/runs/RUN_ID/logs/STEP.log   each step's output, secrets masked
 * STATE_DIR/locks/RUNBOOK_NAME.lock     who drives that runbook now
 * </pre>
 * The default is {@code $LOCKSTEP_STATE_DIR}, else {@code $XDG_STATE_HOME/lockstep},
 * else {@code ~/.local/state/lockstep}.
 */
public final class StateDir {
    public static final String JOURNAL = "journal.jsonl";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;

    public StateDir(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public static Path defaultPath(Map<String, String> env) {
        if (env.get("LOCKSTEP_STATE_DIR") != null) return Path.of(env.get("LOCKSTEP_STATE_DIR"));
        if (env.get("XDG_STATE_HOME") != null) return Path.of(env.get("XDG_STATE_HOME"), "lockstep");
        return Path.of(System.getProperty("user.home"), ".local", "state", "lockstep");
    }

    public Path root() {
        return root;
    }

    public String newRunId(String runbookName) {
        byte[] b = new byte[2];
        RANDOM.nextBytes(b);
        return runbookName + "-" + LocalDateTime.now().format(STAMP) + "-" + HexFormat.of().formatHex(b);
    }

    public Path runDir(String runId) {
        return root.resolve("runs").resolve(runId);
    }

    public Path journal(String runId) {
        return runDir(runId).resolve(JOURNAL);
    }

    public Path stepLog(String runId, String stepId) {
        return runDir(runId).resolve("logs").resolve(stepId + ".log");
    }

    public Path lockFile(String runbookName) {
        return root.resolve("locks").resolve(runbookName + ".lock");
    }

    public boolean exists(String runId) {
        return Files.isRegularFile(journal(runId));
    }

    /** Run ids, oldest first (ids start with a timestamp within each runbook; sorted by journal time). */
    public List<String> runIds() {
        Path runs = root.resolve("runs");
        if (!Files.isDirectory(runs)) return List.of();
        try (Stream<Path> s = Files.list(runs)) {
            List<Path> dirs = new ArrayList<>(s.filter(p -> Files.isRegularFile(p.resolve(JOURNAL))).toList());
            dirs.sort((a, b) -> {
                try {
                    return Files.getLastModifiedTime(a.resolve(JOURNAL)).compareTo(Files.getLastModifiedTime(b.resolve(JOURNAL)));
                } catch (IOException e) {
                    return a.compareTo(b);
                }
            });
            return dirs.stream().map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot list runs in " + runs + ": " + e.getMessage());
        }
    }
}
