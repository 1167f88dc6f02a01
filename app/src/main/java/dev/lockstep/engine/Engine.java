package dev.lockstep.engine;

import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.expr.Resolver;
import dev.lockstep.expr.Scope;
import dev.lockstep.journal.EventType;
import dev.lockstep.runbook.Action;
import dev.lockstep.runbook.Check;
import dev.lockstep.runbook.Durations;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.runbook.Value;
import dev.lockstep.step.Reconciliation;
import dev.lockstep.step.Settings;
import dev.lockstep.step.StepContext;
import dev.lockstep.step.StepResult;
import dev.lockstep.step.StepType;
import dev.lockstep.step.StepTypes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Drives a run: forward through its steps, or back through their rollbacks. It only
 * changes state by appending journal events that the step state machine allows,
 * and every outside effect is bracketed by a journaled start and end.
 */
public final class Engine {
    private final Run run;
    private final StepTypes types;
    private final CheckEvaluator evaluator;
    private final Operator operator;
    private final Map<String, String> env;
    private final Settings settings;
    private final Object idle = new Object();
    private boolean busy;
    private volatile boolean interrupted;
    private volatile Thread worker;

    public Engine(Run run, StepTypes types, RunbookLoader loader, Operator operator, Settings settings) {
        this.run = run;
        this.types = types;
        this.evaluator = new CheckEvaluator(types, loader);
        this.operator = operator;
        this.settings = settings.withDefaults(run.runbook().aws().settings());
        this.env = settings.env();
    }

    public Run run() {
        return run;
    }

    /** The settings steps see: the command line's, with the runbook's context added. */
    public Settings settings() {
        return settings;
    }

    /** Runs every step that is not done yet, in order, until the end or the first stop. */
    public Outcome forward() {
        Outcome o;
        do {
            o = step();
        } while (o == null);
        return o;
    }

    /**
     * Takes the next step that is not done as far as it goes. Null means it is done
     * and more steps remain; otherwise the run finished or stopped, as the outcome says.
     */
    public Outcome step() {
        return drive(() -> {
            if (interrupted) return interruptedOutcome(null);
            StepDef next = nextStep();
            if (next != null) {
                Outcome o = advance(next);
                if (o != null) return o;
                if (nextStep() != null) return null;
            }
            if (run.snapshot().status() != RunStatus.SUCCEEDED) {
                run.append(EventType.RUN_FINISHED, null, Map.of("by", operator.name()));
            }
            return Outcome.success("run " + run.id() + " succeeded");
        });
    }

    /** The first step, in runbook order, that is neither succeeded nor skipped; null when all are. */
    public StepDef nextStep() {
        synchronized (run) {
            for (StepDef s : run.runbook().steps()) {
                if (!run.snapshot().step(s.id()).state().isDone()) return s;
            }
            return null;
        }
    }

    /** Evaluates a step's preconditions again, for the operator to see; nothing is journaled. */
    public List<StepContext.CheckOutcome> recheck(StepDef step) {
        return drive(() -> {
            Scope scope = scope();
            List<StepContext.CheckOutcome> out = new ArrayList<>();
            for (Check c : step.checks()) out.add(evaluate(c, scope, step));
            return out;
        });
    }

    /** What a step will do, resolved with what is known now; placeholders for outputs not produced yet. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public List<String> preview(StepDef step) {
        StepType type = types.get(step.action().uses());
        try {
            Scope scope;
            synchronized (run) {
                scope = Scope.of(run.params().values(), run.snapshot().outputsByStep(), env).withPlaceholders();
            }
            ActionResolver.Resolved r = ActionResolver.resolve(step.action().with(), type, scope);
            List<String> lines = new ArrayList<>();
            r.env().forEach((k, v) -> lines.add("env " + k + "=" + v));
            lines.addAll(type.plan(evaluator.bind(type, r.with())));
            return lines.stream().map(run.redactor()::redact).toList();
        } catch (RuntimeException e) {
            return List.of("(not resolvable yet: " + run.redactor().redact(message(e)) + ")");
        }
    }

    /** Runs one driving action; {@link #interrupt} waits for the one in progress to journal how it ended. */
    private <T> T drive(java.util.function.Supplier<T> action) {
        synchronized (idle) {
            busy = true;
        }
        try {
            return action.get();
        } finally {
            synchronized (idle) {
                busy = false;
                idle.notifyAll();
            }
        }
    }

