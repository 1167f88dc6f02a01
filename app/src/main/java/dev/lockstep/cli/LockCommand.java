package dev.lockstep.cli;

import dev.lockstep.engine.Runs;
import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.journal.StateDir;
import dev.lockstep.store.LockHolder;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "lock", description = "Who holds a run (its driver and lease), and breaking that hold.",
        subcommands = {LockCommand.Show.class, LockCommand.Break.class})
final class LockCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        root.cli.err.println("lockstep lock: a command is required (show or break)");
        spec.commandLine().usage(root.cli.err);
        return ErrorCode.USAGE.exitCode();
    }

    @Command(name = "show", description = "Who holds a run now: the process, and for a shared store how fresh its lease is.")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        LockCommand lock;

        @Parameters(index = "0", paramLabel = "RUN_ID")
        String runId;

        @Mixin
        StateOptions state;

        @Override
        public Integer call() {
            Cli cli = lock.root.cli;
            Runs runs = state.runs(cli);
            String id = StateDir.requireRunId(runId);
            if (!runs.store().exists(id)) {
                throw new LockstepException(ErrorCode.NOT_FOUND, "no run " + id + " in " + runs.store().describe());
            }
            Optional<LockHolder> holder = runs.store().holder(id);
            cli.out.println(holder.isEmpty() ? "nobody holds run " + id
                    : "run " + id + " is held by " + holder.get().describe()
                    + (holder.get().live() ? "" : " (anyone may take it over: lockstep resume " + id + ")"));
            runs.store().movedTo(id).ifPresent(to -> cli.out.println("it was handed over to " + to + " and continues there"));
            return 0;
        }
    }

    @Command(name = "break", description = "Take a run from whoever holds it and let it go, recorded in the run: "
            + "an expired lease at once; a living driver only with --confirm RUN_ID (it stops at its next step; "
            + "on the local store it is asked to stop).")
    static final class Break implements Callable<Integer> {
        @ParentCommand
        LockCommand lock;

        @Parameters(index = "0", paramLabel = "RUN_ID")
        String runId;

        @Mixin
        StateOptions state;

        @Option(names = "--confirm", paramLabel = "RUN_ID", description = "Type the run id to take it from a driver that is alive.")
        String confirm;

        @Override
        public Integer call() {
            Cli cli = lock.root.cli;
            String id = StateDir.requireRunId(runId);
            cli.out.println(state.runs(cli).breakLock(id, confirm, "lockstep lock break " + id));
            return 0;
        }
    }
}
