package dev.lockstep.cli;

import dev.lockstep.context.Targets;
import dev.lockstep.engine.Engine;
import dev.lockstep.engine.Run;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.Runs;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "run", description = "Start a run of a runbook (on a terminal: in the full-screen UI, "
        + "which reopens an unfinished run of the same runbook where it stopped).")
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Parameters(index = "0", paramLabel = "RUNBOOK", description = "The runbook file.")
    Path runbook;

    @Mixin
    StateOptions state;

    @Mixin
    ParamOptions params;

    @Mixin
    OperatorOptions operator;

    @Mixin(name = "where")
    TargetOptions where;

    @Option(names = "--new", description = "Start over even though an unfinished run exists (it is marked abandoned).")
    boolean fresh;

    @Override
    public Integer call() {
        Cli cli = root.cli;
        Runbook rb = cli.loader().load(runbook);
        operator.requireSteps(rb);
        Targets targets = where.verified(cli, rb);
        Runs runs = state.runs(cli);
        Frontend frontend = Frontend.choose(cli, operator, Set.of());
        Optional<RunSnapshot> unfinished = frontend.isTui() && !fresh ? runs.latestUnfinished(rb.name()) : Optional.empty();
        Run run;
        if (unfinished.isPresent()) {
            ParamOptions secrets = new ParamOptions();
            secrets.paramsFile = params.paramsFile;
            run = Reopen.open(cli, runs, unfinished.get().runId(), secrets, "lockstep run " + runbook, false, false,
                    frontend.listener(), rb);
        } else {
            Params p = params.resolve(rb, cli);
            run = runs.start(rb, p, frontend.listener(), "lockstep run " + runbook, fresh);
            if (!frontend.isTui()) cli.out.println("run id: " + run.id());
        }
        Engine engine = new Engine(run, cli.types(), cli.loader(), frontend.operator(), targets);
        return frontend.drive(engine, Engine::forward);
    }
}
