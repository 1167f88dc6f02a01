package dev.lockstep.journal;

import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where runs live on disk:
 * <pre>
 * STATE_DIR/runs/RUN_ID/journal.jsonl   the event log
 * STATE_DIR/runs/RUN_ID/driver          who drives the run now (its journal is locked)
 * STATE_DIR/runs/RUN_ID/logs/STEP.log   each step's output, secrets masked
 * STATE_DIR/locks/RUNBOOK_NAME.lock     who drives that runbook now
 * </pre>
 * Everything lockstep writes here is 0600 in 0700 folders, and no symbolic link below the
 * state directory is ever followed (a planted link must not make lockstep write elsewhere).
 * The default is {@code $LOCKSTEP_STATE_DIR}, else {@code $XDG_STATE_HOME/lockstep}, else
 * {@code ~/.local/state/lockstep}.
 */
public final class StateDir {
    public static final String JOURNAL = "journal.jsonl";
    /** Run ids are file names: what lockstep makes, and nothing that could leave the state directory. */
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,159}");
    /** Where the runbook-level rollback writes its output: no step id can start with '_'. */
    public static final String RUNBOOK_ROLLBACK_LOG = "_runbook-rollback";
    static final FileAttribute<Set<PosixFilePermission>> PRIVATE_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_DIR =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

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

    /** Refuses, as a usage error, a run id that is not one lockstep could have made. */
    public static String requireRunId(String runId) {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new LockstepException(ErrorCode.USAGE, "run id '" + runId + "': expected letters, digits, '.', '_' or '-' "
                    + "(at most 160, not starting with '.'), as lockstep runs lists them");
        }
        return runId;
    }

    public static String newRunId(String runbookName) {
        byte[] b = new byte[2];
        ThreadLocalRandom.current().nextBytes(b);
        // UTC, as runs and show print times: an id reads the same to a team across zones sharing a store.
        return runbookName + "-" + LocalDateTime.ofInstant(Instant.now(), ZoneOffset.UTC).format(STAMP) + "-" + HexFormat.of().formatHex(b);
    }

    public Path runDir(String runId) {
        return root.resolve("runs").resolve(requireRunId(runId));
    }

    public Path journal(String runId) {
        return runDir(runId).resolve(JOURNAL);
    }

    /** Names who drives the run now; written by the process that holds the journal's lock. */
    public Path driver(String runId) {
        return runDir(runId).resolve("driver");
    }

    public Path stepLog(String runId, String stepId) {
        return runDir(runId).resolve("logs").resolve(stepId + ".log");
    }

    public Path report(String runId) {
        return runDir(runId).resolve("report.md");
    }

    public Path lockFile(String runbookName) {
        return root.resolve("locks").resolve(runbookName + ".lock");
    }

    public boolean exists(String runId) {
        return Files.isRegularFile(journal(runId), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Refuses a path whose folders below the state directory include a symbolic link; the
     * file itself is opened with NOFOLLOW_LINKS by whoever opens it.
     */
    public Path checked(Path file) {
        Path rel = root.relativize(file.toAbsolutePath().normalize());
        Path at = root;
        for (int i = 0; i < rel.getNameCount() - 1; i++) {
            at = at.resolve(rel.getName(i));
            if (Files.isSymbolicLink(at)) {
                throw new LockstepException(ErrorCode.IO, "refusing to follow the symbolic link " + at
                        + " inside the state directory " + root);
            }
        }
        return file;
    }

    /** Makes folders (0700) up to {@code dir}, refusing symbolic links on the way. */
    public static void createPrivateDirectories(Path dir) throws IOException {
        Path missing = dir.toAbsolutePath().normalize();
        List<Path> toMake = new ArrayList<>();
        while (missing != null && !Files.exists(missing, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            toMake.add(0, missing);
            missing = missing.getParent();
        }
        for (Path p : toMake) {
            try {
                Files.createDirectory(p, PRIVATE_DIR);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // Another process made it at the same moment.
            }
        }
        if (Files.isSymbolicLink(dir)) throw new IOException("refusing to follow the symbolic link " + dir);
    }

    /** The attribute that makes a new file private (0600). */
    public static FileAttribute<Set<PosixFilePermission>> privateFile() {
        return PRIVATE_FILE;
    }

    /**
     * A new private (0600) file, never following a link: for reports and logs written in one go. {@code file} may be
     * relative or a bare name (its folder is then the current one).
     */
    public static void writePrivate(Path file, String text) throws IOException {
        file = file.toAbsolutePath();
        createPrivateDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + "." + HexFormat.of().formatHex(randomBytes()) + ".tmp");
        try {
            Files.writeString(Files.createFile(tmp, PRIVATE_FILE), text);
            // Renaming replaces a planted link itself; it never writes through it.
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // A full disk leaves no half-written file behind.
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /**
     * Names that only have to differ, not be guessed (the folder is the user's own, and a name that is
     * taken fails): no SecureRandom, whose seeding loads the security providers before the first frame.
     */
    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    /** Run ids, oldest first by the time their journal last changed. */
    public List<String> runIds() {
        Path runs = root.resolve("runs");
        if (!Files.isDirectory(runs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return List.of();
        try (Stream<Path> s = Files.list(runs)) {
            List<Path> dirs = new ArrayList<>(s.filter(p -> RUN_ID.matcher(p.getFileName().toString()).matches()
                    && Files.isRegularFile(p.resolve(JOURNAL), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    && !Files.isSymbolicLink(p)).toList());
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
