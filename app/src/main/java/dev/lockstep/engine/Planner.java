package dev.lockstep.engine;

import dev.lockstep.expr.Resolver;
import dev.lockstep.expr.Scope;
import dev.lockstep.plugin.StepTypes;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.secret.Redactor;
import dev.lockstep.spi.Action;
import dev.lockstep.spi.Check;
import dev.lockstep.spi.Durations;
import dev.lockstep.spi.Settings;
import dev.lockstep.spi.StepContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Dry-run: resolves every step, runs the read-only checks against the real systems,
 * and describes the rest. It opens no journal, takes no lock and writes no file.
 */
public final class Planner {
    private final Binder binder;
    private final ActionRunner runner;

    public Planner(StepTypes types) {
        this.binder = new Binder(types);
        this.runner = new ActionRunner(binder);
    }

    /** The dry-run of one runbook: the plan document. All text in it is already masked. */
    public record Plan(List<StepPlan> steps, List<RollbackAction> rollback, List<String> withoutRollback,
                       PointOfNoReturn pointOfNoReturn) {
        /** Steps that would halt if run now (a change set breaking its guard). */
        public List<StepPlan> wouldHalt() {
            return with(Verdict.Kind.WOULD_HALT);
        }

        /** Steps that would fail if run now, whatever earlier steps produce: their inputs are all known. */
        public List<StepPlan> wouldFail() {
            return with(Verdict.Kind.WOULD_FAIL);
        }

        /** Steps that could not be checked before the run: they depend on what earlier steps produce. */
        public List<StepPlan> notChecked() {
            return with(Verdict.Kind.NOT_CHECKED);
        }

        private List<StepPlan> with(Verdict.Kind kind) {
            return steps.stream().filter(s -> s.verdict().kind() == kind).toList();
        }

        /** Failing checks of the first step: they must hold now for a run to start at all. */
        public long failedFirstChecks() {
            return steps.isEmpty() ? 0 : steps.get(0).checks().stream().filter(c -> c.status() == CheckStatus.FAIL).count();
        }

        /** The plan's last line: how many steps were checked, would halt, would fail, and could not be checked (and why). */
        public String summary() {
            StringBuilder b = new StringBuilder();
            b.append(steps.size()).append(steps.size() == 1 ? " step: " : " steps: ")
                    .append(with(Verdict.Kind.CHECKED).size()).append(" checked, ")
                    .append(wouldHalt().size()).append(" would halt, ")
                    .append(wouldFail().size()).append(" would fail, ")
                    .append(notChecked().size()).append(" could not be checked before the run");
            if (!notChecked().isEmpty()) {
                b.append(" (");
                List<String> why = new ArrayList<>();
                for (StepPlan s : notChecked()) why.add(s.id() + ": " + s.verdict().reason());
                b.append(String.join("; ", why)).append(')');
            }
            return b.toString();
        }
    }

    /**
     * One step of the plan: its action as it will run (null when it cannot be bound before the run),
     * its checks with what was observed, its confirmation, halt conditions and limits, its rollback as
     * it will run, and the verdict: whether it was checked, would halt, would fail, or could not be checked.
     */
    public record StepPlan(String id, String title, String uses, ActionPlan action, List<CheckPlan> checks,
                           ConfirmPlan confirm, LogsPlan logs, Limits limits, List<String> outputs, RollbackAction rollback,
                           Verdict verdict) {
        /** What the step will do, for reading: the action's lines and the verdict when it is not plainly checked. */
        public List<String> actions() {
            List<String> out = new ArrayList<>(action != null ? action.lines() : verdict.lines());
            if (action != null && verdict.kind() != Verdict.Kind.CHECKED) out.addAll(verdict.lines());
            return out;
        }

        /** The step's halt conditions and limits, one line each, for reading; empty when it has none. */
        public List<String> conditions() {
            List<String> out = new ArrayList<>();
            for (String h : logs.haltOn()) out.add("halts on a line matching: " + h);
            if (logs.until() != null) out.add("ends at a line matching: " + logs.until());
            for (String r : logs.require()) out.add("halts unless some line matches: " + r);
            for (Map<String, String> e : logs.every()) out.add("halts on a line matching " + e.get("lines") + " that does not match " + e.get("must"));
            if (limits.timeout() != null) out.add("timeout: " + limits.timeout());
            if (limits.attempts() > 1) out.add("retry: " + limits.attempts() + " attempts, " + limits.retryDelay() + " apart");
            out.add(limits.idempotent() ? "idempotent: runs again if a crash leaves it in doubt"
                    : "not idempotent: a crash mid-step leaves it in doubt for the operator");
            return out;
        }
    }

