package dev.lockstep.store;

import dev.lockstep.journal.ChannelThread;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.Identity;
import dev.lockstep.journal.Journal;
import dev.lockstep.journal.RunLock;
import dev.lockstep.journal.StateDir;
import dev.lockstep.secret.Redactor;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.Json;
import dev.lockstep.spi.LockstepException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The local state directory (see {@link StateDir}): a journal file per run, held with the
 * operating system's lock, which dies with its process; logs as files beside it.
 */
public final class LocalStore implements StateStore {
    /** How long breaking a lock waits for the process that held it to stop. */
    private static final long STOP_PATIENCE_SECONDS = 60;
    /** How long a take-over waits for the driver to let go before asking it to stop. */
    private static final long LET_GO_PATIENCE_SECONDS = 15;
    /** How often a driver looks for a take-over asked of it. */
    private static final long TAKE_OVER_POLL_MS = 200;
    private static final String MOVED = "moved";
    private static final String TAKE_OVER_REQUEST = "take-over";

    private final StateDir dir;
    /** Whom each run was taken from by {@link #askDriverToLetGo}, for the RUN_RESUMED its opening records. */
    private final Map<String, String> letGo = new ConcurrentHashMap<>();

    public LocalStore(StateDir dir) {
        this.dir = dir;
    }

    public StateDir dir() {
        return dir;
    }

    @Override
    public String describe() {
        return dir.root().toString();
    }

    @Override
    public String newRunId(String runbookName) {
        return StateDir.newRunId(runbookName);
    }

    @Override
    public List<String> runIds() {
        return dir.runIds();
    }

    @Override
    public boolean exists(String runId) {
        return dir.exists(runId);
    }

    @Override
    public Stored read(String runId) {
        if (!dir.exists(runId)) {
            throw new LockstepException(ErrorCode.NOT_FOUND, "no run " + runId + " in " + dir.root());
        }
        Journal j = Journal.read(journal(runId));
        return new Stored(j.events(), j.warnings(), j.file().toString());
    }

    private Path journal(String runId) {
        return dir.checked(dir.journal(runId));
    }

    @Override
    public HeldRun create(String runId, String command) {
        return new LocalRun(runId, Journal.create(journal(runId), dir.driver(runId), command), null);
    }

    @Override
    public HeldRun open(String runId, Opening how) {
        String tookOver = letGo.remove(runId);
        Optional<String> holder = Journal.driverOf(journal(runId), dir.driver(runId));
        if (holder.isPresent() && how.takeOver() != null) tookOver = takeFrom(runId, holder.get(), how);
        Journal j = Journal.openForAppend(journal(runId), dir.driver(runId), how.command(), runId);
        try {
            // Ours, or left by a taker that died before opening: either way answered now.
            Files.deleteIfExists(takeOverRequest(runId));
        } catch (IOException e) {
            j.close();
            throw new LockstepException(ErrorCode.IO, "cannot remove " + takeOverRequest(runId) + ": " + e.getMessage());
        }
        LocalRun run = new LocalRun(runId, j, tookOver);
        Optional<String> moved = movedTo(runId);
        if (moved.isPresent() && !how.evenIfMoved()) {
            run.close();
            throw movedAway(runId, moved.get());
        }
        return run;
    }

    static LockstepException movedAway(String runId, String movedTo) {
        return new LockstepException(ErrorCode.NOT_FOUND, "run " + runId + " was handed over to another store and "
                + "continues there: " + movedTo + ". Go on with it there, or copy it back with lockstep state copy");
    }

    @Override
    public Optional<RunHolder> holder(String runId) {
        return Journal.driverOf(journal(runId), dir.driver(runId)).map(who -> new RunHolder(who, null, true));
    }

    @Override
    public void askDriverToLetGo(String runId, Opening how) {
        Optional<String> holder = Journal.driverOf(journal(runId), dir.driver(runId));
        if (holder.isPresent()) letGo.put(runId, takeFrom(runId, holder.get(), how));
    }

    /**
     * The operating system's locks cannot be taken from a living process: it is asked to let the
     * run go, by a request file its hold watches for; it stops what it does (recording where),
     * lets go of its locks and stays on screen, read-only. A driver that does not answer in time
     * (an older lockstep, one that hangs) is asked to stop, as with SIGTERM. Returns whom the run
     * was taken from.
     */
    private String takeFrom(String runId, String holder, Opening how) {
        StateStore.requireTyped(runId, how.takeOver(), "--take-over");
        Path request = takeOverRequest(runId);
        Map<String, Object> me = new LinkedHashMap<>();
        me.put("by", "pid " + ProcessHandle.current().pid() + " on " + Identity.host() + " (" + Identity.operator() + ", "
                + how.command() + ")");
        me.put("at", Instant.now().toString());
        try {
            StateDir.writePrivate(request, Json.write(me));
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot write " + request + ": " + e.getMessage());
        }
        if (!awaitRelease(runId, TimeUnit.SECONDS.toNanos(LET_GO_PATIENCE_SECONDS))) stop(runId, holder);
        return holder + ", on typed confirmation";
    }

