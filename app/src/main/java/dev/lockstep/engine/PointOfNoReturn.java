package dev.lockstep.engine;

import dev.lockstep.expr.Scope;
import dev.lockstep.plugin.StepTypes;
import dev.lockstep.runbook.ParamDef;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.StepDef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The point of no return: the first step after which rolling back cannot restore the world. Each step's
 * effect is one of three: it leaves nothing to undo (its type reads only, for its configuration as written,
 * or the runbook says {@code irreversible: false}), it can be undone (a rollback in the runbook, or its
 * type's built-in undo), or it cannot ({@code irreversible: true}, or it changes something and nothing
 * undoes it). The computed point is the first step of the third kind; {@code null} when there is none.
 * A runbook may declare its own ({@code pointOfNoReturn: STEP_ID}); that is the one marked and gated, and
 * {@link #disagreement} says when lockstep computes another.
 *
 * <p>It is computed from the runbook alone (parameters without a default, and the environment, are unknown), so
 * validate, plan and run agree on it whatever values a run is given.
 */
public record PointOfNoReturn(List<StepEffect> effects, String computed, Runbook.DeclaredPointOfNoReturn declared) {

    /** {@code UNKNOWN}: the step's type is not known here (a watcher without the runbook): it marks nothing. */
    public enum Effect { NOTHING_TO_UNDO, UNDOABLE, IRREVERSIBLE, UNKNOWN }

    /** One step's effect, why lockstep says so, and (when it can be undone) the type that undoes it. */
    public record StepEffect(String step, Effect effect, String why, String undoneBy) {}

    public static PointOfNoReturn of(Runbook runbook, StepTypes types) {
        return of(runbook, new Binder(types));
    }

    static PointOfNoReturn of(Runbook runbook, Binder binder) {
        Map<String, Object> params = new LinkedHashMap<>();
        for (ParamDef p : runbook.params().values()) {
            params.put(p.name(), p.defaultValue() != null ? p.defaultValue() : new Scope.Placeholder("params." + p.name()));
        }
        Scope scope = RunScope.ofParams(params);
        List<StepEffect> effects = new ArrayList<>();
        String computed = null;
        for (StepDef step : runbook.steps()) {
            StepEffect e = effect(step, binder, scope);
            effects.add(e);
            if (computed == null && e.effect() == Effect.IRREVERSIBLE) computed = e.step();
        }
        return new PointOfNoReturn(List.copyOf(effects), computed, runbook.pointOfNoReturn());
    }

    private static StepEffect effect(StepDef step, Binder binder, Scope scope) {
        if (!binder.knows(step.action())) return new StepEffect(step.id(), Effect.UNKNOWN, "its step type is not known here", null);
        Bound bound = null;
        try {
            bound = binder.bind(step.action(), scope);
        } catch (RuntimeException e) {
            // Not bindable before the run: judged by what the runbook says alone.
        }
        String undoneBy = step.rollback() != null ? step.rollback().uses()
                : (bound != null ? bound.hasRollback() : binder.undoesItself(step.action())) ? step.action().uses() + " (built-in undo)" : null;
        if (Boolean.TRUE.equals(step.irreversible())) {
            return new StepEffect(step.id(), Effect.IRREVERSIBLE, undoneBy != null
                    ? "the runbook says irreversible: true (its rollback, " + undoneBy + ", cannot restore the world)"
                    : "the runbook says irreversible: true", null);
        }
        if (Boolean.FALSE.equals(step.irreversible()) && undoneBy == null) {
            return new StepEffect(step.id(), Effect.NOTHING_TO_UNDO,
                    "the runbook says irreversible: false (it leaves nothing a rollback must undo)", null);
        }
        if (undoneBy != null) return new StepEffect(step.id(), Effect.UNDOABLE, "undone by " + undoneBy, undoneBy);
        if (bound != null ? bound.readOnly() : binder.readsOnly(step.action())) {
            return new StepEffect(step.id(), Effect.NOTHING_TO_UNDO, step.action().uses() + " only reads", null);
        }
        return new StepEffect(step.id(), Effect.IRREVERSIBLE, step.action().uses()
                + (bound == null ? " may change something" : " changes something") + " and has no rollback", null);
    }

    /** The step the plan marks: the runbook's own when it declares one (then the run gates it), else the computed one; null for none. */
    public String step() {
        return declared != null ? declared.step() : computed;
    }

    /** Whether the run asks a go/no-go before the point: the runbook declares it. */
    public boolean gated() {
        return declared != null;
    }

    /** Whether the run asks its go/no-go before {@code step}. */
    public boolean gates(String step) {
        return gated() && step.equals(step());
    }

    public StepEffect effect(String step) {
        return effects.stream().filter(e -> e.step().equals(step)).findFirst().orElse(null);
    }

    /** Why the marked step is the point of no return, in one line. */
    public String why() {
        if (step() == null) return null;
        if (declared != null && !declared.step().equals(computed)) return "the runbook declares it (pointOfNoReturn)";
        return effect(step()).why();
    }

    /** The steps before the point of no return that a rollback can undo: what will no longer be undoable once it runs. */
    public List<StepEffect> undoableBefore() {
        List<StepEffect> out = new ArrayList<>();
        for (StepEffect e : effects) {
            if (e.step().equals(step())) break;
            if (e.effect() == Effect.UNDOABLE) out.add(e);
        }
        return out;
    }

    /** A warning when the runbook declares a point of no return and lockstep computes another; null when they agree. */
    public String disagreement() {
        if (declared == null || declared.step().equals(computed)) return null;
        return declared.position() + ": warning: the runbook declares its point of no return at step " + declared.step()
                + (computed == null ? ", but lockstep computes none: every step leaves nothing to undo or can be undone"
                : ", but lockstep computes step " + computed + ": " + effect(computed).why());
    }

    /** The marker line before the step in text views (plan, report, show), or null when {@code step} is not the point. */
    public String marker(String step) {
        return step.equals(step()) ? "POINT OF NO RETURN: after " + step + " a rollback cannot restore the world (" + why() + ")" : null;
    }

    /** The go/no-go gate's lines, before the point of no return runs: what will no longer be undoable. */
    public List<String> gateLines(List<StepEffect> undoableNow) {
        List<String> out = new ArrayList<>();
        out.add("POINT OF NO RETURN: after step " + step() + " a rollback cannot restore the world (" + why() + ").");
        if (undoableNow.isEmpty()) {
            out.add("No step done so far can be undone.");
        } else {
            List<String> each = new ArrayList<>();
            for (StepEffect e : undoableNow) each.add(e.step() + " (" + e.undoneBy() + ")");
            out.add(undoableNow.size() + (undoableNow.size() == 1 ? " step" : " steps") + " can still be undone: "
                    + String.join(", ", each) + ".");
        }
        return out;
    }

    /** The plan document's {@code pointOfNoReturn}: null when no step is one. */
    Map<String, Object> json() {
        if (step() == null) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step());
        m.put("computed", computed);
        m.put("declared", declared == null ? null : declared.step());
        m.put("why", why());
        m.put("gated", gated());
        m.put("undoableBefore", undoableBefore().stream().map(StepEffect::step).toList());
        return m;
    }
}
