package dev.lockstep.engine;

import static dev.lockstep.engine.ActionRunner.message;

import dev.lockstep.engine.ActionRunner.Attempt;
import dev.lockstep.expr.Resolver;
import dev.lockstep.expr.Scope;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.EventType;
import dev.lockstep.journal.StateDir;
import dev.lockstep.plugin.Contexts;
import dev.lockstep.plugin.StepTypes;
import dev.lockstep.runbook.Lazy;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.RunbookLoader;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.spi.Action;
import dev.lockstep.spi.Check;
import dev.lockstep.spi.Digests;
import dev.lockstep.spi.Durations;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.Reconciliation;
import dev.lockstep.spi.Settings;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.Value;
import dev.lockstep.store.ApprovalRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Drives a run: forward through its steps, or back through their rollbacks. It only
 * changes state by appending journal events that the step state machine allows,
 * and every outside effect is bracketed by a journaled start and end.
 */
public final class Engine {
    private final Run run;
    private final Binder binder;
    private final ActionRunner runner;
    private final Operator operator;
    private final Settings settings;
    private final Targets targets;
    private final Object idle = new Object();
    private boolean busy;
    private volatile boolean interrupted;
    /** How many steps, from the runbook's first, {@link #nextStep} found done; under the run's lock. */
    private int doneBefore;
    /** {@link RunSnapshot#undone} when {@link #doneBefore} was counted. */
    private long undoneSeen;
    private PointOfNoReturn pointOfNoReturn;
    private History history;
    private String driverIdentity;
    /** The store's approval records this driver has looked at: journaled, or said once why not. */
    private final Set<String> lookedAtApprovals = new HashSet<>();
    /** How often a driver at an approval gate looks for what approvers recorded. */
    private static final long APPROVAL_POLL_MS = 250;

    public Engine(Run run, StepTypes types, Contexts contexts, Operator operator, Settings commandLine) {
        this(run, types, operator, Targets.of(contexts, run.runbook(), commandLine));
    }

    /** An engine acting where {@code targets} say (verified by the caller before the run was opened). */
    public Engine(Run run, StepTypes types, Operator operator, Targets targets) {
        this.run = run;
        run.whenTakenOver(() -> interrupt(null));
        this.binder = new Binder(types);
        this.runner = new ActionRunner(binder);
        this.operator = operator;
        this.targets = targets;
        this.settings = targets.settings();
    }

    public Run run() {
        return run;
    }

    /** The settings steps see: the command line's, with the runbook's context added. */
    public Settings settings() {
        return settings;
    }

    /** Where the run acts, in every kind of place it uses. */
    public Targets targets() {
        return targets;
    }

    /** The run's point of no return, computed from its runbook when first asked for. */
    public synchronized PointOfNoReturn pointOfNoReturn() {
        if (pointOfNoReturn == null) pointOfNoReturn = PointOfNoReturn.of(run.runbook(), binder);
        return pointOfNoReturn;
    }

    /** How long this runbook's steps took in its earlier runs at this run's place, read from the store when first asked for. */
    public synchronized History history() {
        if (history == null) {
            history = History.of(new Runs(run.store(), null).all(), run.runbook().name(), run.snapshot().place(), run.id());
        }
        return history;
    }

    /** Where the run stands against the downtime its runbook marks, now; null when it marks none. */
    public DowntimeClock downtime() {
        Runbook rb = run.runbook();
        if (rb.downtime() == null) return null;
        History h = history();
        synchronized (run) {
            return DowntimeClock.of(rb.steps(), rb.downtime(), run.snapshot(), h, Instant.now());
        }
    }

