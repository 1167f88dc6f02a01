package dev.lockstep.cli;

import dev.lockstep.engine.Engine;
import dev.lockstep.engine.PlanFile;
import dev.lockstep.engine.Planner;
import dev.lockstep.engine.Run;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.Runs;
import dev.lockstep.engine.SavedPlan;
import dev.lockstep.engine.ShellWords;
import dev.lockstep.engine.Targets;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.YamlReader;
import dev.lockstep.store.PlanRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class RunCommand implements Callable<Integer> {
    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "run", "Start a run of a runbook (on a terminal: in the full-screen UI, "
            + "which reopens an unfinished run of the same runbook where it stopped).");

    Path runbook;
    final StateOptions state;
    final ParamOptions params;
    final OperatorOptions operator;
    final CiOptions ci;
    final NotifyOptions notify;
    boolean fresh;
    Path plan;
    List<String> acceptWouldFail = new ArrayList<>();
    final TargetOptions where;

    RunCommand(Cli cli) {
        HelpSections.examples(spec,
                "lockstep run runbooks/demo.yaml",
                "lockstep run runbooks/demo.yaml -p rows=1000 --no-tui --confirm switch=relay",
                "lockstep run runbooks/demo.yaml --plan demo.plan",
                "lockstep run runbooks/rds-cutover.yaml --profile prod --region eu-west-1");
        this.cli = cli;
        CommandModel.positional(spec, "0", "RUNBOOK").arity("0..1").description("The runbook file (with --plan: the plan's).")
                .bind(Path.class, () -> runbook, v -> runbook = v);
        state = new StateOptions(spec);
        params = new ParamOptions(spec);
        operator = new OperatorOptions(spec);
        ci = new CiOptions(spec);
        notify = new NotifyOptions(spec);
        CommandModel.option(spec, "--new").description("Start over even though an unfinished run exists (it is marked abandoned).")
                .bind(boolean.class, () -> fresh, v -> fresh = v);
        CommandModel.option(spec, "--plan").label("FILE").description("Run exactly what lockstep plan --out FILE saved, once: "
                        + "refused, naming the difference, if the file changed, it ran already, or the runbook, a parameter, the place "
                        + "or anything a step would do differs now.")
                .bind(Path.class, () -> plan, v -> plan = v);
        CommandModel.option(spec, "--accept-would-fail").label("STEP").description("Run although this step "
                        + "would fail (or, with --plan, the reviewed plan said it would fail or halt): type the step id, once per step; "
                        + "recorded with the run.")
                .bindList(String.class, () -> acceptWouldFail, v -> acceptWouldFail = v);
        where = new TargetOptions(spec, cli);
    }

    @Override
    public Integer call() {
        if (runbook == null) {
            throw new LockstepException(ErrorCode.USAGE, "a runbook is required: lockstep run RUNBOOK"
                    + (plan != null ? " --plan " + ShellWords.quote(plan.toString()) + " (the runbook the plan was made of)" : ""));
        }
        if (plan != null) Folders.requireFileName(plan, "--plan");
        Runs runs = state.runs(cli);
        // A saved plan is checked before it is used: its file against the store, then the runbook.
        PlanFile reviewed = plan == null ? null : readPlan();
        PlanRecord evidence = reviewed == null ? null : reviewed.verify(runs.store());
        Runbook rb = cli.loader().load(runbook);
        if (reviewed != null) reviewed.refuseIfAny(reviewed.plan().runbookDifferences(rb));
        operator.requireSteps(rb);
        OperatorOptions.requireSteps(rb, "--accept-would-fail", acceptWouldFail);
        Frontend frontend = Frontend.choose(cli, operator, Set.of(), ci, notify);
        // A run from a saved plan is a new run of exactly that plan: it never continues another.
        Optional<RunSnapshot> unfinished = frontend.isTui() && !fresh && reviewed == null
                ? runs.latestUnfinished(rb.name()) : Optional.empty();
        Run run;
        if (unfinished.isPresent()) {
            TargetOptions.Reopened place = where.verified(cli, rb, unfinished.get().runId(), unfinished.get().place(), false);
            ParamOptions secrets = new ParamOptions();
            secrets.paramsFile = params.paramsFile;
            run = Reopen.open(cli, runs, unfinished.get().runId(), secrets, "lockstep run " + runbook, false, false,
                    frontend.listener(), rb, place.place());
            return frontend.drive(new Engine(run, cli.types(), frontend.operator(), place.targets()), Engine::forward);
        }
        if (reviewed != null) reviewed.plan().plainParameters().forEach(params.params::putIfAbsent);
        Params p = params.resolve(rb, cli);
        if (reviewed != null) {
            // Parameters before anything runs: a check is run only when it is the reviewed one, with the reviewed values.
            List<String> differences = new ArrayList<>(reviewed.plan().parameterDifferences(p));
            differences.addAll(PlanFile.secretDifferences(evidence, p));
            reviewed.refuseIfAny(differences);
        }
        Targets targets = where.verified(cli, rb);
        if (reviewed != null) requireSamePlan(reviewed, rb, p, targets);
        else refuseWhatWouldFail(rb, p, targets);
        String command = "lockstep run " + runbook + (reviewed != null ? " --plan " + plan : "")
                + (acceptWouldFail.isEmpty() ? "" : " --accept-would-fail " + String.join(" --accept-would-fail ", acceptWouldFail));
        run = runs.start(rb, p, frontend.listener(), command, fresh, where.place(targets),
                reviewed == null ? runId -> { } : runId -> reviewed.use(runs.store(), runId));
        if (!frontend.isTui()) cli.out.println("run id: " + run.id());
        Engine engine = new Engine(run, cli.types(), frontend.operator(), targets);
        return frontend.drive(engine, Engine::forward);
    }

    /** Before its first step, a run binds every step it can: one that would fail whatever happens before it stops the run now. */
    private void refuseWhatWouldFail(Runbook rb, Params p, Targets targets) {
        List<String> failing = new ArrayList<>();
        for (String f : new Planner(cli.types()).wouldFail(rb, p, targets)) {
            if (!acceptWouldFail.contains(f.substring(0, f.indexOf(':')))) failing.add(f);
        }
        if (!failing.isEmpty()) {
            List<String> ids = failing.stream().map(f -> f.substring(0, f.indexOf(':'))).toList();
            throw new LockstepException(ErrorCode.WOULD_FAIL, "step " + String.join("; step ", failing) + ". Nothing was run: "
                    + "fix the runbook, or run anyway by typing each step id (--accept-would-fail "
                    + String.join(" --accept-would-fail ", ids) + "; recorded with the run)");
        }
    }

    private PlanFile readPlan() {
        byte[] bytes = YamlReader.readBytes(plan);
        return PlanFile.read(new String(bytes, StandardCharsets.UTF_8), plan.toString());
    }

    /**
     * Plans again, now, and refuses before anything is recorded when it differs from what was reviewed,
     * or when the reviewed plan said a step would fail or halt and that was not accepted by name.
     */
    private void requireSamePlan(PlanFile reviewed, Runbook rb, Params p, Targets targets) {
        Planner.Plan now = new Planner(cli.types()).plan(rb, p, targets);
        reviewed.refuseIfAny(reviewed.plan().differences(SavedPlan.of(rb, p, targets, now, Cli.version())));
        List<String> unaccepted = new ArrayList<>(reviewed.plan().wouldNotPass());
        unaccepted.removeAll(acceptWouldFail);
        if (!unaccepted.isEmpty()) {
            throw new LockstepException(ErrorCode.WOULD_FAIL, "the reviewed plan says step(s) " + String.join(", ", unaccepted)
                    + " would fail or halt. Nothing was run: fix the runbook and review a new plan (" + reviewed.replan()
                    + "), or accept it by typing each "
                    + "step id (--accept-would-fail " + String.join(" --accept-would-fail ", unaccepted) + "; recorded with the run)");
        }
    }
}
