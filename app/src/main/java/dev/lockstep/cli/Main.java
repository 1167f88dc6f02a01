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
        Cli cli = new Cli(env, in, out, err);
        CommandLine cmd = new CommandLine(new RootCommand(cli));
        TargetOptions.register(cmd, cli.contexts());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setParameterExceptionHandler((ex, a) -> {
            err.println("lockstep: " + ex.getMessage());
            ex.getCommandLine().usage(err);
            return ErrorCode.USAGE.exitCode();
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> ErrorHandler.handle(ex, err, cli.redactor()));
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
}