    /**
     * Whether a step was checked in full before the run ({@code CHECKED}), would halt or fail if run now, or
     * could not be checked because it depends on what earlier steps produce ({@code reason} says on what).
     */
    public record Verdict(Kind kind, String reason) {
        public enum Kind { CHECKED, WOULD_HALT, WOULD_FAIL, NOT_CHECKED }

        static final Verdict CHECKED = new Verdict(Kind.CHECKED, null);

        List<String> lines() {
            return switch (kind) {
                case CHECKED -> List.of();
                case WOULD_HALT -> List.of("WOULD HALT: " + reason);
                case WOULD_FAIL -> List.of("WOULD FAIL: " + reason);
                case NOT_CHECKED -> List.of("(could not be checked before the run: " + reason + ")");
            };
        }
    }

    /** A precondition: what it is, how it runs (null when it cannot be bound now), what it expects, and what was observed. */
    public record CheckPlan(String name, String uses, boolean readOnly, Object expect, ActionPlan action, CheckStatus status,
                            String observed) {
        public String description() {
            return (name != null ? name + " (" + uses + ")" : uses) + (expect != null ? " expect " + expect : "");
        }
    }

    /** A confirmation before the step: a plain yes, or {@code value} typed exactly. */
    public record ConfirmPlan(boolean typed, String value) {
        public String text() {
            return typed ? "operator must type: " + value : "operator must confirm";
        }
    }

    /** The step's log patterns, as written; {@code every} pairs a line's shape with what such a line must also match. */
    public record LogsPlan(List<String> haltOn, String until, List<String> require, List<Map<String, String>> every) {}

    /** The step's timeout (null: none), attempts and the pause between them, and whether it may run again after a crash. */
    public record Limits(String timeout, int attempts, String retryDelay, boolean idempotent) {}

    /**
     * One rollback action as it will run: what it undoes ({@code subject}: a step id, or "runbook" for the
     * runbook's own rollback), its step type (with "built-in undo" when the type undoes itself), and its
     * lines, resolved.
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
        boolean earlierChanges = false;
        for (int i = 0; i < runbook.steps().size(); i++) {
            StepDef step = runbook.steps().get(i);
            List<CheckPlan> checks = new ArrayList<>();
            for (Future<CheckPlan> f : checksOf.get(i)) checks.add(join(f));
            ConfirmPlan confirm = null;
            if (step.confirm() != null) {
                String typed = binder.typedConfirmation(step, scope);
                confirm = new ConfirmPlan(typed != null, typed == null ? null : redactor.redact(typed));
            }
            RollbackAction rb = rollbackOf(step, scope, redactor);
            if (rb != null) rollback.add(rb);
            else without.add(step.id());
            StepRun preview = context(step, runbook.file().getParent(), targets, scope, redactor, new RunListener() { });
            Described d = describe(step.action(), scope, redactor, preview, earlierChanges);
            // A step that only reads leaves the next one's world as it was.
            earlierChanges |= !d.readOnly();
            steps.add(new StepPlan(step.id(), step.displayTitle(), step.action().uses(), d.action(), checks, confirm,
                    logs(step.logs()), limits(step), new ArrayList<>(step.outputs().keySet()), rb, d.verdict()));
        }
        Collections.reverse(rollback);
        for (Action a : runbook.rollback()) rollback.add(new RollbackAction("runbook", a.uses(), actions(a, scope, redactor)));
        return new Plan(steps, rollback, without, PointOfNoReturn.of(runbook, binder));
    }

    /**
     * Steps that would fail whatever earlier steps produce: binding their action fails with no placeholder
     * to explain it, or what they would build from their own inputs cannot be built ({@code prepare}). The
     * real systems are only read (a stack's template) and no check runs, so a run asks this before its first step.
     */
    public List<String> wouldFail(Runbook runbook, Params params, Targets targets) {
        Scope scope = scope(params, targets, Map.of());
        Redactor redactor = params.redactor();
        List<String> out = new ArrayList<>();
        for (StepDef step : runbook.steps()) {
            Verdict v = describe(step.action(), scope, redactor, null, true).verdict();
            if (v.kind() == Verdict.Kind.WOULD_FAIL) {
                out.add(step.id() + ": " + v.reason());
            } else if (v.kind() == Verdict.Kind.CHECKED) {
                Scope dry = scope.withPlaceholders();
                try {
                    binder.prepare(step.action(), dry, context(step, runbook.file().getParent(), targets, dry, redactor, new RunListener() { }));
                } catch (dev.lockstep.spi.WouldFail f) {
                    out.add(step.id() + ": " + redactor.redact(f.getMessage()));
                } catch (Exception e) {
                    // What the real systems answer now may be an earlier step's to change: the step itself will say.
                }
            }
        }
        return out;
    }

