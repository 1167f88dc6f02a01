package dev.lockstep.spi;

/**
 * A precondition: an action whose result must match {@code expect}. Each expect key
 * is a path into the result; a scalar must equal it, a list names the allowed values.
 * Without expect, the check holds when the action succeeds. {@code readOnly} marks a
 * check that dry-run may execute even though its step type cannot tell by itself.
 * {@code name} (optional) is what every message calls it.
 */
public record Check(Action action, Value.Mapping expect, Position position, boolean readOnly, String name) {
    /** How messages name it: its name, else its step type. */
    public String label() {
        return name != null ? name : action.uses();
    }
}
