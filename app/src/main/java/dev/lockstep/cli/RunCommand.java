package dev.lockstep.cli;

import dev.lockstep.engine.Engine;
import dev.lockstep.engine.Run;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "run", description = "Start a new run of a runbook and drive it until it ends or needs you.")
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

    @Option(names = "--new", description = "Start over even though an unfinished run exists (it is marked abandoned).")
    boolean fresh;

    @Override
    public Integer call() {
        Cli cli = root.cli;
        Runbook rb = cli.loader().load(runbook);
        Params p = params.resolve(rb, cli);
        Run run = state.runs(cli).start(rb, p, new PlainPrinter(cli.out), "lockstep run " + runbook, fresh);
        cli.out.println("run id: " + run.id());
        Engine engine = new Engine(run, cli.types(), cli.loader(), operator.operator(cli, Set.of()), cli.env);
        return Driver.drive(cli, engine, Engine::forward);
    }
}