    private static LogsPlan logs(StepDef.LogPatterns p) {
        List<Map<String, String>> every = new ArrayList<>();
        for (StepDef.Every e : p.every()) {
            Map<String, String> rule = new LinkedHashMap<>();
            rule.put("lines", e.lines().pattern());
            rule.put("must", e.must().pattern());
            every.add(rule);
        }
        return new LogsPlan(p.haltOn().stream().map(Pattern::pattern).toList(), p.until() == null ? null : p.until().pattern(),
                p.require().stream().map(Pattern::pattern).toList(), every);
    }

    private static Limits limits(StepDef s) {
        return new Limits(s.timeout() == null ? null : Durations.format(s.timeout()), s.retry().attempts(),
                Durations.format(s.retry().delay()), s.idempotent());
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
        return RunScope.of(params.values(), Scope.Steps.outputsOnly(outputs), targets).withPlaceholders();
    }

    /** An action and what the plan can say of it; {@code action} is null when it cannot be bound before the run. */
    private record Described(ActionPlan action, Verdict verdict, boolean readOnly) {}

    /**
     * What an action will do, and whether that was checked. With a context, and when every value is known
     * already, the step type's preview may ask the real systems (a CloudFormation change set). A failure
     * that no placeholder explains is one the run would meet too: WOULD FAIL.
     */
    private Described describe(Action action, Scope scope, Redactor redactor, StepRun previewContext, boolean earlierChanges) {
        Scope dry = scope.withPlaceholders();
        Bound bound;
        ActionPlan plan;
        try {
            bound = binder.bind(action, dry);
            plan = binder.describe(bound, dry);
        } catch (Exception e) {
            String why = redactor.redact(String.valueOf(e.getMessage()));
            List<String> explaining = dry.placeholdersUsed().stream().filter(ph -> why.contains("<" + ph + ">")).toList();
            return new Described(null, explaining.isEmpty() ? new Verdict(Verdict.Kind.WOULD_FAIL, why)
                    : new Verdict(Verdict.Kind.NOT_CHECKED, "depends on " + String.join(", ", distinct(explaining)) + ": " + why), false);
        }
        boolean readOnly = bound.readOnly();
        if (!dry.placeholdersUsed().isEmpty()) {
            return new Described(plan.redacted(redactor), new Verdict(Verdict.Kind.NOT_CHECKED,
                    "depends on " + String.join(", ", distinct(dry.placeholdersUsed()))), readOnly);
        }
        if (previewContext == null) return new Described(plan.redacted(redactor), Verdict.CHECKED, readOnly);
        try {
            return new Described(binder.preview(action, dry, previewContext).redacted(redactor), Verdict.CHECKED, readOnly);
        } catch (dev.lockstep.spi.WouldHalt h) {
            List<String> lines = h.lines().stream().map(redactor::redact).toList();
            return new Described(new ActionPlan(action.uses(), Map.of(), null, Map.of(), lines),
                    new Verdict(Verdict.Kind.WOULD_HALT, redactor.redact(h.getMessage())), readOnly);
        } catch (Exception e) {
            String why = redactor.redact(String.valueOf(e.getMessage()));
            // What the real systems answer may be an earlier step's to change; what the step's own inputs make, not.
            boolean certain = e instanceof dev.lockstep.spi.WouldFail || !earlierChanges;
            return new Described(plan.redacted(redactor), certain ? new Verdict(Verdict.Kind.WOULD_FAIL, why)
                    : new Verdict(Verdict.Kind.NOT_CHECKED, "an earlier step changes what it needs; asked now: " + why), readOnly);
        }
    }

