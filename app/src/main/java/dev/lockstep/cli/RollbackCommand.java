package dev.lockstep.cli;

import dev.lockstep.engine.Engine;
import dev.lockstep.engine.Run;
import dev.lockstep.error.ErrorCode;
import dev.lockstep.runbook.StepDef;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

@Command(name = "rollback", description = "Undo a run: step rollbacks last-first, then the runbook's rollback. Resumable.")
final class RollbackCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Mixin
    ReopenOptions target;

    @Mixin
    OperatorOptions operator;

    @Mixin(name = "where")
    TargetOptions where;

    @Override
    public Integer call() {
        Cli cli = root.cli;
        Frontend frontend = Frontend.plain(cli, operator.operator(cli, Set.of()));
        ReopenOptions.Reopened reopened = target.open(cli, "lockstep rollback", true, frontend.listener(), where,
                operator::requireSteps);
        Run run = reopened.run();
        Engine engine = new Engine(run, cli.types(), cli.loader(), frontend.operator(), reopened.targets());
        Engine.RollbackPlan plan = engine.rollbackPlan();
        cli.out.println("Rollback of run " + run.id() + " will run, in this order:");
        int n = 1;
        for (StepDef s : plan.steps()) {
            cli.out.println("  " + n++ + ". undo " + s.id() + " (" + run.snapshot().step(s.id()).state().label() + "): "
                    + (s.rollback() != null ? s.rollback().uses() : s.action().uses() + " built-in undo"));
        }
        for (int i = 0; i < plan.runbookRollback().size(); i++) {
            cli.out.println("  " + n++ + ". runbook rollback action " + (i + 1) + ": " + plan.runbookRollback().get(i).uses());
        }
        if (!plan.withoutRollback().isEmpty()) {
            cli.out.println("  Steps with no rollback (left as they are): "
                    + String.join(", ", plan.withoutRollback().stream().map(StepDef::id).toList()));
        }
        if (!engine.run().snapshot().rollbackStarted()
                && !frontend.operator().confirm("Roll back run " + run.id() + "?")) {
            run.close();
            ErrorHandler.print(cli.err, ErrorCode.NEEDS_OPERATOR, "rollback not confirmed: pass --yes to roll back");
            return ErrorCode.NEEDS_OPERATOR.exitCode();
        }
        return frontend.drive(engine, Engine::rollback);
    }
}
