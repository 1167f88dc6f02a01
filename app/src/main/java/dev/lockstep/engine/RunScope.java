package dev.lockstep.engine;

import dev.lockstep.expr.Scope;
import java.util.Map;

/**
 * The scope a runbook's expressions resolve in, built here alone: for the run, for its plan, and for what is judged
 * of the runbook before its targets are known, so that the run and the plan see the same values.
 */
final class RunScope {
    private RunScope() {}

    /** The parameters, what the steps have produced so far, the environment steps see and where the run acts. */
    static Scope of(Map<String, Object> params, Scope.Steps steps, Targets targets) {
        return Scope.of(params, steps, targets.settings().env()).withContexts(targets.values());
    }

    /** The parameters alone, before the run's targets are known: every step's value is a placeholder. */
    static Scope ofParams(Map<String, Object> params) {
        return Scope.of(params, Map.of(), Map.of()).withPlaceholders();
    }
}
