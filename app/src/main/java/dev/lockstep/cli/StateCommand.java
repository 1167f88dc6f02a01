package dev.lockstep.cli;

import dev.lockstep.engine.StateCopy;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.store.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class StateCommand implements Callable<Integer> {
    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "state",
            "Move runs between stores (a local folder and a shared PostgreSQL store).");

    StateCommand(Cli cli) {
        HelpSections.examples(spec,
                "lockstep state copy demo --to postgres://db.internal/lockstep",
                "lockstep state copy demo --from postgres://db.internal/lockstep --to runs");
        this.cli = cli;
        spec.addSubcommand("copy", new Copy(cli).spec);
    }

    @Override
    public Integer call() {
        cli.err.println("lockstep state: a command is required (copy)");
        spec.commandLine().usage(cli.err);
        return ErrorCode.USAGE.exitCode();
    }

    static final class Copy implements Callable<Integer> {
        private final Cli cli;
        final CommandSpec spec = CommandModel.command(this, "copy", "Hand runs to another store, records and logs as they are: "
                + "they go on there (a teammate resumes them), and the store they came from keeps a read-only copy. "
                + "Copying back works the same way.");

        List<String> runIds = new ArrayList<>();
        String from;
        String to;

        Copy(Cli cli) {
            HelpSections.examples(spec,
                    "lockstep state copy demo --to postgres://db.internal/lockstep",
                    "lockstep state copy demo --from postgres://db.internal/lockstep --to runs");
            this.cli = cli;
            CommandModel.positional(spec, "0..*", "RUN_ID").arity("1..*").description("The runs to copy: run ids or unique starts of them.")
                    .bindList(String.class, () -> runIds, v -> runIds = v);
            CommandModel.option(spec, "--from").label("URL|DIR")
                    .description("Where the runs are: a postgres:// URL or a folder (default: $LOCKSTEP_STATE, else the state folder).")
                    .bind(String.class, () -> from, v -> from = v);
            CommandModel.option(spec, "--to").required().label("URL|DIR").description("Where they go: a postgres:// URL or a folder.")
                    .bind(String.class, () -> to, v -> to = v);
        }

        @Override
        public Integer call() {
            String source = from != null ? from : cli.env.get("LOCKSTEP_STATE");
            StateStore origin = cli.closeAtEnd(StateOptions.open(cli, source == null || source.isBlank() ? null : source,
                    null, from != null ? "--from" : "$LOCKSTEP_STATE"));
            // Every id resolved before the first copy: an ambiguous one must not leave half the runs handed over.
            List<String> ids = runIds.stream().map(id -> RunIds.resolve(origin, id)).toList();
            StateStore target = cli.closeAtEnd(StateOptions.open(cli, to, null, "--to"));
            for (String id : ids) cli.out.println(StateCopy.copy(origin, target, id, "lockstep state copy " + id));
            return 0;
        }
    }
}