    /** Whether nobody holds the run's journal within {@code patienceNanos}. */
    private boolean awaitRelease(String runId, long patienceNanos) {
        long deadline = System.nanoTime() + patienceNanos;
        while (Journal.driverOf(journal(runId), dir.driver(runId)).isPresent()) {
            if (System.nanoTime() > deadline) return false;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LockstepException(ErrorCode.INTERRUPTED, "interrupted while waiting for run " + runId + " to be let go");
            }
        }
        return true;
    }

    private Path takeOverRequest(String runId) {
        return dir.checked(dir.runDir(runId).resolve(TAKE_OVER_REQUEST));
    }

    /** A take-over asked of this run's driver: who asked, and when; empty while nobody has (or the file is half read). */
    private Optional<TakenOver> readTakeOverRequest(String runId) {
        try {
            if (Json.parse(Files.readString(takeOverRequest(runId))) instanceof Map<?, ?> m && m.get("by") instanceof String by
                    && m.get("at") instanceof String at) {
                return Optional.of(new TakenOver(by, Instant.parse(at)));
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            // Not there (nobody asked), or being replaced this instant: looked at again soon.
            return Optional.empty();
        }
    }

    /** The last resort when a driver does not let go: SIGTERM, which a driver answers by recording where it stopped. */
    private void stop(String runId, String holder) {
        ProcessHandle p = Journal.driverProcessHere(dir.driver(runId)).orElseThrow(() -> new LockstepException(
                ErrorCode.LOCK_HELD, "run " + runId + " is held by " + holder + ", not a process of this machine ("
                        + Identity.host() + "): stop it where it runs"));
        p.destroy();
        if (!awaitRelease(runId, TimeUnit.SECONDS.toNanos(STOP_PATIENCE_SECONDS))) {
            throw new LockstepException(ErrorCode.LOCK_HELD, "asked " + holder + " to stop, but it still holds run "
                    + runId + " after " + STOP_PATIENCE_SECONDS + " s");
        }
    }

    @Override
    public Exclusion exclude(String runbookName, String command) {
        RunLock lock = RunLock.acquire(dir.checked(dir.lockFile(runbookName)), command);
        return new Exclusion() {
            @Override
            public Optional<String> note() {
                return lock.staleNote();
            }

            @Override
            public Exclusion whileDriving() {
                return this;
            }

            @Override
            public void close() {
                lock.close();
            }
        };
    }

    @Override
    public List<String> readLog(String runId, String log) {
        Path file = dir.checked(dir.stepLog(runId, log));
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot read the log " + file + ": " + e.getMessage());
        }
    }

    @Override
    public List<String> logNames(String runId) {
        Path logs = dir.checked(dir.stepLog(runId, "x")).getParent();
        if (!Files.isDirectory(logs, LinkOption.NOFOLLOW_LINKS)) return List.of();
        try (Stream<Path> s = Files.list(logs)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log") && !n.startsWith("."))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().toList();
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot list the logs in " + logs + ": " + e.getMessage());
        }
    }

    @Override
    public Follow follow(String runId) {
        if (!dir.exists(runId)) throw new LockstepException(ErrorCode.NOT_FOUND, "no run " + runId + " in " + dir.root());
        return new LocalFollow(dir, runId);
    }

    @Override
    public Path defaultReport(String runId) {
        return dir.checked(dir.report(runId));
    }

    @Override
    public Optional<String> movedTo(String runId) {
        Path file = dir.checked(dir.runDir(runId).resolve(MOVED));
        try {
            Object m = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
            if (m instanceof Map<?, ?> map) {
                return Optional.of(map.get("to") + " (by " + map.get("by") + " at " + map.get("at") + ")");
            }
            return Optional.of("another store (" + file + " does not say which)");
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.of("another store (" + file + " cannot be read: " + e.getMessage() + ")");
        }
    }

    /** A saved plan's record: {@code plans/ID.json} in the state folder, private to its owner. */
    private Path planFile(String planId) {
        return dir.checked(dir.root().resolve("plans").resolve(StateDir.requireRunId(planId) + ".json"));
    }

    @Override
    public void savePlan(PlanRecord plan) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", plan.id());
        m.put("fileSha256", plan.fileSha256());
        m.put("runbook", plan.runbook());
        m.put("savedAt", plan.savedAt());
        m.put("key", plan.key());
        m.put("secretDigests", plan.secretDigests());
        try {
            StateDir.writePrivate(planFile(plan.id()), Json.write(m) + "\n");
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot record the plan in " + describe() + ": " + e.getMessage());
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<PlanRecord> plan(String planId) {
        Path file = planFile(planId);
        try {
            Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(file, StandardCharsets.UTF_8));
            String used = usedBy(planId);
            return Optional.of(new PlanRecord(planId, (String) m.get("fileSha256"), (String) m.get("runbook"),
                    (String) m.get("savedAt"), (String) m.get("key"), (Map<String, String>) m.get("secretDigests"), used));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new LockstepException(ErrorCode.STATE_CORRUPT, "the record of plan " + planId + " in " + file
                    + " cannot be read: " + e.getMessage());
        }
    }

    private String usedBy(String planId) throws IOException {
        try {
            return Files.readString(planFile(planId).resolveSibling(planId + ".used"), StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public Optional<String> usePlan(String planId, String runId) {
        Path used = planFile(planId).resolveSibling(planId + ".used");
        try {
            // Created only if absent: of two runs started from one plan at the same moment, one gets it.
            Files.writeString(Files.createFile(used, StateDir.privateFile()), runId);
            return Optional.empty();
        } catch (java.nio.file.FileAlreadyExistsException e) {
            try {
                return Optional.of(usedBy(planId));
            } catch (IOException unreadable) {
                return Optional.of("another run (" + used + " cannot be read)");
            }
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot record that plan " + planId + " is used: " + e.getMessage());
        }
    }

    @Override
    public String approverIdentity() {
        return System.getProperty("user.name");
    }

    @Override
    public String approverIdentityCaveat() {
        return "on a local state folder an approver is only as strong as the OS account: whoever can act as that user "
                + "(or as root) on this machine can approve, and notDriver only keeps the driver's own account out; "
                + "use a shared PostgreSQL store for approvals that need credentials of their own";
    }

    /** Approvals of a run's gates: one file each in its folder, whose owner (the OS's word, not the file's) says who. */
    private Path approvalsDir(String runId) {
        return dir.checked(dir.runDir(runId).resolve("approvals"));
    }

    @Override
    public ApprovalRecord recordApproval(String runId, String step, boolean approves, String digest, String host, String reason) {
        String id = java.util.UUID.randomUUID().toString();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("verdict", approves ? "approve" : "reject");
        m.put("digest", digest);
        m.put("host", host);
        m.put("at", Instant.now().toString());
        if (reason != null) m.put("reason", reason);
        Path folder = approvalsDir(runId);
        Path tmp = folder.resolve("." + id + ".tmp");
        try {
            Files.createDirectories(folder);
            // Readable by the driver, who may be another OS user; created whole under its final name by one rename.
            Files.writeString(tmp, Json.write(m) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, folder.resolve(id + ".json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot record the " + (approves ? "approval" : "rejection") + " in "
                    + folder + ": " + e.getMessage());
        }
        return approvals(runId, step).stream().filter(a -> a.id().equals(id)).findFirst().orElseThrow();
    }

    @Override
    public List<ApprovalRecord> approvals(String runId, String step) {
        Path folder = approvalsDir(runId);
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) return List.of();
        List<ApprovalRecord> out = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                ApprovalRecord a = approval(f, step);
                if (a != null) out.add(a);
            }
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.STATE_CORRUPT, "the approvals in " + folder + " cannot be read: " + e.getMessage());
        }
        out.sort(java.util.Comparator.comparing(ApprovalRecord::at).thenComparing(ApprovalRecord::id));
        return out;
    }

    /**
     * One approval file of {@code step}; null for another step's, and for a file that is not one lockstep wrote (not
     * a regular file, too large, not its JSON): anyone who can write the folder could leave such a file, and it must
     * not stop the driver that waits at the gate. Who approved is the file's owner, so nothing in it can forge that.
     */
    private static ApprovalRecord approval(Path f, String step) {
        try {
            if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || Files.size(f) > MAX_APPROVAL_BYTES) return null;
            if (!(Json.parse(Files.readString(f, StandardCharsets.UTF_8)) instanceof Map<?, ?> m) || !step.equals(m.get("step"))) return null;
            String name = f.getFileName().toString();
            return new ApprovalRecord(name.substring(0, name.length() - ".json".length()), step,
                    "approve".equals(m.get("verdict")), Files.getOwner(f, LinkOption.NOFOLLOW_LINKS).getName(),
                    Instant.parse(String.valueOf(m.get("at"))), String.valueOf(m.get("host")), String.valueOf(m.get("digest")),
                    m.get("reason") instanceof String r ? r : null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static final int MAX_APPROVAL_BYTES = 64 * 1024;

    @Override
    public void close() {}

    /** A run whose journal this process holds. */
    private final class LocalRun implements HeldRun {
        private final String runId;
        private final Journal journal;
        private final String tookOver;

        private ScheduledExecutorService takeOverWatch;
        private volatile TakenOver lostTo;

        LocalRun(String runId, Journal journal, String tookOver) {
            this.runId = runId;
            this.journal = journal;
            this.tookOver = tookOver;
        }

        @Override
        public synchronized void onTakenOver(Consumer<TakenOver> taken) {
            takeOverWatch = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "lockstep-take-over-watch");
                t.setDaemon(true);
                return t;
            });
            takeOverWatch.scheduleWithFixedDelay(() -> readTakeOverRequest(runId).ifPresent(t -> {
                takeOverWatch.shutdown();
                lostTo = t;
                taken.accept(t);
            }), TAKE_OVER_POLL_MS, TAKE_OVER_POLL_MS, TimeUnit.MILLISECONDS);
        }

        @Override
        public Optional<TakenOver> lostTo() {
            return Optional.ofNullable(lostTo);
        }

        @Override
        public String runId() {
            return runId;
        }

        @Override
        public String source() {
            return journal.file().toString();
        }

        @Override
        public List<Event> events() {
            return journal.events();
        }

        @Override
        public List<String> records() {
            return journal.records();
        }

        @Override
        public List<String> warnings() {
            return journal.warnings();
        }

        @Override
        public void redactWith(Redactor redactor) {
            journal.redactWith(redactor);
        }

        @Override
        public Event append(EventType type, String step, EventData data) {
            return journal.append(type, step, data);
        }

        @Override
        public StepLog openLog(String log) throws IOException {
            return fileLog(dir.checked(dir.stepLog(runId, log)));
        }

        @Override
        public Optional<String> tookOver() {
            return Optional.ofNullable(tookOver);
        }

        @Override
        public void appendRecords(List<String> records) {
            journal.appendRecords(records);
        }

        @Override
        public void replaceLog(String log, List<String> lines) {
            Path file = dir.checked(dir.stepLog(runId, log));
            try {
                StateDir.writePrivate(file, lines.isEmpty() ? "" : String.join("\n", lines) + "\n");
            } catch (IOException e) {
                throw new LockstepException(ErrorCode.IO, "cannot write the log " + file + ": " + e.getMessage());
            }
        }

        @Override
        public void markMoved(String to) {
            Path file = dir.checked(dir.runDir(runId).resolve(MOVED));
            try {
                if (to == null) {
                    Files.deleteIfExists(file);
                    return;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("to", to);
                m.put("by", Identity.operator());
                m.put("at", Instant.now().toString());
                StateDir.writePrivate(file, Json.write(m));
            } catch (IOException e) {
                throw new LockstepException(ErrorCode.IO, "cannot write " + file + ": " + e.getMessage());
            }
        }

        @Override
        public void close() {
            synchronized (this) {
                if (takeOverWatch != null) takeOverWatch.shutdown();
            }
            journal.close();
        }
    }

    /** Opens a log file for appending: 0600 in 0700 folders, never through a symbolic link. */
    public static StepLog fileLog(Path file) throws IOException {
        return new FileLog(file);
    }

    /** Written through its own {@link ChannelThread}: a step's worker is interrupted by design and still logs. */
    private static final class FileLog implements StepLog {
        private final BufferedWriter out;
        private final ChannelThread io;

        FileLog(Path file) throws IOException {
            StateDir.createPrivateDirectories(file.getParent());
            FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            out = new BufferedWriter(Channels.newWriter(ch, StandardCharsets.UTF_8));
            io = new ChannelThread("log " + file.getFileName());
        }

        @Override
        public void write(String line) throws IOException {
            io.call(() -> {
                out.write(line);
                out.newLine();
                out.flush();
                return null;
            });
        }

        @Override
        public void close() throws IOException {
            try {
                io.call(() -> {
                    out.close();
                    return null;
                });
            } finally {
                io.close();
            }
        }
    }
}
