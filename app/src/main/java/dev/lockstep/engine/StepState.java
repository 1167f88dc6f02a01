package dev.lockstep.engine;

/** Where one step stands. */
public enum StepState {
    PENDING("pending"),
    CHECKING("checking"),
    RUNNING("running"),
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    HALTED("halted"),
    SKIPPED("skipped"),
    IN_DOUBT("in-doubt"),
    ROLLING_BACK("rolling-back"),
    ROLLED_BACK("rolled-back"),
    ROLLBACK_FAILED("rollback-failed");

    private final String label;

    StepState(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** True when the forward run may move past this step. */
    public boolean isDone() {
        return this == SUCCEEDED || this == SKIPPED;
    }

    /** True when the step may have changed something outside, so a rollback applies to it. */
    public boolean mayHaveEffect() {
        return this == SUCCEEDED || this == FAILED || this == HALTED || this == IN_DOUBT
                || this == ROLLING_BACK || this == ROLLBACK_FAILED;
    }
}
