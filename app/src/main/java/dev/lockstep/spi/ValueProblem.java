package dev.lockstep.spi;


/**
 * What a configuration record's constructor throws for a value it checks itself (a nested
 * mapping such as a change-set guard): the problem is reported at that value's place in the
 * runbook, not at the step's {@code with}.
 */
public final class ValueProblem extends IllegalArgumentException {
    private final transient Position position;

    public ValueProblem(Position position, String message) {
        super(message);
        this.position = position;
    }

    public Position position() {
        return position;
    }
}