    /** The steps done so far that a rollback would undo now, in runbook order: what the point of no return puts out of reach. */
    public List<PointOfNoReturn.StepEffect> undoableNow() {
        Set<String> undo = new HashSet<>();
        for (StepDef s : rollbackPlan().steps()) undo.add(s.id());
        return pointOfNoReturn().effects().stream()
                .filter(e -> e.effect() == PointOfNoReturn.Effect.UNDOABLE && undo.contains(e.step())).toList();
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
            switch (run.snapshot().phase()) {
                case SUCCEEDED:
                    return Outcome.success("run " + run.id() + " succeeded");
                case ROLLING_BACK:
                    return new Outcome(ErrorCode.NEEDS_OPERATOR, "run " + run.id()
                            + " is being rolled back; continue with lockstep rollback " + run.id());
                default:
                    break;
            }
            StepDef next = nextStep();
            if (next != null) {
                Outcome o = advance(next);
                if (o != null) return o;
                DowntimeClock clock = downtime();
                if (clock != null && clock.ended() && next.id().equals(clock.downtime().to())) {
                    run.listener().notice("downtime over with step " + next.id() + ": " + clock.line());
                }
                if (nextStep() != null) return null;
            }
            run.append(EventType.RUN_FINISHED, null, new EventData.By(operator.name()));
            return Outcome.success("run " + run.id() + " succeeded");
        });
    }

    /** The first step, in runbook order, that is neither succeeded nor skipped; null when all are. */
    public StepDef nextStep() {
        synchronized (run) {
            List<StepDef> steps = run.runbook().steps();
            // The steps before it were done when last looked at, and still are unless one was undone since.
            if (run.snapshot().undone() != undoneSeen) {
                undoneSeen = run.snapshot().undone();
                doneBefore = 0;
            }
            while (doneBefore < steps.size() && run.snapshot().step(steps.get(doneBefore).id()).state().isDone()) doneBefore++;
            return doneBefore < steps.size() ? steps.get(doneBefore) : null;
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
    public List<String> preview(StepDef step) {
        return preview(step.action());
    }

    /** What an action (a step's, its rollback, the runbook's rollback) will do, resolved with what is known now, masked. */
    public List<String> preview(Action action) {
        try {
            Scope scope;
            synchronized (run) {
                scope = scope().withPlaceholders();
            }
            return binder.describe(action, scope).redacted(run.redactor()).lines();
        } catch (RuntimeException e) {
            return List.of("(not resolvable yet: " + run.redactor().redact(message(e)) + ")");
        }
    }

    /** The text a step's typed confirmation asks for, resolved with what is known now and masked; null for none. */
    public String confirmationText(StepDef step) {
        try {
            Scope scope;
            synchronized (run) {
                scope = scope().withPlaceholders();
            }
            String expected = expectedConfirmation(step, pointOfNoReturn().gates(step.id()), scope);
            return expected == null ? null : run.redactor().redact(expected);
        } catch (RuntimeException e) {
            return "(not resolvable yet: " + run.redactor().redact(message(e)) + ")";
        }
    }

    /** What must be typed to run a step, unmasked: its own typed text, else its id when it is the gated point of no return; null for none. */
    private String expectedConfirmation(StepDef step, boolean gated, Scope scope) {
        String own = binder.typedConfirmation(step, scope);
        return own == null && gated ? step.id() : own;
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
            case FAILED -> run.append(EventType.STEP_RETRIED, step.id(), new EventData.By(operator.name()));
            case IN_DOUBT -> {
                return inDoubt(step, r);
            }
            case ROLLING_BACK, ROLLED_BACK, ROLLBACK_FAILED -> {
                return new Outcome(ErrorCode.NEEDS_OPERATOR, "run " + run.id()
                        + " is being rolled back; continue with lockstep rollback " + run.id());
            }
            default -> { }
        }
        Bound bound;
        try {
            bound = binder.bind(step.action(), scope());
        } catch (RuntimeException e) {
            String reason = "its values cannot be resolved: " + message(e);
            run.append(EventType.STEP_BLOCKED, step.id(), new EventData.Reason(reason));
            return new Outcome(ErrorCode.NEEDS_OPERATOR, "step " + step.id() + " did not start: " + reason);
        }
        DowntimeClock clock = downtime();
        if (clock != null && !clock.started() && step.id().equals(clock.downtime().from())) {
            run.listener().notice("downtime starts with step " + step.id() + ": " + clock.line());
        }
        if (clock != null && clock.covers(step.id()) && clock.atRisk()) run.listener().windowAtRisk(clock.warning());
        Outcome gate = checkAndConfirm(step, bound);
        if (gate != null) return gate;
        return execute(step, bound);
    }

    /** Journals that the run now waits for a person at {@code gate} (so that watchers see it), then asks. */
    private Operator awaiting(StepDef step, String gate) {
        run.append(EventType.STEP_AWAITING, step.id(), new EventData.Awaiting(gate));
        return operator;
    }

    private Outcome inDoubt(StepDef step, RunSnapshot.StepRecord r) {
        List<Long> stillRunning = Orphans.of(run.id(), step.id());
        if (!stillRunning.isEmpty()) {
            return new Outcome(ErrorCode.NEEDS_OPERATOR, "step " + step.id() + " was in flight when the run stopped and its "
                    + "process is still running (pid " + stillRunning.stream().map(String::valueOf)
                    .reduce((a, b) -> a + ", " + b).orElse("") + "): wait for it to end, or stop it, then resume");
        }
        Reconciliation rec = reconcile(step, r.externalIds());
        Operator.InDoubtChoice choice = rec == Reconciliation.RERUN ? Operator.InDoubtChoice.RERUN
                : awaiting(step, EventData.Awaiting.DECISION).inDoubt(step, inDoubtDetail(r));
        if (choice == null) {
            return new Outcome(ErrorCode.NEEDS_OPERATOR, "step " + step.id() + " was in flight when the run stopped ("
                    + r.reason() + ") and is not idempotent: check whether it had its effect, then `lockstep resume " + run.id()
                    + " --rerun " + step.id() + "` or `lockstep resume " + run.id() + " --mark-done " + step.id() + "` (or --skip "
                    + step.id() + " --reason WHY)");
        }
        switch (choice) {
            case MARK_DONE -> {
                run.append(EventType.STEP_MARKED_DONE, step.id(), new EventData.By(operator.name()));
                return null;
            }
            case SKIP -> {
                run.append(EventType.STEP_SKIPPED, step.id(), new EventData.ByReason(operator.name(),
                        "in-doubt step skipped on resume"));
                return null;
            }
            default -> {
                Bound bound;
                try {
                    bound = binder.bind(step.action(), scope());
                } catch (RuntimeException e) {
                    return new Outcome(ErrorCode.NEEDS_OPERATOR, "step " + step.id() + " cannot run again: its values "
                            + "cannot be resolved: " + message(e));
                }
                return execute(step, bound);
            }
        }
    }

    private Reconciliation reconcile(StepDef step, Map<String, String> externalIds) {
        try {
            return binder.bind(step.action(), scope()).reconcile(externalIds, step.idempotent());
        } catch (RuntimeException e) {
            return step.idempotent() ? Reconciliation.RERUN : Reconciliation.ASK_OPERATOR;
        }
    }

    /** The point of no return's lines, then the window and what undoing would take, as far as earlier runs tell. */
    private List<String> goNoGo() {
        List<PointOfNoReturn.StepEffect> undoable = undoableNow();
        List<String> out = new ArrayList<>(pointOfNoReturn().gateLines(undoable));
        DowntimeClock clock = downtime();
        if (clock != null) out.add("Downtime: " + clock.line() + ".");
        if (!undoable.isEmpty()) {
            History.Expected undo = history().rollback(undoable.stream().map(PointOfNoReturn.StepEffect::step).toList());
            out.add(undo.known() ? "Rolling back now took " + Durations.format(undo.median()) + " (p90 " + Durations.format(undo.p90())
                    + ") in earlier runs: " + history().source() + "."
                    : "No estimate of a rollback's time: " + String.join(", ", undo.unknown()) + " never rolled back in "
                    + (history().runs().isEmpty() ? "an earlier run here" : "the earlier runs here") + ".");
        }
        return out;
    }

    private static String inDoubtDetail(RunSnapshot.StepRecord r) {
        String pid = r.externalIds().get("pid");
        return (r.reason() == null ? "it was in flight" : r.reason())
                + (pid != null ? "; its process " + pid + " has ended" : "");
    }

    private Outcome checkAndConfirm(StepDef step, Bound bound) {
        Scope scope = scope();
        if (!step.checks().isEmpty()) {
            run.append(EventType.STEP_CHECKING, step.id(), new EventData.Nothing());
            List<String> failed = new ArrayList<>();
            for (int i = 0; i < step.checks().size(); i++) {
                Check c = step.checks().get(i);
                StepContext.CheckOutcome o = evaluate(c, scope, step);
                run.append(o.holds() ? EventType.CHECK_PASSED : EventType.CHECK_FAILED, step.id(),
                        new EventData.CheckResult(i, c.label(), o.observed()));
                if (!o.holds()) failed.add("check " + (i + 1) + " (" + c.label() + "): " + o.observed());
            }
            if (!failed.isEmpty()) {
                String reason = String.join("; ", failed);
                run.append(EventType.STEP_BLOCKED, step.id(), new EventData.Reason(reason));
                return new Outcome(ErrorCode.PRECONDITION_NOT_MET, "step " + step.id() + " did not start: " + reason);
            }
        }
        Outcome approval = awaitApproval(step, bound, scope);
        if (approval != null) return approval;
        // The go/no-go gate: before the point of no return, a typed confirmation (the step's own text, else its id).
        List<String> gate = pointOfNoReturn().gates(step.id()) ? goNoGo() : List.of();
        if (step.confirm() == null && gate.isEmpty()) return null;
        String expected;
        try {
            expected = expectedConfirmation(step, !gate.isEmpty(), scope);
        } catch (RuntimeException e) {
            return blockOnConfirm(step, "its confirmation text cannot be resolved: " + e.getMessage());
        }
        boolean typed = expected != null;
        if (typed) {
            String prompt = "Type " + run.redactor().redact(expected) + " to run step " + step.id();
            String answer = awaiting(step, EventData.Awaiting.CONFIRMATION).typed(step,
                    gate.isEmpty() ? prompt : String.join("\n", gate) + "\n" + prompt, expected);
            if (answer == null) {
                return blockOnConfirm(step, (gate.isEmpty() ? "" : "is the point of no return: ") + "needs the typed confirmation '"
                        + run.redactor().redact(expected) + "' (--confirm " + step.id() + "=VALUE)"
                        + (gate.isEmpty() ? "" : ". " + String.join(" ", gate)));
            }
            if (!answer.equals(expected)) {
                // Recorded as a mismatch: someone answered, wrongly (what they typed is not kept: it may hold anything).
                String why = "the typed confirmation did not match: expected '" + run.redactor().redact(expected) + "'";
                run.append(EventType.STEP_BLOCKED, step.id(), new EventData.Reason(why));
                return new Outcome(ErrorCode.NEEDS_OPERATOR, "step " + step.id() + " not started: " + why
                        + " (--confirm " + step.id() + "=VALUE)");
            }
            if (!gate.isEmpty()) run.listener().notice("passed the point of no return at step " + step.id() + " (confirmed by "
                    + operator.name() + ")");
        } else if (!awaiting(step, EventData.Awaiting.CONFIRMATION).confirm("Run step " + step.id() + " (" + step.displayTitle() + ")?")) {
            return blockOnConfirm(step, "needs confirmation (--yes)");
        }
        run.append(EventType.STEP_CONFIRMED, step.id(), new EventData.Confirmed(operator.name(), typed));
        return null;
    }

    /**
     * The digest an approval is of: the step's id and its resolved plan, unmasked, so that a changed secret changes
     * it too. A plan holding a secret gets a slow digest salted by run and step: every reader of the journal sees
     * the digest beside the masked plan, and a fast one would let them guess a short secret.
     */
    static String planDigest(String runId, String stepId, List<String> plan, List<String> masked) {
        String text = stepId + "\n" + String.join("\n", plan);
        if (plan.equals(masked)) return Digests.sha256(text.getBytes(StandardCharsets.UTF_8));
        return PlanFile.secretDigest(Digests.sha256((runId + "/" + stepId).getBytes(StandardCharsets.UTF_8)), text);
    }

    /** Who drives, to the store's approvals: compared with approvers when a step says notDriver. */
    private synchronized String driverIdentity() {
        if (driverIdentity == null) driverIdentity = run.store().approverIdentity();
        return driverIdentity;
    }

    /**
     * The approval gate: journals that the step waits for approval of its resolved plan (masked, with its
     * digest), then waits while it journals the approvals and rejections the store gets for it. An approval
     * counts only for the digest of the plan as it is now, from someone the step allows; null when enough
     * did, else how the step stopped (rejected, nobody to wait, interrupted).
     */
    private Outcome awaitApproval(StepDef step, Bound bound, Scope scope) {
        StepDef.Approve approve = step.approve();
        if (approve == null) return null;
        ActionPlan described = binder.describe(bound, scope);
        List<String> shown = described.redacted(run.redactor()).lines();
        String digest = planDigest(run.id(), step.id(), described.lines(), shown);
        String driver = driverIdentity();
        Outcome picked = pickUpApprovals(step, approve, digest, driver);
        if (picked != null || enoughApprovals(step, approve, digest)) return picked;
        run.append(EventType.STEP_AWAITING, step.id(), new EventData.Awaiting(EventData.Awaiting.APPROVAL, shown, digest,
                approve.count(), approve.from(), approve.notDriver(), driver, approve.message()));
        String how = "lockstep approve " + run.id() + " " + step.id() + " (or reject it: lockstep reject " + run.id() + " "
                + step.id() + " --reason WHY)" + (approve.from().isEmpty() ? "" : ", as " + String.join(" or ", approve.from()))
                + (approve.notDriver() ? ", not as " + driver : "");
        String caveat = run.store().approverIdentityCaveat();
        if (caveat != null && approve.notDriver()) run.listener().notice("step " + step.id() + " needs notDriver, but " + caveat);
        if (!operator.waits()) {
            return blockOnApproval(step, "awaits " + approvalsNeeded(approve) + " of its plan (--yes never approves): "
                    + how + ", then lockstep resume " + run.id() + " (--await-approval waits for it instead)");
        }
        run.listener().notice("step " + step.id() + " awaits " + approvalsNeeded(approve) + ": " + how);
        while (!interrupted) {
            try {
                Thread.sleep(APPROVAL_POLL_MS);
            } catch (InterruptedException e) {
                break;
            }
            picked = pickUpApprovals(step, approve, digest, driver);
            if (picked != null || enoughApprovals(step, approve, digest)) return picked;
        }
        return blockOnApproval(step, "was not approved");
    }

    private static String approvalsNeeded(StepDef.Approve approve) {
        return approve.count() == 1 ? "an approval" : approve.count() + " approvals";
    }

    private boolean enoughApprovals(StepDef step, StepDef.Approve approve, String digest) {
        Set<String> who = run.snapshot().step(step.id()).approvers(digest);
        if (who.size() < approve.count()) return false;
        run.listener().notice("step " + step.id() + " has the approval" + (approve.count() == 1 ? "" : "s") + " it needs: "
                + String.join(", ", who));
        return true;
    }

    /**
     * Journals what the store got for the step since, of the plan as it is now: approvals from those the
     * step allows, and a rejection, which halts it. Records of another plan are left out (the approver was
     * told); one the step does not allow (written past lockstep approve) is said once and left out.
     */
    private Outcome pickUpApprovals(StepDef step, StepDef.Approve approve, String digest, String driver) {
        for (ApprovalRecord a : run.store().approvals(run.id(), step.id())) {
            if (!a.digest().equals(digest) || run.snapshot().step(step.id()).journaled(a.id()) || !lookedAtApprovals.add(a.id())) continue;
            String refusal = a.approves() ? approve.refusal(a.by(), driver) : approve.refusal(a.by(), null);
            if (refusal != null) {
                run.listener().notice("the " + (a.approves() ? "approval" : "rejection") + " of step " + step.id()
                        + " recorded by " + a.by() + " does not count: " + refusal);
                continue;
            }
            EventData.Approval payload = new EventData.Approval(a.id(), a.by(), a.at().toString(), a.host(), a.digest(), a.reason());
            if (a.approves()) {
                run.append(EventType.STEP_APPROVED, step.id(), payload);
            } else {
                run.append(EventType.STEP_REJECTED, step.id(), payload);
                return new Outcome(ErrorCode.HALTED, "step " + step.id() + " rejected by " + a.by() + " from " + a.host() + ": "
                        + run.redactor().redact(a.reason()));
            }
        }
        return null;
    }

    private Outcome blockOnApproval(StepDef step, String why) {
        if (run.snapshot().step(step.id()).state() == StepState.CHECKING) {
            run.append(EventType.STEP_RESET, step.id(), new EventData.Reason("approval not given"));
        }
        if (interrupted) return interruptedOutcome(null);
        return new Outcome(ErrorCode.NEEDS_OPERATOR, "step " + step.id() + " " + why);
    }

    private Outcome blockOnConfirm(StepDef step, String why) {
        if (run.snapshot().step(step.id()).state() == StepState.CHECKING) {
            run.append(EventType.STEP_RESET, step.id(), new EventData.Reason("confirmation not given"));
        }
        if (interrupted) return interruptedOutcome(null);
        return new Outcome(ErrorCode.NEEDS_OPERATOR, "step " + step.id() + " " + why);
    }

    StepContext.CheckOutcome evaluate(Check c, Scope scope, StepDef step) {
        StepRun ctx = context(step, "[check] ", StepDef.LogPatterns.NONE, scope, Map.of(), NO_IDS, log(step));
        try {
            return runner.check(c, scope, ctx);
        } catch (Exception e) {
            return new StepContext.CheckOutcome(false, "error: " + run.redactor().redact(message(e)));
        } finally {
            ctx.close();
        }
    }

    private Outcome execute(StepDef step, Bound bound) {
        Scope scope = scope();
        List<String> plan = binder.describe(bound, scope).lines();
        int number = run.snapshot().step(step.id()).attempts() + 1;
        String separator = attemptSeparator(step.id(), number);
        run.append(EventType.STEP_STARTED, step.id(), new EventData.StepStarted(number, plan, new ArrayList<>(bound.env().keySet())));
        long began = System.nanoTime();
        Duration timeout = step.timeout();
        for (int attempt = 1; ; attempt++) {
            StepRun ctx = forwardContext(step, "", step.logs(), scope, bound.type().runsPastUntil());
            if (attempt == 1 && separator != null) ctx.mark(separator);
            Attempt a = runner.attempt(bound, ctx, timeout);
            ctx.close();
            if (a.interrupted) return interruptedOutcome(step.id());
            if (ctx.haltLine() != null) {
                // A step that stopped its own work on the halt (a task) says so in its result.
                String reason = ctx.haltReason() + (a.result != null ? "; " + a.result.summary() : "");
                run.append(EventType.STEP_HALTED, step.id(), new EventData.Halted(reason, ctx.haltLine(),
                        a.result == null ? null : a.result.data()));
                return new Outcome(ErrorCode.HALTED, "step " + step.id() + " halted: " + run.redactor().redact(reason) + ": "
                        + ctx.haltLine());
            }
            if (a.result != null && a.result.halts()) {
                run.append(EventType.STEP_HALTED, step.id(), new EventData.Halted(a.result.summary(),
                        a.result.haltEvidence(), a.result.data()));
                return new Outcome(ErrorCode.HALTED, "step " + step.id() + " halted: " + run.redactor().redact(a.result.summary()));
            }
            boolean endedByUntil = ctx.untilLine() != null && !bound.type().runsPastUntil();
            if (endedByUntil || (a.result != null && a.result.ok())) {
                List<String> missing = ctx.missingRequired();
                if (!missing.isEmpty()) {
                    String why = "required output never appeared: " + String.join(", ", missing);
                    run.append(EventType.STEP_HALTED, step.id(), new EventData.Halted(why, "missing " + String.join(", ", missing),
                            a.result == null ? null : a.result.data()));
                    return new Outcome(ErrorCode.HALTED, "step " + step.id() + " halted: " + why);
                }
                // The type's contract is its own result against its own shape; what the engine adds (matched) is not.
                String misfit = a.result == null ? null : bound.type().result(step.action().with()).misfit(a.result.data());
                if (misfit != null) {
                    run.listener().notice("step " + step.id() + ": " + MISFIT + " (" + misfit + "): a fault of "
                            + step.action().uses() + ", whose ${{ result.… }} paths were checked against that shape");
                }
                return succeed(step, scope, result(step, a.result, ctx.untilLine(), endedByUntil), began);
            }
            String reason = a.failure();
            if (attempt >= step.retry().attempts()) return fail(step, reason);
            run.append(EventType.STEP_ATTEMPT_FAILED, step.id(), new EventData.AttemptFailed(attempt, reason));
            run.listener().notice("step " + step.id() + " attempt " + attempt + " failed (" + reason + "); retrying in "
                    + Durations.format(step.retry().delay()));
            try {
                Thread.sleep(step.retry().delay().toMillis());
            } catch (InterruptedException e) {
                return interruptedOutcome(null);
            }
        }
    }

    /**
     * A successful step's result: its type's, with {@code matched} when it has logs.until; only
     * {@code matched} when the until line ended it before its type returned (see
     * {@link dev.lockstep.runbook.RunbookLoader#UNTIL_RESULT}).
     */
    private static StepResult result(StepDef step, StepResult typed, String untilLine, boolean endedByUntil) {
        if (step.logs().until() == null) return typed;
        Map<String, Object> data = new LinkedHashMap<>();
        if (!endedByUntil && typed.data() != null) data.putAll(typed.data());
        data.put("matched", untilLine);
        return StepResult.ok(endedByUntil ? "until matched: " + untilLine : typed.summary(), data);
    }

    private Outcome succeed(StepDef step, Scope scope, StepResult result, long began) {
        Map<String, Object> outputs = new LinkedHashMap<>();
        Scope withResult = scope.withResult(result.data());
        for (Map.Entry<String, Value.Scalar> o : step.outputs().entrySet()) {
            try {
                Object v = o.getValue().value() instanceof String text ? Resolver.resolveText(text, withResult)
                        : o.getValue().value();
                // A declared output is there for later steps: nothing (moto's id of an EFS access point) must not
                // reach them as a key that silently disappears from what they build.
                if (v == null || "".equals(v)) {
                    return fail(step, "the step ran, but output " + o.getKey() + " (" + o.getValue().position() + ") came back "
                            + (v == null ? "null" : "empty") + ": later steps would get nothing");
                }
                outputs.put(o.getKey(), v);
            } catch (RuntimeException e) {
                return fail(step, "the step ran, but output " + o.getKey() + " (" + o.getValue().position() + ") has no value: "
                        + message(e));
            }
        }
        run.succeed(step.id(), result.summary(), outputs, (System.nanoTime() - began) / 1_000_000);
        return null;
    }

    private Outcome fail(StepDef step, String reason) {
        run.append(EventType.STEP_FAILED, step.id(), new EventData.Reason(reason));
        return new Outcome(ErrorCode.STEP_FAILED, "step " + step.id() + " failed: " + run.redactor().redact(reason));
    }

    private Outcome interruptedOutcome(String stepInFlight) {
        if (stepInFlight != null) {
            run.append(EventType.STEP_IN_DOUBT, stepInFlight, new EventData.Reason("interrupted while running"));
        }
        run.append(EventType.RUN_INTERRUPTED, null, new EventData.By(operator.name()));
        return new Outcome(ErrorCode.INTERRUPTED, "interrupted; continue with lockstep resume " + run.id());
    }

    /** Operator commands, as the CLI flags and the TUI send them. */
    public void retry(String stepId) {
        if (!run.hasWithheldOutputs(stepId)) requireState(stepId, StepStateMachine.retryable());
        run.append(EventType.STEP_RETRIED, stepId, new EventData.By(operator.name()));
    }

    /** Accepts a halted step as succeeded; the operator must type the step id. */
    public void override(String stepId, String typed) {
        requireState(stepId, StepStateMachine.statesAllowing(EventType.STEP_OVERRIDDEN));
        if (!stepId.equals(typed)) {
            throw new LockstepException(ErrorCode.USAGE, "to override the halt of step " + stepId
                    + ", type its id exactly (--override " + stepId + "=" + stepId + ")");
        }
        run.append(EventType.STEP_OVERRIDDEN, stepId, new EventData.Overridden(operator.name(), typed));
    }

    public void skip(String stepId, String reason) {
        requireState(stepId, StepStateMachine.statesAllowing(EventType.STEP_SKIPPED));
        if (reason == null || reason.isBlank()) {
            throw new LockstepException(ErrorCode.USAGE, "skipping step " + stepId + " needs a reason (--reason TEXT)");
        }
        run.append(EventType.STEP_SKIPPED, stepId, new EventData.ByReason(operator.name(), reason));
    }

    private void requireState(String stepId, Set<StepState> allowed) {
        RunSnapshot.StepRecord r = run.snapshot().step(stepId);
        if (r == null) {
            throw new LockstepException(ErrorCode.USAGE, "run " + run.id() + " has no step " + stepId);
        }
        if (allowed.contains(r.state())) return;
        throw new LockstepException(ErrorCode.USAGE, "step " + stepId + " is " + r.state().label() + "; that needs it to be "
                + String.join(" or ", allowed.stream().map(StepState::label).toList()));
    }

    /** The steps a rollback would undo, last first, and those it cannot undo. */
    public RollbackPlan rollbackPlan() {
        return RollbackPlan.of(run.runbook(), run.snapshot(), this::hasRollback);
    }

    /** Whether a rollback would undo any step: {@link #rollbackPlan} has steps, found without making the whole plan. */
    public boolean canRollback() {
        // Last first, as the plan goes: the step that ran last is the likeliest to have had an effect.
        List<StepDef> steps = run.runbook().steps();
        for (int i = steps.size() - 1; i >= 0; i--) {
            if (RollbackPlan.undoable(run.snapshot(), steps.get(i)) && hasRollback(steps.get(i))) return true;
        }
        return false;
    }

    /** What a rollback will do: step rollbacks in order, steps with none, then the runbook's own rollback. */
    public record RollbackPlan(List<StepDef> steps, List<StepDef> withoutRollback, List<Action> runbookRollback) {
        /**
         * The steps a rollback of a run in this state undoes, last first, and those it cannot undo. A step
         * still running in a snapshot read from disk was in flight when its process stopped: it counts as in doubt.
         */
        public static RollbackPlan of(Runbook runbook, RunSnapshot snapshot, Predicate<StepDef> hasRollback) {
            List<StepDef> undo = new ArrayList<>();
            List<StepDef> without = new ArrayList<>();
            List<StepDef> steps = new ArrayList<>(runbook.steps());
            Collections.reverse(steps);
            for (StepDef s : steps) {
                if (!undoable(snapshot, s)) continue;
                if (hasRollback.test(s)) undo.add(s);
                else without.add(s);
            }
            return new RollbackPlan(undo, without, runbook.rollback());
        }

        /** Whether a rollback is for {@code s}: it may have had an effect, or was still running. */
        static boolean undoable(RunSnapshot snapshot, StepDef s) {
            RunSnapshot.StepRecord r = snapshot.step(s.id());
            return r != null && (r.state().mayHaveEffect() || r.state() == StepState.RUNNING);
        }
    }

    /** Whether the step can be undone: a rollback in the runbook, or its type's built-in undo. */
    public boolean hasRollback(StepDef s) {
        return s.rollback() != null || binder.builtInUndo(s.action(), scope()) != null;
    }

    /** Undoes what the run did: step rollbacks last-first, then the runbook-level rollback. Resumable. */
    public Outcome rollback() {
        return drive(this::undoAll);
    }

    private Outcome undoAll() {
        RollbackPlan plan = rollbackPlan();
        if (!run.snapshot().rollbackStarted()) {
            run.append(EventType.ROLLBACK_STARTED, null, new EventData.RollbackStarted(operator.name(),
                    plan.steps().stream().map(StepDef::id).toList(), plan.withoutRollback().stream().map(StepDef::id).toList(),
                    plan.runbookRollback().size()));
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
                    run.append(EventType.STEP_MARKED_DONE, step.id(), new EventData.By(operator.name()));
                    continue;
                }
            }
            run.append(EventType.STEP_ROLLBACK_STARTED, step.id(), new EventData.Nothing());
            Attempt a = undo(step);
            if (a.interrupted) return interruptedOutcome(null);
            if (a.result == null || !a.result.ok()) {
                run.append(EventType.STEP_ROLLBACK_FAILED, step.id(), new EventData.Reason(a.failure()));
                return new Outcome(ErrorCode.STEP_FAILED, "rollback of step " + step.id() + " failed: "
                        + run.redactor().redact(a.failure()) + "; fix it and run lockstep rollback " + run.id() + " again");
            }
            run.append(EventType.STEP_ROLLBACK_SUCCEEDED, step.id(), new EventData.Summary(a.result.summary()));
        }
        List<Action> last = run.runbook().rollback();
        for (int i = 0; i < last.size(); i++) {
            if ("succeeded".equals(run.snapshot().finalRollback().get(i))) continue;
            run.append(EventType.FINAL_ROLLBACK_STARTED, null, new EventData.RunbookAction(i, last.get(i).uses()));
            Attempt a = runbookRollback(i, last.get(i));
            if (a.interrupted) return interruptedOutcome(null);
            if (a.result == null || !a.result.ok()) {
                run.append(EventType.FINAL_ROLLBACK_FAILED, null, new EventData.RunbookActionFailed(i, a.failure()));
                return new Outcome(ErrorCode.STEP_FAILED, "runbook rollback action " + (i + 1) + " failed: "
                        + run.redactor().redact(a.failure()));
            }
            run.append(EventType.FINAL_ROLLBACK_SUCCEEDED, null, new EventData.RunbookActionDone(i));
        }
        run.append(EventType.ROLLBACK_FINISHED, null, new EventData.By(operator.name()));
        return Outcome.success("run " + run.id() + " rolled back");
    }

    /** What a step type's result that does not fit the shape it declared is called; the tests look for it. */
    public static final String MISFIT = "its result does not fit the shape its type declares";

    /** Where the external ids of a runbook-written rollback action are kept, apart from its step's. */
    private static final String ROLLBACK_IDS = "rollback:";
    private static final ExternalIds NO_IDS = (k, v) -> { };

    /**
     * Undoes a step: the rollback the runbook wrote (other work than the step, so its external
     * ids live under "rollback:"), or its type's built-in undo (which re-attaches to the step's own).
     */
    private Attempt undo(StepDef step) {
        Scope scope = scope();
        boolean builtIn = step.rollback() == null;
        Map<String, String> ids = stepIds(step, builtIn ? "" : ROLLBACK_IDS);
        String space = builtIn ? "" : ROLLBACK_IDS;
        StepRun ctx = context(step, "[rollback] ", StepDef.LogPatterns.NONE, scope, ids,
                (k, v) -> run.append(EventType.STEP_EXTERNAL_ID, step.id(), new EventData.ExternalId(space + k, v)), log(step));
        return once(ctx, builtIn ? step.action() : step.rollback(), builtIn ? ActionRunner.Ask.UNDO : ActionRunner.Ask.EXECUTE,
                scope, step.timeout());
    }

    /**
     * One action of the runbook-level rollback. It is nobody's step: its identity is its
     * index, its external ids and log are its own, whatever the runbook's steps are called.
     */
    private Attempt runbookRollback(int index, Action action) {
        Scope scope = scope();
        StepDef subject = new StepDef(StateDir.RUNBOOK_ROLLBACK_LOG + "-" + (index + 1), "runbook rollback action " + (index + 1),
                null, action, List.of(), Map.of(), null, null, null, null, StepDef.Retry.NONE, false, null, StepDef.LogPatterns.NONE,
                action.position(), Lazy.known(Map.of()));
        StepRun ctx = context(subject, "[rollback " + (index + 1) + "] ", StepDef.LogPatterns.NONE, scope,
                run.snapshot().finalRollbackIds(index),
                (k, v) -> run.append(EventType.FINAL_ROLLBACK_EXTERNAL_ID, null, new EventData.RunbookActionExternalId(index, k, v)),
                StateDir.RUNBOOK_ROLLBACK_LOG);
        return once(ctx, action, ActionRunner.Ask.EXECUTE, scope, null);
    }

    /** Attempts a rollback action once, with no patterns; a failure to resolve it fails it like any other. */
    private Attempt once(StepRun ctx, Action action, ActionRunner.Ask ask, Scope scope, Duration timeout) {
        try {
            return runner.attempt(action, ask, scope, ctx, timeout);
        } finally {
            ctx.close();
        }
    }

    private StepRun forwardContext(StepDef step, String prefix, StepDef.LogPatterns patterns, Scope scope,
                                   boolean runsPastUntil) {
        return context(step, prefix, patterns, scope, stepIds(step, ""),
                (k, v) -> run.append(EventType.STEP_EXTERNAL_ID, step.id(), new EventData.ExternalId(k, v)), log(step),
                runsPastUntil);
    }

    /** The step's external ids in one id space: its own (""), or its runbook-written rollback's ("rollback:"). */
    private Map<String, String> stepIds(StepDef step, String space) {
        Map<String, String> ids = new LinkedHashMap<>();
        run.snapshot().step(step.id()).externalIds().forEach((k, v) -> {
            if (space.isEmpty() ? !k.startsWith(ROLLBACK_IDS) : k.startsWith(space)) ids.put(k.substring(space.length()), v);
        });
        return ids;
    }

    /** The name of the log a step's output goes to. */
    private static String log(StepDef step) {
        return step.id();
    }

    /**
     * The line that parts a step's attempts in its log, which keeps them all: "── attempt 2 ──",
     * with when the run was resumed if it was since the step last started. Null for the first.
     */
    private String attemptSeparator(String stepId, int number) {
        if (number <= 1) return null;
        Instant resumed = null;
        for (Event e : run.snapshot().events()) {
            if (e.type() == EventType.STEP_STARTED && stepId.equals(e.step())) resumed = null;
            if (e.type() == EventType.RUN_RESUMED) resumed = e.time();
        }
        return "── attempt " + number + (resumed != null ? " (resumed " + resumed.truncatedTo(ChronoUnit.SECONDS) + ")" : "")
                + " ──";
    }

    /** A context for running something on behalf of a step, a check or the runbook's rollback. */
    private StepRun context(StepDef subject, String prefix, StepDef.LogPatterns patterns, Scope scope,
                            Map<String, String> ids, ExternalIds sink, String logName) {
        return context(subject, prefix, patterns, scope, ids, sink, logName, false);
    }

    private StepRun context(StepDef subject, String prefix, StepDef.LogPatterns patterns, Scope scope,
                            Map<String, String> ids, ExternalIds sink, String logName, boolean runsPastUntil) {
        Map<String, String> stepEnv = new LinkedHashMap<>();
        stepEnv.putAll(targets.exports());
        stepEnv.put(Orphans.RUN_ID, run.id());
        stepEnv.put(Orphans.STEP_ID, subject.id());
        return new StepRun(subject, prefix, run.runbook().file().getParent(), settings, stepEnv, run.redactor(),
                run.listener(), () -> run.openLog(logName), patterns, ids, sink::record, this::evaluate, scope, operator,
                runsPastUntil);
    }

    /** Journals an external id as a step, or the runbook rollback, reports it. */
    private interface ExternalIds {
        void record(String key, String value);
    }

    /** Evaluates checks for a step; the engine's own {@link #evaluate}, given to contexts (wait uses it). */
    interface Checks {
        StepContext.CheckOutcome evaluate(Check check, Scope scope, StepDef step) throws Exception;
    }

    private Scope scope() {
        return RunScope.of(run.params().values(), run.stepValues(), targets);
    }

    /**
     * Stops the run as Ctrl-C asks: the step in flight is stopped and recorded in-doubt; with no step in flight,
     * {@code engineThread} (the thread calling the engine, when known) is woken from its wait.
     * Waits a little for the journal to say so.
     */
    public void interrupt(Thread engineThread) {
        interrupted = true;
        if (!runner.interrupt() && engineThread != null) engineThread.interrupt();
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
