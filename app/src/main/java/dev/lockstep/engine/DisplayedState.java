package dev.lockstep.engine;

import dev.lockstep.journal.EventData;
import java.util.Locale;

/**
 * A run's state as every screen and command shows it: the journal's {@link RunStatus}, refined by
 * whether a live driver holds the run. A step the journal says is running is RUNNING while its
 * driver lives and IN-DOUBT once nobody holds the run; a driver waiting for a person says so.
 */
public enum DisplayedState {
    READY("ready"),
    RUNNING("running"),
    AWAITING_CONFIRMATION("awaiting-confirmation"),
    AWAITING_DECISION("awaiting-decision"),
    AWAITING_APPROVAL("awaiting-approval"),
    PAUSED("paused"),
    BLOCKED("blocked"),
    FAILED("failed"),
    HALTED("halted"),
    IN_DOUBT("in-doubt"),
    ROLLING_BACK("rolling-back"),
    ROLLBACK_FAILED("rollback-failed"),
    SUCCEEDED("succeeded"),
    ROLLED_BACK("rolled-back"),
    ABANDONED("abandoned");

    private final String label;

    DisplayedState(String label) {
        this.label = label;
    }

    /** The state of {@code snapshot}; {@code driven} says whether a live driver holds the run now. */
    public static DisplayedState of(RunSnapshot snapshot, boolean driven) {
        RunStatus status = snapshot.status();
        if (status.isFinished() || !driven) return of(status);
        String gate = snapshot.awaitingGate();
        if (EventData.Awaiting.CONFIRMATION.equals(gate)) return AWAITING_CONFIRMATION;
        if (EventData.Awaiting.DECISION.equals(gate)) return AWAITING_DECISION;
        if (EventData.Awaiting.APPROVAL.equals(gate)) return AWAITING_APPROVAL;
        if (status == RunStatus.ROLLING_BACK) return ROLLING_BACK;
        if (snapshot.running()) return RUNNING;
        // Held, and no step is running: the in-doubt step waits for its driver, who is there.
        return status == RunStatus.IN_DOUBT ? PAUSED : of(status);
    }

    private static DisplayedState of(RunStatus status) {
        return valueOf(status.name());
    }

    /** "awaiting-confirmation", as in `runs`, `show` and JSON. */
    public String label() {
        return label;
    }

    /** "AWAITING CONFIRMATION", as in the screen's header. */
    public String heading() {
        return label.toUpperCase(Locale.ROOT).replace("AWAITING-", "AWAITING ");
    }

    /** lockstep waits for a person: a typed or yes/no confirmation, a decision on an in-doubt step, or approvers. */
    public boolean awaitsAPerson() {
        return this == AWAITING_CONFIRMATION || this == AWAITING_DECISION || this == AWAITING_APPROVAL;
    }

    public boolean isFinished() {
        return this == SUCCEEDED || this == ROLLED_BACK || this == ABANDONED;
    }
}
