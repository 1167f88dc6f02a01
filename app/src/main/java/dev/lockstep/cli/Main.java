package dev.lockstep.cli;

import dev.lockstep.error.ErrorCode;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;

/** The {@code lockstep} command. {@link #run} returns the exit code, so tests call it in-process. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(System.getenv(), System.in, System.out, System.err, args));
    }

    public static int run(PrintStream out, PrintStream err, String... args) {
        return run(System.getenv(), System.in, out, err, args);
    }

    public static int run(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // Nothing to parse: answered before the command line's model is built, which is most of start-up.
            out.println(new RootCommand.Version().getVersion()[0]);
            return 0;
        }
        Cli cli = new Cli(env, in, out, err);
        CommandLine cmd = commandLine(cli, args);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setParameterExceptionHandler((ex, a) -> {
            err.println("lockstep: " + ex.getMessage());
            ex.getCommandLine().usage(err);
            return ErrorCode.USAGE.exitCode();
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> ErrorHandler.handle(ex, err, cli));
        cmd.setExecutionStrategy(parsed -> {
            // picocli lets anything follow --help or --version; a word it did not use is a mistake.
            for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
                if (!p.unmatched().isEmpty()) {
                    throw new CommandLine.UnmatchedArgumentException(p.commandSpec().commandLine(), p.unmatched());
                }
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cmd.setExitCodeExceptionMapper(ex -> ErrorCode.INTERNAL.exitCode());
        try {
            return cmd.execute(args);
        } finally {
            cli.closeAll();
        }
    }

    /**
     * The command line's model, with the subcommand {@code args} start with (every one when they start
     * with none, or with one that describes them all) and the options of the places commands act in.
     */
    static CommandLine commandLine(Cli cli, String... args) {
        CommandLine cmd = new CommandLine(new RootCommand(cli));
        String named = args.length > 0 ? args[0] : null;
        boolean one = RootCommand.COMMANDS.containsKey(named) && !RootCommand.DESCRIBE_ALL.contains(named);
        RootCommand.COMMANDS.forEach((name, command) -> {
            if (!one || name.equals(named)) cmd.addSubcommand(name, command.get());
        });
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        TargetOptions.register(cmd, cli);
        return cmd;
    }
}
