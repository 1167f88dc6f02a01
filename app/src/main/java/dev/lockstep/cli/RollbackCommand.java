package dev.lockstep.cli;

import dev.lockstep.engine.Engine;
import dev.lockstep.engine.Planner;
import dev.lockstep.engine.Run;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.RunStatus;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class RollbackCommand implements Callable<Integer> {
    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "rollback", "Undo a run: step rollbacks last-first, then the runbook's rollback. Resumable.");

    final ReopenOptions target;
    final OperatorOptions operator;
    final CiOptions ci;
    final NotifyOptions notify;
    final TargetOptions where;
    private String confirmRun;

    RollbackCommand(Cli cli) {
        HelpSections.examples(spec,
                "lockstep rollback",
                "lockstep rollback demo --no-tui --yes",
                "lockstep rollback demo --mark-done copy");
        this.cli = cli;
        target = new ReopenOptions(spec);
        operator = new OperatorOptions(spec);
        ci = new CiOptions(spec);
        notify = new NotifyOptions(spec);
        where = new TargetOptions(spec, cli);
        CommandModel.option(spec, "--confirm-run").label("RUN_ID")
                .description("Type the run id to roll back a run that succeeded (besides --yes, or the question).")
                .bind(String.class, () -> confirmRun, v -> confirmRun = v);
    }

    @Override
    public Integer call() {
        Frontend frontend = Frontend.plain(cli, operator.operator(cli, Set.of()), ci, notify);
        ReopenOptions.Looked looked = target.look(cli, where, operator::requireSteps);
        RunSnapshot snapshot = looked.snapshot();
        if (snapshot.status().isFinished() && snapshot.status() != RunStatus.SUCCEEDED) {
            throw new LockstepException(ErrorCode.NOT_FOUND, "run " + looked.runId() + " has " + snapshot.status().label()
                    + "; there is nothing to roll back");
        }
        Planner.RollbackPreview preview = new Planner(cli.types()).rollbackPreview(looked.runbook(),
                looked.params(), looked.targets(), snapshot, snapshot.outputsByStep());
        print(cli.out, looked.runId(), preview);
        // Undoing a change that succeeded takes its run id typed, as taking a run over does: --yes is a reflex.
        if (snapshot.status() == RunStatus.SUCCEEDED && !snapshot.rollbackStarted() && !looked.runId().equals(confirmRun)) {
            ErrorHandler.print(cli.err, ErrorCode.NEEDS_OPERATOR, "run " + looked.runId() + " succeeded: rolling it back "
                    + "needs its run id typed (--confirm-run " + looked.runId() + ")");
            return ErrorCode.NEEDS_OPERATOR.exitCode();
        }
        // Asked before the run is opened: a declined rollback leaves the journal as it was.
        if (!snapshot.rollbackStarted() && !frontend.operator().confirm("Roll back run " + looked.runId() + "?")) {
            ErrorHandler.print(cli.err, ErrorCode.NEEDS_OPERATOR, "rollback not confirmed: pass --yes to roll back");
            return ErrorCode.NEEDS_OPERATOR.exitCode();
        }
        Run run = target.open(looked, "lockstep rollback", true, frontend.listener()).run();
        return frontend.drive(new Engine(run, cli.types(), frontend.operator(), looked.targets()), Engine::rollback);
    }

    static void print(PrintStream out, String runId, Planner.RollbackPreview preview) {
        out.println("Rollback of run " + runId + " will run, in this order:");
        preview.lines().forEach(out::println);
    }
}
