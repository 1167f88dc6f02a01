package dev.lockstep.cli;

import dev.lockstep.context.Targets;
import dev.lockstep.engine.Engine;
import dev.lockstep.engine.Planner;
import dev.lockstep.engine.Run;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.Runs;
import dev.lockstep.engine.SavedPlan;
import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.YamlReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
    boolean fresh;
    Path plan;
    final TargetOptions where;

    RunCommand(Cli cli) {
        this.cli = cli;
        CommandModel.positional(spec, "0", "RUNBOOK").arity("0..1").description("The runbook file (with --plan: the plan's).")
                .bind(Path.class, () -> runbook, v -> runbook = v);
        state = new StateOptions(spec);
        params = new ParamOptions(spec);
        operator = new OperatorOptions(spec);
        ci = new CiOptions(spec);
        CommandModel.option(spec, "--new").description("Start over even though an unfinished run exists (it is marked abandoned).")
                .bind(boolean.class, () -> fresh, v -> fresh = v);
        CommandModel.option(spec, "--plan").label("FILE").description("Run exactly what lockstep plan --out FILE saved: "
                        + "refused, naming the difference, if the runbook, a parameter, the place or a step's action differs now.")
                .bind(Path.class, () -> plan, v -> plan = v);
        where = new TargetOptions(spec, cli);
    }

    @Override
    public Integer call() {
        SavedPlan reviewed = plan == null ? null : readPlan();
        if (reviewed == null && runbook == null) {
            throw new LockstepException(ErrorCode.USAGE, "a runbook is required: lockstep run RUNBOOK (or --plan FILE)");
        }
        Path file = reviewed == null ? runbook : Path.of(reviewed.runbookPath());
        if (reviewed != null && runbook != null && !runbook.toAbsolutePath().normalize().equals(file)) {
            throw new LockstepException(ErrorCode.USAGE, "the plan " + plan + " is of " + file + ", not of " + runbook);
        }
        Runbook rb = cli.loader().load(file);
        operator.requireSteps(rb);
        Targets targets = where.verified(cli, rb);
        Runs runs = state.runs(cli);
        Frontend frontend = Frontend.choose(cli, operator, Set.of(), ci);
        // A run from a saved plan is a new run of exactly that plan: it never continues another.
        Optional<RunSnapshot> unfinished = frontend.isTui() && !fresh && reviewed == null
                ? runs.latestUnfinished(rb.name()) : Optional.empty();
        Run run;
        if (unfinished.isPresent()) {
            ParamOptions secrets = new ParamOptions();
            secrets.paramsFile = params.paramsFile;
            run = Reopen.open(cli, runs, unfinished.get().runId(), secrets, "lockstep run " + runbook, false, false,
                    frontend.listener(), rb);
        } else {
            if (reviewed != null) reviewed.plainParameters().forEach(params.params::putIfAbsent);
            Params p = params.resolve(rb, cli);
            if (reviewed != null) requireSamePlan(cli, reviewed, rb, p, targets);
            run = runs.start(rb, p, frontend.listener(), "lockstep run " + (reviewed != null ? "--plan " + plan : file), fresh);
            if (!frontend.isTui()) cli.out.println("run id: " + run.id());
        }
        Engine engine = new Engine(run, cli.types(), cli.loader(), frontend.operator(), targets);
        return frontend.drive(engine, Engine::forward);
    }

    private SavedPlan readPlan() {
        byte[] bytes = YamlReader.readBytes(plan);
        return SavedPlan.parse(new String(bytes, StandardCharsets.UTF_8), plan.toString());
    }

    /** Plans again, now, and refuses before anything is recorded when it differs from what was reviewed. */
    private static void requireSamePlan(Cli cli, SavedPlan reviewed, Runbook rb, Params p, Targets targets) {
        Planner.Plan now = new Planner(cli.types(), cli.loader()).plan(rb, p, targets);
        List<String> differences = reviewed.differences(SavedPlan.like(reviewed, rb, p, targets, now, Cli.version()));
        if (!differences.isEmpty()) {
            throw new LockstepException(ErrorCode.PLAN_DIFFERS, "this is not the plan that was reviewed: "
                    + String.join("; ", differences) + ". Nothing was run: review a new plan (lockstep plan --out FILE)");
        }
    }
}
