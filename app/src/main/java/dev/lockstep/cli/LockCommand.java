package dev.lockstep.cli;

import dev.lockstep.engine.Runs;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.store.RunHolder;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class LockCommand implements Callable<Integer> {
    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "lock", "Who holds a run (its driver and lease), and breaking that hold.");

    LockCommand(Cli cli) {
        HelpSections.examples(spec, "lockstep lock show", "lockstep lock break demo");
        this.cli = cli;
        spec.addSubcommand("show", new Show(cli).spec);
        spec.addSubcommand("break", new Break(cli).spec);
    }

    @Override
    public Integer call() {
        cli.err.println("lockstep lock: a command is required (show or break)");
        spec.commandLine().usage(cli.err);
        return ErrorCode.USAGE.exitCode();
    }

    static final class Show implements Callable<Integer> {
        private final Cli cli;
        final CommandSpec spec = CommandModel.command(this, "show",
                "Who holds a run now: the process, and for a shared store how fresh its lease is.");

        String runId;
        final StateOptions state;

        Show(Cli cli) {
            HelpSections.examples(spec, "lockstep lock show", "lockstep lock show demo --state postgres://db.internal/lockstep");
            this.cli = cli;
            CommandModel.positional(spec, "0", "RUN_ID").arity("0..1")
                    .description("A run id or a unique start of one (default: the latest unfinished run, else the latest).")
                    .bind(String.class, () -> runId, v -> runId = v);
            state = new StateOptions(spec);
        }

        @Override
        public Integer call() {
            Runs runs = state.runs(cli);
            String id = RunIds.orLatestUnfinishedElseLatest(runs, runId);
            if (!runs.store().exists(id)) {
                throw new LockstepException(ErrorCode.NOT_FOUND, "no run " + id + " in " + runs.store().describe());
            }
            Optional<RunHolder> holder = runs.store().holder(id);
            cli.out.println(holder.isEmpty() ? "nobody holds run " + id
                    : "run " + id + " is held by " + holder.get().describe()
                    + (holder.get().live() ? "" : " (anyone may take it over: " + cli.hint("lockstep resume " + id) + ")"));
            runs.store().movedTo(id).ifPresent(to -> cli.out.println("it was handed over to " + to + " and continues there"));
            return 0;
        }
    }

    static final class Break implements Callable<Integer> {
        private final Cli cli;
        final CommandSpec spec = CommandModel.command(this, "break", "Take a run from whoever holds it and let it go, recorded "
                + "in the run: an expired lease at once; a living driver only with --confirm RUN_ID (it stops at its next step; "
                + "on the local store it is asked to stop).");

        String runId;
        final StateOptions state;
        String confirm;

        Break(Cli cli) {
            HelpSections.examples(spec,
                    "lockstep lock break demo",
                    "lockstep lock break demo --state postgres://db.internal/lockstep");
            this.cli = cli;
            CommandModel.positional(spec, "0", "RUN_ID").bind(String.class, () -> runId, v -> runId = v);
            state = new StateOptions(spec);
            CommandModel.option(spec, "--confirm").label("RUN_ID").description("Type the run id to take it from a driver that is alive.")
                    .bind(String.class, () -> confirm, v -> confirm = v);
        }

        @Override
        public Integer call() {
            Runs runs = state.runs(cli);
            String id = RunIds.resolve(runs.store(), runId);
            String done = runs.breakLock(id, confirm, "lockstep lock break " + id);
            // Only the closing hint names the state folder: the holder's own command, quoted before it, is a record.
            String resume = "lockstep resume " + id;
            cli.out.println(done.endsWith(resume) ? done.substring(0, done.length() - resume.length()) + cli.hint(resume) : done);
            return 0;
        }
    }
}
