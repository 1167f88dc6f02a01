package dev.lockstep.runbook;

/**
 * A precondition: an action whose result must match {@code expect}. Each expect key
 * is a path into the result; a scalar must equal it, a list names the allowed values.
 * Without expect, the check holds when the action succeeds. {@code readOnly} marks a
 * check that dry-run may execute even though its step type cannot tell by itself.
 */
public record Check(Action action, Value.Mapping expect, Position position, boolean readOnly) {}
