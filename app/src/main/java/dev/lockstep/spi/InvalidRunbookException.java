package dev.lockstep.spi;

import java.util.List;
import java.util.stream.Collectors;

/** A runbook that failed validation; the message lists every problem, one per line. */
public final class InvalidRunbookException extends LockstepException {
    private final List<Problem> problems;

    public InvalidRunbookException(List<Problem> problems) {
        super(ErrorCode.INVALID_RUNBOOK,
                problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
