package dev.lockstep.engine;

/** Where a whole run stands, derived from its steps and run-level events. */
public enum RunStatus {
    /** Started, and no step has been checked, confirmed or run yet. */
    READY("ready", false),
    PAUSED("paused", false),
    BLOCKED("blocked", false),
    FAILED("failed", false),
    HALTED("halted", false),
    IN_DOUBT("in-doubt", false),
    ROLLING_BACK("rolling-back", false),
    ROLLBACK_FAILED("rollback-failed", false),
    SUCCEEDED("succeeded", true),
    ROLLED_BACK("rolled-back", true),
    ABANDONED("abandoned", true);

    private final String label;
    private final boolean finished;

    RunStatus(String label, boolean finished) {
        this.label = label;
        this.finished = finished;
    }

    public String label() {
        return label;
    }

    public boolean isFinished() {
        return finished;
    }
}
