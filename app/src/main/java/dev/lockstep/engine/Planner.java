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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
    public record Plan(List<StepPlan> steps, List<RollbackAction> rollback, List<String> withoutRollback) {
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
                           String confirm, List<String> outputs, RollbackAction rollback, String halt) {}

    public record CheckPlan(String description, CheckStatus status, String observed) {}

    /**
     * One rollback action as it would run: what it undoes ({@code subject}: a step id, or "runbook" for
     * the runbook's own rollback), its step type (with "built-in undo" when the type undoes itself), and
     * its lines, resolved.
     */
    public record RollbackAction(String subject, String uses, List<String> actions) {
        /** The action in one line's heading and its lines below, indented by {@code indent}. */
        public List<String> lines(String heading, String indent) {
            List<String> out = new ArrayList<>();
            out.add(heading + uses);
            for (String a : actions) out.add(indent + a);
            return out;
        }
    }

    /**
     * What rolling back a run in this state would run, in order, and the steps left as they are;
     * {@code states} says, for each action, where its step stands (or whether a runbook action is done).
     */
    public record RollbackPreview(List<RollbackAction> actions, List<String> withoutRollback, List<String> states) {
        /** The numbered list the rollback command and the UI's dialog show. */
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            int runbookAction = 0;
            for (int i = 0; i < actions.size(); i++) {
                RollbackAction a = actions.get(i);
                String heading = "  " + (i + 1) + ". " + (a.subject().equals("runbook")
                        ? "runbook rollback action " + ++runbookAction + " (" + states.get(i) + "): "
                        : "undo " + a.subject() + " (" + states.get(i) + "): ");
                out.addAll(a.lines(heading, "       "));
            }
            if (actions.isEmpty()) out.add("  (nothing to run: no step has done anything that can be undone)");
            if (!withoutRollback.isEmpty()) out.add("  No rollback (left as they are): " + String.join(", ", withoutRollback));
            return out;
        }
    }

    public enum CheckStatus { PASS, FAIL, NOT_RUN }

    /** {@code targets} are where the run would act (verified by the caller when the runbook pins them). */
    public Plan plan(Runbook runbook, Params params, Targets targets) {
        return plan(runbook, params, targets, Map.of());
    }

    /**
     * The dry-run with the outputs that steps of a run have produced already ({@code outputs}, by
     * step): what is known is shown resolved, the rest as placeholders.
     */
    public Plan plan(Runbook runbook, Params params, Targets targets, Map<String, Map<String, Object>> outputs) {
        ExecutorService checking = Executors.newFixedThreadPool(CHECKS_AT_ONCE, r -> {
            Thread t = new Thread(r, "lockstep-plan-check");
            t.setDaemon(true);
            return t;
        });
        try {
            return plan(runbook, params, targets, outputs, checking);
        } finally {
            checking.shutdownNow();
        }
    }

    /** Read-only checks are independent of each other: they run a few at a time (each may wait on a process or a network). */
    private static final int CHECKS_AT_ONCE = 4;

    private Plan plan(Runbook runbook, Params params, Targets targets, Map<String, Map<String, Object>> outputs,
                      ExecutorService checking) {
        Redactor redactor = params.redactor();
        Scope scope = scope(params, targets, outputs);
        List<StepPlan> steps = new ArrayList<>();
        List<RollbackAction> rollback = new ArrayList<>();
        List<String> without = new ArrayList<>();
        // By position, not keyed by the step: a record's hash is deep, and its first use links code at start-up.
        List<List<Future<CheckPlan>>> checksOf = new ArrayList<>();
        for (StepDef step : runbook.steps()) {
            List<Future<CheckPlan>> futures = new ArrayList<>();
            for (Check c : step.checks()) futures.add(check(c, step, runbook.file().getParent(), targets, scope, redactor, checking));
            checksOf.add(futures);
        }
        for (int i = 0; i < runbook.steps().size(); i++) {
            StepDef step = runbook.steps().get(i);
            List<CheckPlan> checks = new ArrayList<>();
            for (Future<CheckPlan> f : checksOf.get(i)) checks.add(join(f));
            String confirm = null;
            if (step.confirm() != null) {
                confirm = step.confirm().isTyped()
                        ? "operator must type: " + redactor.redact(Resolver.render(Resolver.resolveText(step.confirm().typed(), scope)))
                        : "operator must confirm";
            }
            RollbackAction rb = rollbackOf(step, scope, redactor);
            if (rb != null) rollback.add(rb);
            else without.add(step.id());
            StepRun preview = context(step, runbook.file().getParent(), targets, scope, redactor, new RunListener() { });
            String[] halt = new String[1];
            steps.add(new StepPlan(step.id(), step.displayTitle(), step.action().uses(),
                    actions(step.action(), scope, redactor, preview, halt), checks, confirm,
                    new ArrayList<>(step.outputs().keySet()), rb, halt[0]));
        }
        Collections.reverse(rollback);
        for (Action a : runbook.rollback()) rollback.add(new RollbackAction("runbook", a.uses(), actions(a, scope, redactor)));
        return new Plan(steps, rollback, without);
    }

    /**
     * What rolling back a run in the state {@code snapshot} records would run, resolved with its
     * parameters and outputs, without opening it: nothing is written, so an operator who declines
     * leaves no trace. The steps are chosen as {@link Engine#rollbackPlan} chooses them.
     */
    public RollbackPreview rollbackPreview(Runbook runbook, Params params, Targets targets, RunSnapshot snapshot,
                                           Map<String, Map<String, Object>> outputs) {
        Redactor redactor = params.redactor();
        Scope scope = scope(params, targets, outputs);
        Engine.RollbackPlan plan = Engine.RollbackPlan.of(runbook, snapshot, s -> rollbackOf(s, scope, redactor) != null);
        List<RollbackAction> actions = new ArrayList<>();
        List<String> states = new ArrayList<>();
        for (StepDef s : plan.steps()) {
            actions.add(rollbackOf(s, scope, redactor));
            states.add(snapshot.step(s.id()).state().label());
        }
        for (int i = 0; i < plan.runbookRollback().size(); i++) {
            Action a = plan.runbookRollback().get(i);
            actions.add(new RollbackAction("runbook", a.uses(), actions(a, scope, redactor)));
            states.add("succeeded".equals(snapshot.finalRollback().get(i)) ? "done" : "to run");
        }
        return new RollbackPreview(actions, plan.withoutRollback().stream().map(StepDef::id).toList(), states);
    }

    private static Scope scope(Params params, Targets targets, Map<String, Map<String, Object>> outputs) {
        return Scope.of(params.values(), outputs, targets.settings().env()).withContexts(targets.values()).withPlaceholders();
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

    /** How a step is undone: the rollback the runbook wrote, or its type's built-in undo; null when it has none. */
    private RollbackAction rollbackOf(StepDef step, Scope scope, Redactor redactor) {
        if (step.rollback() != null) {
            return new RollbackAction(step.id(), step.rollback().uses(), actions(step.rollback(), scope, redactor));
        }
        try {
            if (!binder.bind(step.action(), scope.withPlaceholders()).hasRollback()) return null;
        } catch (RuntimeException e) {
            return null;
        }
        List<String> lines = new ArrayList<>();
        for (String a : actions(step.action(), scope, redactor)) lines.add("undoes: " + a);
        return new RollbackAction(step.id(), step.action().uses() + " (built-in undo)", lines);
    }

    /** A check's verdict: at once when it cannot run now, else from {@code checking}, where it runs with a scope of its own. */
    private Future<CheckPlan> check(Check c, StepDef step, Path dir, Targets targets, Scope scope, Redactor redactor,
                                    ExecutorService checking) {
        String description = (c.name() != null ? c.name() + " (" + c.action().uses() + ")" : c.action().uses())
                + (c.expect() != null ? " expect " + c.expect().plain() : "");
        Scope dry = scope.withPlaceholders();
        Bound bound;
        try {
            bound = binder.bind(c.action(), dry);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new CheckPlan(description, CheckStatus.NOT_RUN, redactor.redact(
                    dry.placeholdersUsed().isEmpty() ? "cannot resolve: " + e.getMessage()
                            : "depends on " + String.join(", ", dry.placeholdersUsed()))));
        }
        if (!dry.placeholdersUsed().isEmpty()) {
            return CompletableFuture.completedFuture(new CheckPlan(description, CheckStatus.NOT_RUN,
                    "depends on " + String.join(", ", dry.placeholdersUsed())));
        }
        if (!c.readOnly() && !bound.readOnly()) {
            return CompletableFuture.completedFuture(new CheckPlan(description, CheckStatus.NOT_RUN,
                    "not read-only (mark it readOnly: true to run it in plan)"));
        }
        return checking.submit(() -> {
            Scope own = scope.withPlaceholders();
            try {
                StepContext.CheckOutcome o = evaluator.evaluate(c, own, context(step, dir, targets, own, redactor, new RunListener() { }));
                return new CheckPlan(description, o.holds() ? CheckStatus.PASS : CheckStatus.FAIL, redactor.redact(o.observed()));
            } catch (Exception e) {
                return new CheckPlan(description, CheckStatus.FAIL, redactor.redact("error: " + e.getMessage()));
            }
        });
    }

    private static CheckPlan join(Future<CheckPlan> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("planning was interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a check could not be evaluated: " + e.getCause(), e.getCause());
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
