package dev.lockstep.spi;

import java.util.Map;

/**
 * A step type to call and its {@code with} arguments, still holding unresolved expressions. {@code checks} are the
 * checks nested in {@code with} (wait's {@code until}), parsed once when the runbook loaded, by the value they were
 * read from: binding at run time takes them from here.
 */
public record Action(String uses, Value.Mapping with, Position position, Map<Value, Check> checks) {
    public Action(String uses, Value.Mapping with, Position position) {
        this(uses, with, position, Map.of());
    }
}
