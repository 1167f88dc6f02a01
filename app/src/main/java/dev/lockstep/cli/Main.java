package dev.lockstep.cli;

import dev.lockstep.spi.ErrorCode;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;

/** The {@code lockstep} command. {@link #run} returns the exit code, so tests call it in-process. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = run(System.getenv(), System.in, System.out, System.err, true, args);
        System.out.flush();
        System.err.flush();
        // System.exit logs itself through System.Logger (JDK 21+), whose first use opens every jar on the
        // class path to look for a logging provider: ~50 ms at the end of every command. Returning ends
        // the JVM the same way (shutdown hooks included) when no other thread would keep it running.
        if (code == 0 && onlyDaemonsLeft()) return;
        System.exit(code);
    }

    private static boolean onlyDaemonsLeft() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) root = root.getParent();
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n = root.enumerate(threads, true);
        for (int i = 0; i < n; i++) {
            if (threads[i] != Thread.currentThread() && !threads[i].isDaemon()) return false;
        }
        return n < threads.length;
    }

    public static int run(PrintStream out, PrintStream err, String... args) {
        return run(System.getenv(), System.in, out, err, args);
    }

    public static int run(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, String... args) {
        return run(env, in, out, err, false, args);
    }

    /** @param ownProcess whether this JVM runs this command alone, so an error in any of its threads may end it */
    private static int run(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, boolean ownProcess,
                           String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            // Nothing to parse: answered before anything is set up.
            out.println(new RootCommand.Version().getVersion()[0]);
            return 0;
        }
        // Under GitHub Actions nothing printed may become a workflow command but the ones GithubActions gives.
        CommandGuard outGuard = GithubActions.on(env) ? CommandGuard.around(out) : null;
        CommandGuard errGuard = GithubActions.on(env) ? CommandGuard.around(err) : null;
        if (outGuard != null) {
            out = outGuard.stream();
            err = errGuard.stream();
        }
        Cli cli = new Cli(env, in, out, err, outGuard == null ? null : GithubActions.of(env, outGuard));
        if (ownProcess) {
            // Out of memory (or another JVM error) in a thread of a step, the screen or the store: exit 70 with the
            // redacted crash report, as in the main thread, never a raw trace and a process left running without it.
            Thread.setDefaultUncaughtExceptionHandler((thread, ex) -> {
                if (!(ex instanceof Error)) return;
                int code = ErrorHandler.handle(ex, cli.err, cli);
                cli.out.flush();
                cli.err.flush();
                System.exit(code);
            });
        }
        CommandLine cmd = commandLine(cli, args);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setParameterExceptionHandler((ex, a) -> {
            UsageError.print(ex, cli.err);
            return ErrorCode.USAGE.exitCode();
        });
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> ErrorHandler.handle(ex, cli.err, cli));
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
        } catch (Error e) {
            // picocli hands on only Exceptions; an OutOfMemoryError (or a StackOverflowError) is a crash like any other.
            return ErrorHandler.handle(e, cli.err, cli);
        } finally {
            cli.closeAll();
            cli.out.flush();
            cli.err.flush();
            if (outGuard != null) {
                outGuard.finish();
                errGuard.finish();
            }
        }
    }

    /**
     * The command line's model, with the subcommand {@code args} start with (every one when they start
     * with none, or with one that describes them all) and the options of the places commands act in.
     */
    static CommandLine commandLine(Cli cli, String... args) {
        CommandLine cmd = new CommandLine(new RootCommand(cli).spec);
        String named = args.length > 0 ? args[0] : null;
        boolean one = RootCommand.COMMANDS.containsKey(named) && !RootCommand.DESCRIBE_ALL.contains(named);
        RootCommand.COMMANDS.forEach((name, command) -> {
            if (!one || name.equals(named)) cmd.addSubcommand(name, command.apply(cli));
        });
        CommandModel.addHelpOptions(cmd.getCommandSpec());
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        return cmd;
    }
}
