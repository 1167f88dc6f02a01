package dev.lockstep.engine;

import dev.lockstep.expr.Resolver;
import dev.lockstep.expr.Scope;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.spi.Action;
import dev.lockstep.spi.Check;
import dev.lockstep.spi.Value;
import dev.lockstep.store.DatabaseAddress;
import dev.lockstep.store.StateStore;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Lockstep's state must not live in the database a runbook cuts over: restoring, dropping or
 * switching that database would take the run's own record with it. This finds the steps whose
 * values (parameters resolved) name the store's database.
 */
final class StateTargets {
    private StateTargets() {}

    static List<String> warnings(Runbook runbook, Params params, StateStore store) {
        if (store.database().isEmpty()) return List.of();
        DatabaseAddress state = store.database().get();
        Scope scope = RunScope.ofParams(params.values());
        Set<String> steps = new LinkedHashSet<>();
        for (StepDef s : runbook.steps()) {
            List<Action> actions = new ArrayList<>();
            actions.add(s.action());
            if (s.rollback() != null) actions.add(s.rollback());
            for (Check c : s.checks()) actions.add(c.action());
            for (Action a : actions) if (names(a.with(), state, scope)) steps.add(s.id());
        }
        for (Action a : runbook.rollback()) if (names(a.with(), state, scope)) steps.add("(runbook rollback)");
        if (steps.isEmpty()) return List.of();
        return List.of("warning: the state store " + store.describe() + " is the database that " + String.join(", ", steps)
                + " act" + (steps.size() == 1 ? "s" : "") + " on (" + state + "). Keep lockstep's state in another database: "
                + "a cutover of this one would take the run's own record with it");
    }

    private static boolean names(Value v, DatabaseAddress state, Scope scope) {
        if (v == null) return false;
        if (v instanceof Value.Mapping m) {
            for (Value e : m.entries().values()) if (names(e, state, scope)) return true;
            return false;
        }
        if (v instanceof Value.Sequence s) {
            for (Value e : s.items()) if (names(e, state, scope)) return true;
            return false;
        }
        if (!(v.plain() instanceof String text)) return false;
        String resolved;
        try {
            resolved = Resolver.render(Resolver.resolveText(text, scope));
        } catch (RuntimeException e) {
            resolved = text;
        }
        return DatabaseAddress.in(resolved).filter(state::sameAs).isPresent();
    }
}