    /** Takes one step as far as it goes; null means it is done and the run may go on. */
    private Outcome advance(StepDef step) {
        RunSnapshot.StepRecord r = run.snapshot().step(step.id());
        switch (r.state()) {
            case SUCCEEDED, SKIPPED -> {
                return null;
            }
            case HALTED -> {
                return new Outcome(ErrorCode.HALTED, "step " + step.id() + " halted: " + r.reason()
                        + ". Retry it (lockstep resume --retry " + step.id() + "), override the halt (lockstep resume --override "
                        + step.id() + "=" + step.id() + "), or roll back (lockstep rollback " + run.id() + ")");
            }
            case FAILED -> run.append(EventType.STEP_RETRIED, step.id(), Map.of("by", operator.name()));
            case IN_DOUBT -> {
                return inDoubt(step, r);
            }
            case ROLLING_BACK, ROLLED_BACK, ROLLBACK_FAILED -> {
                return new Outcome(ErrorCode.NEEDS_OPERATOR, "run " + run.id()
                        + " is being rolled back; continue with lockstep rollback " + run.id());
            }
            default -> { }
        }
        Outcome gate = checkAndConfirm(step);
        if (gate != null) return gate;
        return execute(step);
    }

    private Outcome inDoubt(StepDef step, RunSnapshot.StepRecord r) {
        List<Long> stillRunning = Orphans.of(run.id(), step.id());
        if (!stillRunning.isEmpty()) {
            return new Outcome(ErrorCode.NEEDS_OPERATOR, "step " + step.id() + " was in flight when the run stopped and its "
                    + "process is still running (pid " + stillRunning.stream().map(String::valueOf)
                    .reduce((a, b) -> a + ", " + b).orElse("") + "): wait for it to end, or stop it, then resume");
        }
        StepType<?> type = types.get(step.action().uses());
        Reconciliation rec = reconcile(type, step, r.externalIds());
        Operator.InDoubtChoice choice = rec == Reconciliation.RERUN ? Operator.InDoubtChoice.RERUN
                : operator.inDoubt(step, inDoubtDetail(r));
        if (choice == null) {
            return new Outcome(ErrorCode.NEEDS_OPERATOR, "step " + step.id() + " was in flight when the run stopped ("
                    + r.reason() + ") and is not idempotent: check whether it had its effect, then resume with --rerun "
                    + step.id() + ", --mark-done " + step.id() + " or --skip " + step.id());
        }
        switch (choice) {
            case MARK_DONE -> {
                run.append(EventType.STEP_MARKED_DONE, step.id(), Map.of("by", operator.name()));
                return null;
            }
            case SKIP -> {
                run.append(EventType.STEP_SKIPPED, step.id(), Map.of("by", operator.name(),
                        "reason", "in-doubt step skipped on resume"));
                return null;
            }
            default -> {
                return execute(step);
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Reconciliation reconcile(StepType type, StepDef step, Map<String, String> externalIds) {
        try {
            ActionResolver.Resolved a = ActionResolver.resolve(step.action().with(), type, scope());
            return type.reconcile(evaluator.bind(type, a.with()), externalIds, step.idempotent());
        } catch (RuntimeException e) {
            return step.idempotent() ? Reconciliation.RERUN : Reconciliation.ASK_OPERATOR;
        }
    }

    private static String inDoubtDetail(RunSnapshot.StepRecord r) {
        String pid = r.externalIds().get("pid");
        return (r.reason() == null ? "it was in flight" : r.reason())
                + (pid != null ? "; its process " + pid + " has ended" : "");
    }

    private Outcome checkAndConfirm(StepDef step) {
        Scope scope = scope();
        if (!step.checks().isEmpty()) {
            run.append(EventType.STEP_CHECKING, step.id(), Map.of());
            List<String> failed = new ArrayList<>();
            for (int i = 0; i < step.checks().size(); i++) {
                Check c = step.checks().get(i);
                StepContext.CheckOutcome o = evaluate(c, scope, step);
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("index", i);
                data.put("check", c.action().uses());
                data.put("observed", o.observed());
                run.append(o.holds() ? EventType.CHECK_PASSED : EventType.CHECK_FAILED, step.id(), data);
                if (!o.holds()) failed.add("check " + (i + 1) + " (" + c.action().uses() + "): " + o.observed());
            }
            if (!failed.isEmpty()) {
                String reason = String.join("; ", failed);
                run.append(EventType.STEP_BLOCKED, step.id(), Map.of("reason", reason));
                return new Outcome(ErrorCode.PRECONDITION_NOT_MET, "step " + step.id() + " did not start: " + reason);
            }
        }
        if (step.confirm() == null) return null;
        boolean given;
        boolean typed = step.confirm().isTyped();
        if (typed) {
            String expected;
            try {
                expected = Resolver.render(Resolver.resolveText(step.confirm().typed(), scope));
            } catch (RuntimeException e) {
                return blockOnConfirm(step, "its confirmation text cannot be resolved: " + e.getMessage());
            }
            given = operator.typed(step, "Type " + run.redactor().redact(expected) + " to run step " + step.id(), expected);
            if (!given) {
                return blockOnConfirm(step, "needs the typed confirmation '" + run.redactor().redact(expected)
                        + "' (--confirm " + step.id() + "=VALUE)");
            }
        } else {
            given = operator.confirm("Run step " + step.id() + " (" + step.displayTitle() + ")?");
            if (!given) return blockOnConfirm(step, "needs confirmation (--yes)");
        }
        run.append(EventType.STEP_CONFIRMED, step.id(), Map.of("by", operator.name(), "typed", typed));
        return null;
    }

    private Outcome blockOnConfirm(StepDef step, String why) {
        if (run.snapshot().step(step.id()).state() == StepState.CHECKING) {
            run.append(EventType.STEP_RESET, step.id(), Map.of("reason", "confirmation not given"));
        }
        if (interrupted) return interruptedOutcome(null);
        return new Outcome(ErrorCode.NEEDS_OPERATOR, "step " + step.id() + " " + why);
    }

    StepContext.CheckOutcome evaluate(Check c, Scope scope, StepDef step) {
        StepRun ctx = context(step, "[check] ", StepDef.LogPatterns.NONE, scope, true);
        try {
            return evaluator.evaluate(c, scope, ctx);
        } catch (Exception e) {
            return new StepContext.CheckOutcome(false, "error: " + run.redactor().redact(message(e)));
        } finally {
            ctx.close();
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Outcome execute(StepDef step) {
        StepType type = types.get(step.action().uses());
        Scope scope = scope();
        Record config;
        ActionResolver.Resolved resolved;
        List<String> plan;
        try {
            resolved = ActionResolver.resolve(step.action().with(), type, scope);
            config = evaluator.bind(type, resolved.with());
            plan = type.plan(config);
        } catch (RuntimeException e) {
            run.append(EventType.STEP_STARTED, step.id(), Map.of("attempt", 1));
            return fail(step, "cannot resolve the step: " + message(e));
        }
        Map<String, Object> start = new LinkedHashMap<>();
        start.put("attempt", run.snapshot().step(step.id()).attempts() + 1);
        start.put("plan", plan);
        if (!resolved.env().isEmpty()) start.put("env", new ArrayList<>(resolved.env().keySet()));
        run.append(EventType.STEP_STARTED, step.id(), start);
        long began = System.nanoTime();
        Duration timeout = step.timeout();
        for (int attempt = 1; ; attempt++) {
            StepRun ctx = context(step, "", step.logs(), scope, false);
            ctx.env().putAll(resolved.env());
            Attempt a = attempt(ctx, () -> type.execute(config, ctx), timeout);
            ctx.close();
            if (a.interrupted) return interruptedOutcome(step.id());
            if (ctx.haltLine() != null) {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("reason", ctx.haltReason());
                data.put("evidence", ctx.haltLine());
                run.append(EventType.STEP_HALTED, step.id(), data);
                return new Outcome(ErrorCode.HALTED, "step " + step.id() + " halted: " + ctx.haltReason() + ": "
                        + ctx.haltLine());
            }
            if (a.result != null && a.result.halts()) {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("reason", a.result.summary());
                data.put("evidence", a.result.haltEvidence());
                data.put("result", a.result.data());
                run.append(EventType.STEP_HALTED, step.id(), data);
                return new Outcome(ErrorCode.HALTED, "step " + step.id() + " halted: " + run.redactor().redact(a.result.summary()));
            }
            if (ctx.untilLine() != null) {
                return succeed(step, scope, StepResult.ok("until matched: " + ctx.untilLine(),
                        Map.of("matched", ctx.untilLine())), began);
            }
            if (a.result != null && a.result.ok()) return succeed(step, scope, a.result, began);
            String reason = a.failure();
            if (attempt >= step.retry().attempts()) return fail(step, reason);
            run.append(EventType.STEP_ATTEMPT_FAILED, step.id(), Map.of("attempt", attempt, "reason", reason));
            run.listener().notice("step " + step.id() + " attempt " + attempt + " failed (" + reason + "); retrying in "
                    + Durations.format(step.retry().delay()));
            try {
                Thread.sleep(step.retry().delay().toMillis());
            } catch (InterruptedException e) {
                return interruptedOutcome(null);
            }
        }
    }

    private Outcome succeed(StepDef step, Scope scope, StepResult result, long began) {
        Map<String, Object> outputs = new LinkedHashMap<>();
        Scope withResult = scope.withResult(result.data());
        for (Map.Entry<String, Value.Scalar> o : step.outputs().entrySet()) {
            try {
                Object v = o.getValue().value() instanceof String text ? Resolver.resolveText(text, withResult)
                        : o.getValue().value();
                outputs.put(o.getKey(), v);
            } catch (RuntimeException e) {
                return fail(step, "the step ran, but output " + o.getKey() + " (" + o.getValue().position() + ") has no value: "
                        + message(e));
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("summary", result.summary());
        data.put("outputs", outputs);
        data.put("durationMs", (System.nanoTime() - began) / 1_000_000);
        run.append(EventType.STEP_SUCCEEDED, step.id(), data);
        return null;
    }

    private Outcome fail(StepDef step, String reason) {
        run.append(EventType.STEP_FAILED, step.id(), Map.of("reason", reason));
        return new Outcome(ErrorCode.STEP_FAILED, "step " + step.id() + " failed: " + run.redactor().redact(reason));
    }

    private Outcome interruptedOutcome(String stepInFlight) {
        if (stepInFlight != null) {
            run.append(EventType.STEP_IN_DOUBT, stepInFlight, Map.of("reason", "interrupted while running"));
        }
        run.append(EventType.RUN_INTERRUPTED, null, Map.of("by", operator.name()));
        return new Outcome(ErrorCode.INTERRUPTED, "interrupted; continue with lockstep resume " + run.id());
    }

    /** Operator commands, as the CLI flags and the TUI send them. */
    public void retry(String stepId) {
        requireState(stepId, StepState.FAILED, StepState.HALTED);
        run.append(EventType.STEP_RETRIED, stepId, Map.of("by", operator.name()));
    }

    /** Accepts a halted step as succeeded; the operator must type the step id. */
    public void override(String stepId, String typed) {
        requireState(stepId, StepState.HALTED);
        if (!stepId.equals(typed)) {
            throw new LockstepException(ErrorCode.USAGE, "to override the halt of step " + stepId
                    + ", type its id exactly (--override " + stepId + "=" + stepId + ")");
        }
        run.append(EventType.STEP_OVERRIDDEN, stepId, Map.of("by", operator.name(), "typed", typed));
    }

    public void skip(String stepId, String reason) {
        requireState(stepId, StepState.PENDING, StepState.FAILED, StepState.IN_DOUBT);
        if (reason == null || reason.isBlank()) {
            throw new LockstepException(ErrorCode.USAGE, "skipping step " + stepId + " needs a reason (--reason TEXT)");
        }
        run.append(EventType.STEP_SKIPPED, stepId, Map.of("by", operator.name(), "reason", reason));
    }

    private void requireState(String stepId, StepState... allowed) {
        RunSnapshot.StepRecord r = run.snapshot().step(stepId);
        if (r == null) {
            throw new LockstepException(ErrorCode.USAGE, "run " + run.id() + " has no step " + stepId);
        }
        for (StepState s : allowed) if (r.state() == s) return;
        throw new LockstepException(ErrorCode.USAGE, "step " + stepId + " is " + r.state().label() + "; that needs it to be "
                + String.join(" or ", java.util.Arrays.stream(allowed).map(StepState::label).toList()));
    }

    /** The steps a rollback would undo, last first, and those it cannot undo. */
    public RollbackPlan rollbackPlan() {
        List<StepDef> undo = new ArrayList<>();
        List<StepDef> without = new ArrayList<>();
        List<StepDef> steps = new ArrayList<>(run.runbook().steps());
        Collections.reverse(steps);
        for (StepDef s : steps) {
            RunSnapshot.StepRecord r = run.snapshot().step(s.id());
            if (r == null || !r.state().mayHaveEffect()) continue;
            if (hasRollback(s)) undo.add(s);
            else without.add(s);
        }
        return new RollbackPlan(undo, without, run.runbook().rollback());
    }

    /** What a rollback will do: step rollbacks in order, steps with none, then the runbook's own rollback. */
    public record RollbackPlan(List<StepDef> steps, List<StepDef> withoutRollback, List<Action> runbookRollback) {}

    /** Whether the step can be undone: a rollback in the runbook, or its type's built-in undo. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public boolean hasRollback(StepDef s) {
        if (s.rollback() != null) return true;
        StepType type = types.get(s.action().uses());
        try {
            return type.hasRollback(evaluator.bind(type, ActionResolver.resolve(s.action().with(), type, scope()).with()));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Undoes what the run did: step rollbacks last-first, then the runbook-level rollback. Resumable. */
    public Outcome rollback() {
        return drive(this::rollBack);
    }

    private Outcome rollBack() {
        RollbackPlan plan = rollbackPlan();
        if (!run.snapshot().rollbackStarted()) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("by", operator.name());
            data.put("steps", plan.steps().stream().map(StepDef::id).toList());
            data.put("withoutRollback", plan.withoutRollback().stream().map(StepDef::id).toList());
            run.append(EventType.ROLLBACK_STARTED, null, data);
        }
        for (StepDef step : plan.steps()) {
            if (interrupted) return interruptedOutcome(null);
            RunSnapshot.StepRecord r = run.snapshot().step(step.id());
            if (r.state() == StepState.ROLLING_BACK && !step.idempotent()) {
                Operator.InDoubtChoice c = operator.inDoubt(step, "its rollback was in flight when the process stopped");
                if (c == null || c == Operator.InDoubtChoice.SKIP) {
                    return new Outcome(ErrorCode.NEEDS_OPERATOR, "the rollback of step " + step.id()
                            + " was in flight when the process stopped: check whether it took effect, then run lockstep rollback with --rerun "
                            + step.id() + " or --mark-done " + step.id());
                }
                if (c == Operator.InDoubtChoice.MARK_DONE) {
                    run.append(EventType.STEP_MARKED_DONE, step.id(), Map.of("by", operator.name()));
                    continue;
                }
            }
            run.append(EventType.STEP_ROLLBACK_STARTED, step.id(), Map.of());
            Attempt a = undo(step);
            if (a.interrupted) return interruptedOutcome(null);
            if (a.result == null || !a.result.ok()) {
                run.append(EventType.STEP_ROLLBACK_FAILED, step.id(), Map.of("reason", a.failure()));
                return new Outcome(ErrorCode.STEP_FAILED, "rollback of step " + step.id() + " failed: "
                        + run.redactor().redact(a.failure()) + "; fix it and run lockstep rollback " + run.id() + " again");
            }
            run.append(EventType.STEP_ROLLBACK_SUCCEEDED, step.id(), Map.of("summary", a.result.summary()));
        }
        List<Action> last = run.runbook().rollback();
        for (int i = 0; i < last.size(); i++) {
            if ("succeeded".equals(run.snapshot().finalRollback().get(i))) continue;
            run.append(EventType.FINAL_ROLLBACK_STARTED, null, Map.of("index", i, "uses", last.get(i).uses()));
            Attempt a = action(ROLLBACK_STEP, last.get(i), "[rollback " + (i + 1) + "] ", false);
            if (a.interrupted) return interruptedOutcome(null);
            if (a.result == null || !a.result.ok()) {
                run.append(EventType.FINAL_ROLLBACK_FAILED, null, Map.of("index", i, "reason", a.failure()));
                return new Outcome(ErrorCode.STEP_FAILED, "runbook rollback action " + (i + 1) + " failed: "
                        + run.redactor().redact(a.failure()));
            }
            run.append(EventType.FINAL_ROLLBACK_SUCCEEDED, null, Map.of("index", i));
        }
        run.append(EventType.ROLLBACK_FINISHED, null, Map.of("by", operator.name()));
        return Outcome.success("run " + run.id() + " rolled back");
    }

    /** Where the external ids of a runbook-written rollback action are kept, apart from its step's. */
    private static final String ROLLBACK_IDS = "rollback:";

    /** Stands in for "the runbook" when a runbook-level rollback action needs a step for its log and context. */
    private static final StepDef ROLLBACK_STEP = new StepDef("rollback", "runbook rollback", null, null, List.of(),
            Map.of(), null, null, null, StepDef.Retry.NONE, false, StepDef.LogPatterns.NONE, null, Map.of());

    private Attempt undo(StepDef step) {
        return step.rollback() != null
                ? action(step, step.rollback(), "[rollback] ", false)
                : action(step, step.action(), "[rollback] ", true);
    }

    /** Runs an action once, with no patterns and the step's timeout: a rollback, or its type's built-in undo. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private Attempt action(StepDef step, Action action, String prefix, boolean builtInUndo) {
        StepType type = types.get(action.uses());
        Scope scope = scope();
        StepRun ctx = context(step, prefix, StepDef.LogPatterns.NONE, scope, false, builtInUndo ? "" : ROLLBACK_IDS);
        try {
            ActionResolver.Resolved a = ActionResolver.resolve(action.with(), type, scope);
            ctx.env().putAll(a.env());
            Record config = evaluator.bind(type, a.with());
            return attempt(ctx, () -> builtInUndo ? type.rollback(config, ctx) : type.execute(config, ctx), step.timeout());
        } catch (RuntimeException e) {
            return Attempt.failed(message(e));
        } finally {
            ctx.close();
        }
    }

    private StepRun context(StepDef step, String prefix, StepDef.LogPatterns patterns, Scope scope, boolean forCheck) {
        return context(step, prefix, patterns, scope, forCheck, "");
    }

    /**
     * A context for running something on behalf of a step. {@code idSpace} keeps external
     * ids apart: a rollback action written in the runbook is other work than the step it
     * undoes (its change set is not the step's), so its ids live under "rollback:".
     */
    private StepRun context(StepDef step, String prefix, StepDef.LogPatterns patterns, Scope scope, boolean forCheck,
                            String idSpace) {
        RunSnapshot.StepRecord r = run.snapshot().step(step.id());
        Map<String, String> ids = new LinkedHashMap<>();
        if (r != null) {
            r.externalIds().forEach((k, v) -> {
                if (idSpace.isEmpty() ? !k.startsWith(ROLLBACK_IDS) : k.startsWith(idSpace)) ids.put(k.substring(idSpace.length()), v);
            });
        }
        StepRun.ExternalIdSink sink = forCheck || r == null
                ? (k, v) -> { }
                : (k, v) -> run.append(EventType.STEP_EXTERNAL_ID, step.id(), Map.of("key", idSpace + k, "value", v));
        Map<String, String> stepEnv = new LinkedHashMap<>();
        stepEnv.put(Orphans.RUN_ID, run.id());
        stepEnv.put(Orphans.STEP_ID, step.id());
        return new StepRun(step, prefix, run.runbook().file().getParent(), settings, stepEnv, run.redactor(),
                run.listener(), run.stateDir().stepLog(run.id(), step.id()), patterns, ids, sink, this::evaluate,
                scope, operator);
    }

    /** Evaluates checks for a step; the engine's own {@link #evaluate}, given to contexts (wait uses it). */
    interface Checks {
        StepContext.CheckOutcome evaluate(Check check, Scope scope, StepDef step) throws Exception;
    }

    private Scope scope() {
        return Scope.of(run.params().values(), run.snapshot().outputsByStep(), env);
    }

    /** Runs a body on a worker thread so that timeouts, halts and Ctrl-C can stop it. */
    private Attempt attempt(StepRun ctx, Body body, Duration timeout) {
        Attempt a = new Attempt();
        Thread t = new Thread(() -> {
            try {
                a.result = body.call();
            } catch (InterruptedException e) {
                a.error = "stopped";
            } catch (Throwable e) {
                a.error = message(e);
            }
        }, "step-" + ctx.stepId());
        t.setDaemon(true);
        ctx.bindWorker(t);
        worker = t;
        t.start();
        try {
            if (timeout == null) {
                t.join();
            } else {
                t.join(Math.max(1, timeout.toMillis()));
                if (t.isAlive()) {
                    a.timedOut = "timed out after " + Durations.format(timeout);
                    t.interrupt();
                    t.join();
                }
            }
        } catch (InterruptedException e) {
            t.interrupt();
            joinQuietly(t);
            a.interrupted = true;
        } finally {
            worker = null;
        }
        a.interrupted |= interrupted;
        return a;
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private interface Body {
        StepResult call() throws Exception;
    }

    private static final class Attempt {
        volatile StepResult result;
        volatile String error;
        volatile String timedOut;
        volatile boolean interrupted;

        static Attempt failed(String why) {
            Attempt a = new Attempt();
            a.error = why;
            return a;
        }

        String failure() {
            if (timedOut != null) return timedOut;
            if (error != null) return error;
            return result == null ? "no result" : result.summary();
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /**
     * Stops the run as Ctrl-C asks: the step in flight is stopped and recorded in-doubt.
     * Waits a little for the journal to say so.
     */
    public void interrupt(Thread driver) {
        interrupted = true;
        Thread w = worker;
        if (w != null) w.interrupt();
        else if (driver != null) driver.interrupt();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        synchronized (idle) {
            while (busy && System.nanoTime() < deadline) {
                try {
                    idle.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
