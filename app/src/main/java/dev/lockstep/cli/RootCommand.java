package dev.lockstep.cli;

import dev.lockstep.error.ErrorCode;
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
        this.cli = cli;
        // INHERIT gives every subcommand the version and the exit codes in its help.
        spec.scopeType(ScopeType.INHERIT).versionProvider(new Version());
        spec.usageMessage().footerHeading("%nExit codes:%n").footer(
                "  0 success   1 step failed   2 usage   3 halted   4 precondition not met",
                "  5 invalid runbook   6 lock held   7 needs an operator's decision",
                "  8 runbook changed since the run started   9 unfinished run exists   10 no such run",
                "  11 journal damaged   12 file error   13 wrong place to act (credentials, cluster)",
                "  14 no credentials, or the endpoint unreachable   15 state store unreachable (the run can be resumed)",
                "  16 differs from the saved plan   70 internal error   130 interrupted");
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
        c.put("lock", cli -> new LockCommand(cli).spec);
        c.put("state", cli -> new StateCommand(cli).spec);
        c.put("schema", cli -> new SchemaCommand(cli).spec);
        c.put("completion", cli -> new CompletionCommand(cli).spec);
        c.put("man", cli -> new ManCommand(cli).spec);
        c.put("help", cli -> new HelpCommand().spec);
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
