package dev.lockstep.cli;

import dev.lockstep.engine.Runs;
import dev.lockstep.spi.LockstepException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code lockstep __complete runs|steps [RUN_ID]}, hidden: what the completion script offers, one a line, read from the
 * store the command line names. When it cannot say (no store, no such run) it prints nothing at all: the shell
 * offers nothing rather than an error in the middle of the line being typed.
 */
final class CompleteCommand implements Callable<Integer> {
    static final String NAME = "__complete";

    enum What { RUNS, STEPS }

    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, NAME, "Run ids, or a run's step ids, for shell completion.");

    What what;
    String runId;
    final StateOptions state;

    CompleteCommand(Cli cli) {
        this.cli = cli;
        spec.usageMessage().hidden(true);
        CommandModel.positional(spec, "0", "WHAT").description("runs or steps.").bind(What.class, () -> what, v -> what = v);
        CommandModel.positional(spec, "1", "RUN_ID").arity("0..1")
                .description("The run whose steps (default: the latest unfinished run, else the latest).")
                .bind(String.class, () -> runId, v -> runId = v);
        state = new StateOptions(spec);
    }

    @Override
    public Integer call() {
        try {
            Runs runs = state.runs(cli);
            if (what == What.RUNS) {
                runs.store().runIds().forEach(cli.out::println);
            } else {
                String id = RunIds.orLatestUnfinishedElseLatest(runs, runId);
                runs.read(id).steps().keySet().forEach(cli.out::println);
            }
            return 0;
        } catch (LockstepException e) {
            return e.code().exitCode();
        }
    }
}
