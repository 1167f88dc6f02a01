package dev.lockstep.spi;

/**
 * Every way a lockstep command can end, with the process exit code it maps to.
 * The numbers are a public contract (docs/operator-guide.md, "Exit codes"): CI scripts branch on them.
 */
public enum ErrorCode {
    STEP_FAILED(1, "a step failed"),
    USAGE(2, "wrong command-line usage"),
    HALTED(3, "the run halted on a haltOn line or a mismatch"),
    PRECONDITION_NOT_MET(4, "a step's precondition does not hold"),
    INVALID_RUNBOOK(5, "the runbook is invalid"),
    LOCK_HELD(6, "another process is driving this run"),
    NEEDS_OPERATOR(7, "the run needs an operator's decision"),
    RUNBOOK_CHANGED(8, "a completed step's definition changed since the run started"),
    UNFINISHED_RUN(9, "the runbook has an unfinished run"),
    NOT_FOUND(10, "no such run"),
    STATE_CORRUPT(11, "the journal cannot be read"),
    IO(12, "a file could not be read or written"),
    WRONG_TARGET(13, "the credentials or cluster point somewhere the runbook may not act"),
    NO_CREDENTIALS(14, "no usable credentials, or the service cannot be reached: where to act could not be checked"),
    /** The shared store cannot be reached, or its lease could not be renewed: the driver stopped before its next effect. */
    STATE_UNAVAILABLE(15, "the state store cannot be reached; the run can be resumed"),
    PLAN_DIFFERS(16, "the runbook, a parameter, the place or a step's action differs from the saved plan"),
    /** {@code plan}: a step would fail if run now, whatever earlier steps produce; {@code run --plan} of such a plan, unless accepted. */
    WOULD_FAIL(17, "a step would fail: its inputs are known before the run and cannot work"),
    /** {@code approve}, {@code reject}: not permitted, the driver's own gate, a step not awaiting approval, or a plan that changed. */
    NOT_APPROVED(18, "an approval or rejection was refused"),
    INTERNAL(70, "internal error"),
    INTERRUPTED(130, "interrupted; the run can be resumed");

    private final int exitCode;
    private final String meaning;

    ErrorCode(int exitCode, String meaning) {
        this.exitCode = exitCode;
        this.meaning = meaning;
    }

    public int exitCode() {
        return exitCode;
    }

    public String meaning() {
        return meaning;
    }
}
