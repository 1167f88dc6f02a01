package dev.lockstep.cli;

import dev.lockstep.error.ErrorCode;
import java.util.concurrent.Callable;
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
        subcommands = {DemoCommand.class, RunCommand.class, ResumeCommand.class, RollbackCommand.class, PlanCommand.class,
                ValidateCommand.class, RunsCommand.class, ShowCommand.class, ReportCommand.class, WatchCommand.class,
                LockCommand.class, StateCommand.class, SchemaCommand.class, HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0 success   1 step failed   2 usage   3 halted   4 precondition not met",
                "  5 invalid runbook   6 lock held   7 needs an operator's decision",
                "  8 runbook changed since the run started   9 unfinished run exists   10 no such run",
                "  11 journal damaged   12 file error   13 wrong place to act (credentials, cluster)",
                "  14 no credentials, or the endpoint unreachable   15 state store unreachable (the run can be resumed)",
                "  70 internal error   130 interrupted"})
final class RootCommand implements Callable<Integer> {
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

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"lockstep " + Cli.version()};
        }
    }
}
