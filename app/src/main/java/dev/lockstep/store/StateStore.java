package dev.lockstep.store;

import dev.lockstep.journal.Event;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where runs are kept: a local state directory ({@link LocalStore}) or a PostgreSQL database
 * shared by a team ({@link PostgresStore}). Both keep the same records with the same
 * checksums and masking, let one process at a time drive a run, and name it to the others.
 */
public interface StateStore extends AutoCloseable {
    /** The store in messages: its folder, or its URL without a password. */
    String describe();

    String newRunId(String runbookName);

    /** Run ids, oldest first by their last change. */
    List<String> runIds();

    boolean exists(String runId);

    /** A run's records, read without holding the run. */
    Stored read(String runId);

    /** What a run's records say, where they were read, and anything odd found on the way (a torn last record). */
    record Stored(List<Event> events, List<String> warnings, String source) {}

    /** Creates a run and holds it: this process drives it until it closes the hold. */
    HeldRun create(String runId, String command);

    /** Holds an existing run to go on with it; refuses (exit 6), naming the holder, while another process drives it. */
    HeldRun open(String runId, Opening how);

    /**
     * How a run is opened. {@code takeOver} is the run id typed to take the run from a holder that is
     * still alive (null: only a free or expired hold is taken); {@code evenIfMoved} is for state copy,
     * which opens runs that were handed to another store.
     */
    record Opening(String command, String takeOver, boolean evenIfMoved) {
        public static Opening of(String command) {
            return new Opening(command, null, false);
        }
    }

    /**
     * Called before a take-over ({@code how.takeOver()} set) takes the runbook's lock: a store whose
     * driver keeps that lock while it drives (the local one) asks the driver to let the run go, and
     * waits until it has. A lease excludes by itself, and needs nothing here.
     */
    default void askDriverToLetGo(String runId, Opening how) {}

    /** Taking a run from a living process needs its run id typed, as overriding a halt needs the step id. */
    static void requireTyped(String runId, String typed, String option) {
        if (!runId.equals(typed)) {
            throw new LockstepException(ErrorCode.USAGE, "to take run " + runId + " from a process that is still alive, type "
                    + "its run id exactly (" + option + " " + runId + ")");
        }
    }

    /** Who holds a run now, if anyone does. */
    Optional<RunHolder> holder(String runId);

    /** Keeps two processes from starting (or reopening) runs of one runbook at the same moment. */
    Exclusion exclude(String runbookName, String command);

    /** The lines of one of a run's logs (a step's output, timestamped, masked); empty when it has none. */
    List<String> readLog(String runId, String log);

    /** The names of a run's logs: its steps' ids, and {@code _runbook-rollback}. */
    List<String> logNames(String runId);

    /** Follows a run from its first record: what a watcher shows. */
    Follow follow(String runId);

    /** Where {@code lockstep report} writes by default. */
    Path defaultReport(String runId);

    /** Set when the run was handed to another store by {@code lockstep state copy} and continues there. */
    Optional<String> movedTo(String runId);

    /** Keeps what a saved plan must be checked against when it is run ({@code lockstep plan --out}). */
    void savePlan(PlanRecord plan);

    /** The record of a saved plan, if this store has it. */
    Optional<PlanRecord> plan(String planId);

    /**
     * Marks a saved plan used by {@code runId}, once: returns the run that used it first when another
     * already did (a saved plan runs at most once).
     */
    Optional<String> usePlan(String planId, String runId);

    /**
     * Who this process is to approvals: the database role of its session on a shared store, the OS user
     * on a folder. The same identity an approval recorded from here carries.
     */
    String approverIdentity();

    /** What an approver's identity is worth here, when that is less than a credential of its own (a local folder); null otherwise. */
    default String approverIdentityCaveat() {
        return null;
    }

    /**
     * Records an approval ({@code approves}) or rejection of {@code step}'s gate with the plan digest the
     * approver saw, beside the run's journal (the driver journals it). Returns it as stored, with who.
     */
    ApprovalRecord recordApproval(String runId, String step, boolean approves, String digest, String host, String reason);

    /** The approvals and rejections recorded for {@code step} of a run, oldest first. */
    List<ApprovalRecord> approvals(String runId, String step);

    /** Where the store's database is, when it is one: to warn when a runbook acts on that very database. */
    default Optional<DatabaseAddress> database() {
        return Optional.empty();
    }

    @Override
    void close();
}
