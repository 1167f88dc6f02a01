package dev.lockstep.cli;

import dev.lockstep.engine.StateCopy;
import dev.lockstep.error.ErrorCode;
import dev.lockstep.journal.StateDir;
import dev.lockstep.store.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "state", description = "Move runs between stores (a local folder and a shared PostgreSQL store).",
        subcommands = {StateCommand.Copy.class})
final class StateCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        root.cli.err.println("lockstep state: a command is required (copy)");
        spec.commandLine().usage(root.cli.err);
        return ErrorCode.USAGE.exitCode();
    }

    @Command(name = "copy", description = "Hand runs to another store, records and logs as they are: they go on there "
            + "(a teammate resumes them), and the store they came from keeps a read-only copy. Copying back works the same way.")
    static final class Copy implements Callable<Integer> {
        @ParentCommand
        StateCommand state;

        @Parameters(arity = "1..*", paramLabel = "RUN_ID", description = "The runs to copy.")
        List<String> runIds = new ArrayList<>();

        @Option(names = "--from", paramLabel = "URL|DIR",
                description = "Where the runs are: a postgres:// URL or a folder (default: $LOCKSTEP_STATE, else the state folder).")
        String from;

        @Option(names = "--to", required = true, paramLabel = "URL|DIR", description = "Where they go: a postgres:// URL or a folder.")
        String to;

        @Override
        public Integer call() {
            Cli cli = state.root.cli;
            runIds.forEach(StateDir::requireRunId);
            String source = from != null ? from : cli.env.get("LOCKSTEP_STATE");
            StateStore origin = cli.closeAtEnd(StateOptions.open(cli, source == null || source.isBlank() ? null : source,
                    null, from != null ? "--from" : "$LOCKSTEP_STATE"));
            StateStore target = cli.closeAtEnd(StateOptions.open(cli, to, null, "--to"));
            for (String id : runIds) cli.out.println(StateCopy.copy(origin, target, id, "lockstep state copy " + id));
            return 0;
        }
    }
}