    private static List<String> distinct(List<String> names) {
        return new ArrayList<>(new LinkedHashSet<>(names));
    }

    /** An action's lines (a rollback's): what it will do, or why that cannot be said before the run. */
    private List<String> actions(Action action, Scope scope, Redactor redactor) {
        Described d = describe(action, scope, redactor, null, true);
        List<String> out = new ArrayList<>(d.action() != null ? d.action().lines() : List.of());
        out.addAll(d.verdict().lines());
        return out;
    }

    /** How a step is undone: the rollback the runbook wrote, or its type's built-in undo; null when it has none. */
    private RollbackAction rollbackOf(StepDef step, Scope scope, Redactor redactor) {
        if (step.rollback() != null) {
            return new RollbackAction(step.id(), step.rollback().uses(), actions(step.rollback(), scope, redactor));
        }
        Bound bound = binder.builtInUndo(step.action(), scope);
        if (bound == null) return null;
        List<String> undo;
        try {
            undo = bound.describeUndo();
        } catch (RuntimeException e) {
            return null;
        }
        return new RollbackAction(step.id(), step.action().uses() + " (built-in undo)", undo.stream().map(redactor::redact).toList());
    }

    /** A check's verdict: at once when it cannot run now, else from {@code checking}, where it runs with a scope of its own. */
    private Future<CheckPlan> check(Check c, StepDef step, Path dir, Targets targets, Scope scope, Redactor redactor,
                                    ExecutorService checking) {
        Scope dry = scope.withPlaceholders();
        Object expect;
        ActionPlan action;
        boolean readOnly;
        try {
            expect = c.expect() == null ? null : redactor.redactTree(ActionPlan.jsonSafe(Resolver.resolve(c.expect(), dry).plain()));
            Bound bound = binder.bind(c.action(), dry);
            action = binder.describe(bound, dry).redacted(redactor);
            readOnly = c.readOnly() || bound.readOnly();
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new CheckPlan(c.name(), c.action().uses(), c.readOnly(), null, null,
                    CheckStatus.NOT_RUN, redactor.redact(dry.placeholdersUsed().isEmpty() ? "cannot resolve: " + e.getMessage()
                            : "depends on " + String.join(", ", distinct(dry.placeholdersUsed())))));
        }
        BiFunction<CheckStatus, String, CheckPlan> verdict = (status, observed) -> new CheckPlan(c.name(), c.action().uses(),
                readOnly, expect, action, status, observed);
        if (!dry.placeholdersUsed().isEmpty()) {
            return CompletableFuture.completedFuture(verdict.apply(CheckStatus.NOT_RUN,
                    "depends on " + String.join(", ", distinct(dry.placeholdersUsed()))));
        }
        if (!readOnly) {
            return CompletableFuture.completedFuture(verdict.apply(CheckStatus.NOT_RUN,
                    "not read-only (mark it readOnly: true to run it in plan)"));
        }
        return checking.submit(() -> {
            Scope own = scope.withPlaceholders();
            try {
                StepContext.CheckOutcome o = runner.check(c, own, context(step, dir, targets, own, redactor, new RunListener() { }));
                return verdict.apply(o.holds() ? CheckStatus.PASS : CheckStatus.FAIL, redactor.redact(o.observed()));
            } catch (Exception e) {
                return verdict.apply(CheckStatus.FAIL, redactor.redact("error: " + e.getMessage()));
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
                (inner, sc, st) -> runner.check(inner, sc, context(st, dir, targets, sc, redactor, listener)),
                scope, Operator.NOBODY, false);
    }
}
