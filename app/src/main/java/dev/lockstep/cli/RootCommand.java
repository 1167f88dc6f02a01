package dev.lockstep.cli;

import dev.lockstep.error.ErrorCode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

// scope INHERIT gives every subcommand --help, --version and the exit codes in its help.
@Command(name = "lockstep", mixinStandardHelpOptions = true, versionProvider = RootCommand.Version.class,
        scope = ScopeType.INHERIT,
        description = "Runs risky production procedures as checked, resumable YAML runbooks.",
        footerHeading = "%nExit codes:%n",
        footer = {"  0 success   1 step failed   2 usage   3 halted   4 precondition not met",
                "  5 invalid runbook   6 lock held   7 needs an operator's decision",
                "  8 runbook changed since the run started   9 unfinished run exists   10 no such run",
                "  11 journal damaged   12 file error   13 wrong place to act (credentials, cluster)",
                "  14 no credentials, or the endpoint unreachable   15 state store unreachable (the run can be resumed)",
                "  16 differs from the saved plan   70 internal error   130 interrupted"})
final class RootCommand implements Callable<Integer> {
    /**
     * Every command, in the order help lists them. Main registers only the one a command line
     * names (reading a command's annotations is most of picocli's start-up), or all of them for
     * help, usage errors and the generators of man pages and completion.
     */
    static final Map<String, Supplier<Object>> COMMANDS = commands();

    final Cli cli;

    @Spec
    CommandSpec spec;

    RootCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        cli.err.println("lockstep: a command is required");
        spec.commandLine().usage(cli.err);
        return ErrorCode.USAGE.exitCode();
    }

    private static Map<String, Supplier<Object>> commands() {
        Map<String, Supplier<Object>> c = new LinkedHashMap<>();
        c.put("demo", DemoCommand::new);
        c.put("run", RunCommand::new);
        c.put("resume", ResumeCommand::new);
        c.put("rollback", RollbackCommand::new);
        c.put("plan", PlanCommand::new);
        c.put("validate", ValidateCommand::new);
        c.put("runs", RunsCommand::new);
        c.put("show", ShowCommand::new);
        c.put("report", ReportCommand::new);
        c.put("watch", WatchCommand::new);
        c.put("lock", LockCommand::new);
        c.put("state", StateCommand::new);
        c.put("schema", SchemaCommand::new);
        c.put("completion", CompletionCommand::new);
        c.put("man", ManCommand::new);
        c.put("help", HelpCommand::new);
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
