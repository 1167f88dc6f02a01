package dev.lockstep.cli;

import dev.lockstep.spi.ErrorCode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;

final class RootCommand implements Callable<Integer> {
    /**
     * Every command, in the order help lists them. Main registers only the one a command line
     * names (building a command's model is much of start-up), or all of them for help, usage
     * errors and the generators of man pages and completion.
     */
    static final Map<String, Function<Cli, Object>> COMMANDS = commands();

    final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "lockstep", "Runs risky production procedures as checked, resumable YAML runbooks.");

    RootCommand(Cli cli) {
        HelpSections.examples(spec,
                "lockstep demo",
                "lockstep validate runbooks/demo.yaml",
                "lockstep plan runbooks/demo.yaml -p rows=1000",
                "lockstep run runbooks/demo.yaml -p rows=1000");
        this.cli = cli;
        // INHERIT gives every subcommand the version.
        spec.scopeType(ScopeType.INHERIT).versionProvider(new Version());
    }

    @Override
    public Integer call() {
        cli.err.println("lockstep: a command is required");
        spec.commandLine().usage(cli.err);
        return ErrorCode.USAGE.exitCode();
    }

    /** Each command's model. */
    private static Map<String, Function<Cli, Object>> commands() {
        Map<String, Function<Cli, Object>> c = new LinkedHashMap<>();
        c.put("demo", cli -> new DemoCommand(cli).spec);
        c.put("run", cli -> new RunCommand(cli).spec);
        c.put("resume", cli -> new ResumeCommand(cli).spec);
        c.put("rollback", cli -> new RollbackCommand(cli).spec);
        c.put("plan", cli -> new PlanCommand(cli).spec);
        c.put("validate", cli -> new ValidateCommand(cli).spec);
        c.put("runs", cli -> new RunsCommand(cli).spec);
        c.put("show", cli -> new ShowCommand(cli).spec);
        c.put("report", cli -> new ReportCommand(cli).spec);
        c.put("watch", cli -> new WatchCommand(cli).spec);
        c.put("approve", cli -> new ApproveCommand(cli, true).spec);
        c.put("reject", cli -> new ApproveCommand(cli, false).spec);
        c.put("lock", cli -> new LockCommand(cli).spec);
        c.put("state", cli -> new StateCommand(cli).spec);
        c.put("schema", cli -> new SchemaCommand(cli).spec);
        c.put("completion", cli -> new CompletionCommand(cli).spec);
        c.put("man", cli -> new ManCommand(cli).spec);
        c.put("help", cli -> new HelpCommand().spec);
        c.put(CompleteCommand.NAME, cli -> new CompleteCommand(cli).spec);
        return Collections.unmodifiableMap(c);
    }

    /** The commands that need every other one registered: they describe them all. */
    static final Set<String> DESCRIBE_ALL = Set.of("help", "man", "completion");

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"lockstep " + Cli.version()};
        }
    }
}
