package dev.lockstep.engine;

import dev.lockstep.context.Targets;
import dev.lockstep.expr.Resolver;
import dev.lockstep.expr.Scope;
import dev.lockstep.runbook.Action;
import dev.lockstep.runbook.Check;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.secret.Redactor;
import dev.lockstep.step.Settings;
import dev.lockstep.step.StepContext;
import dev.lockstep.step.StepTypes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dry-run: resolves every step, runs the read-only checks against the real systems,
 * and describes the rest. It opens no journal, takes no lock and writes no file.
 */
public final class Planner {
    private final Binder binder;
    private final CheckEvaluator evaluator;

    public Planner(StepTypes types, RunbookLoader loader) {
        this.binder = new Binder(types, loader);
        this.evaluator = new CheckEvaluator(binder);
    }

    /** The dry-run of one runbook. All text in it is already masked. */
    public record Plan(List<StepPlan> steps, List<String> rollback, List<String> withoutRollback) {
        /** Steps that would halt if run now (a change set breaking its guard). */
        public List<StepPlan> wouldHalt() {
            return steps.stream().filter(s -> s.halt() != null).toList();
        }

        /** Failing checks of the first step: they must hold now for a run to start at all. */
        public long failedFirstChecks() {
            return steps.isEmpty() ? 0 : steps.get(0).checks().stream().filter(c -> c.status() == CheckStatus.FAIL).count();
        }
    }

    /** One step of the plan; {@code halt} says why it would halt if run now (null: it would not). */
    public record StepPlan(String id, String title, String uses, List<String> actions, List<CheckPlan> checks,
                           String confirm, List<String> outputs, String rollback, String halt) {}

    public record CheckPlan(String description, CheckStatus status, String observed) {}

    public enum CheckStatus { PASS, FAIL, NOT_RUN }

    /** {@code targets} are where the run would act (verified by the caller when the runbook pins them). */
    public Plan plan(Runbook runbook, Params params, Targets targets) {
        Redactor redactor = params.redactor();
        Scope scope = Scope.of(params.values(), Map.of(), targets.settings().env()).withContexts(targets.values())
                .withPlaceholders();
        List<StepPlan> steps = new ArrayList<>();
        List<String> rollback = new ArrayList<>();
        List<String> without = new ArrayList<>();
        for (StepDef step : runbook.steps()) {
            List<CheckPlan> checks = new ArrayList<>();
            for (Check c : step.checks()) checks.add(check(c, step, runbook.file().getParent(), targets, scope, redactor));
            String confirm = null;
            if (step.confirm() != null) {
                confirm = step.confirm().isTyped()
                        ? "operator must type: " + redactor.redact(Resolver.render(Resolver.resolveText(step.confirm().typed(), scope)))
                        : "operator must confirm";
            }
            String rb = step.rollback() != null ? describe(step.rollback(), scope, redactor) : builtInRollback(step, scope);
            if (rb != null) rollback.add(step.id() + ": " + rb);
            else without.add(step.id());
            StepRun preview = context(step, runbook.file().getParent(), targets, scope, redactor, new RunListener() { });
            String[] halt = new String[1];
            steps.add(new StepPlan(step.id(), step.displayTitle(), step.action().uses(),
                    actions(step.action(), scope, redactor, preview, halt), checks, confirm,
                    new ArrayList<>(step.outputs().keySet()), rb, halt[0]));
        }
        Collections.reverse(rollback);
        for (Action a : runbook.rollback()) rollback.add("runbook: " + describe(a, scope, redactor));
        return new Plan(steps, rollback, without);
    }

    private List<String> actions(Action action, Scope scope, Redactor redactor) {
        return actions(action, scope, redactor, null, new String[1]);
    }

    /**
     * What an action will do. With a context, and when every value is known already, the
     * step type's preview may ask the real systems (a CloudFormation change set).
     */
    private List<String> actions(Action action, Scope scope, Redactor redactor, StepRun previewContext, String[] halt) {
        Scope dry = scope.withPlaceholders();
        try {
            Bound bound = binder.bind(action, dry);
            List<String> lines = previewContext != null && dry.placeholdersUsed().isEmpty()
                    ? bound.preview(previewContext) : bound.plan();
            return lines.stream().map(redactor::redact).toList();
        } catch (dev.lockstep.step.WouldHalt h) {
            halt[0] = redactor.redact(h.getMessage());
            List<String> lines = new ArrayList<>(h.lines().stream().map(redactor::redact).toList());
            lines.add("WOULD HALT: " + halt[0]);
            return lines;
        } catch (Exception e) {
            return List.of("(not resolvable before the run: " + redactor.redact(String.valueOf(e.getMessage())) + ")");
        }
    }

    private String describe(Action action, Scope scope, Redactor redactor) {
        return action.uses() + ": " + String.join(" | ", actions(action, scope, redactor));
    }

    private String builtInRollback(StepDef step, Scope scope) {
        try {
            return binder.bind(step.action(), scope.withPlaceholders()).hasRollback()
                    ? step.action().uses() + " (built-in undo)" : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private CheckPlan check(Check c, StepDef step, Path dir, Targets targets, Scope scope, Redactor redactor) {
        String description = c.action().uses() + (c.expect() != null ? " expect " + c.expect().plain() : "");
        Scope dry = scope.withPlaceholders();
        Bound bound;
        try {
            bound = binder.bind(c.action(), dry);
        } catch (RuntimeException e) {
            return new CheckPlan(description, CheckStatus.NOT_RUN, redactor.redact(
                    dry.placeholdersUsed().isEmpty() ? "cannot resolve: " + e.getMessage()
                            : "depends on " + String.join(", ", dry.placeholdersUsed())));
        }
        if (!dry.placeholdersUsed().isEmpty()) {
            return new CheckPlan(description, CheckStatus.NOT_RUN, "depends on " + String.join(", ", dry.placeholdersUsed()));
        }
        if (!c.readOnly() && !bound.readOnly()) {
            return new CheckPlan(description, CheckStatus.NOT_RUN, "not read-only (mark it readOnly: true to run it in plan)");
        }
        RunListener quiet = new RunListener() { };
        try {
            StepContext.CheckOutcome o = evaluator.evaluate(c, scope, context(step, dir, targets, scope, redactor, quiet));
            return new CheckPlan(description, o.holds() ? CheckStatus.PASS : CheckStatus.FAIL, redactor.redact(o.observed()));
        } catch (Exception e) {
            return new CheckPlan(description, CheckStatus.FAIL, redactor.redact("error: " + e.getMessage()));
        }
    }

    /** A context that journals nothing and writes no log: dry-run leaves no trace. */
    private StepRun context(StepDef step, Path dir, Targets targets, Scope scope, Redactor redactor, RunListener listener) {
        return new StepRun(step, "", dir, targets.settings(), new LinkedHashMap<>(targets.exports()), redactor, listener, null,
                StepDef.LogPatterns.NONE, Map.of(), (k, v) -> { },
                (inner, sc, st) -> evaluator.evaluate(inner, sc, context(st, dir, targets, sc, redactor, listener)),
                scope, Operator.NOBODY, false);
    }
}
