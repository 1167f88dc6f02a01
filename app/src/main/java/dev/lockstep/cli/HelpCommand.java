package dev.lockstep.cli;

import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.Suggest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine;

/** {@code lockstep help [COMMAND...]}: picocli's own help command describes only one level (not {@code help lock break}). */
final class HelpCommand implements Callable<Integer>, CommandLine.IHelpCommandInitializable2 {
    final CommandSpec spec = CommandModel.command(this, "help", "Show the help of a command, or of one under it: lockstep help lock break.");

    List<String> names = new ArrayList<>();
    private CommandLine self;
    private ColorScheme colors;
    private PrintWriter out;

    HelpCommand() {
        HelpSections.examples(spec, "lockstep help run", "lockstep help lock break");
        spec.helpCommand(true);
        CommandModel.positional(spec, "0..*", "COMMAND").arity("0..*").bindList(String.class, () -> names, v -> names = v);
    }

    @Override
    public void init(CommandLine helpCommandLine, ColorScheme colorScheme, PrintWriter outWriter, PrintWriter errWriter) {
        self = helpCommandLine;
        colors = colorScheme;
        out = outWriter;
    }

    @Override
    public Integer call() {
        CommandLine described = self.getParent();
        for (String name : names) {
            CommandLine sub = described.getSubcommands().get(name);
            if (sub == null) {
                throw new LockstepException(ErrorCode.USAGE, "help: " + described.getCommandSpec().qualifiedName(" ") + " has no command '"
                        + name + "'" + Suggest.didYouMean(name, described.getSubcommands().keySet()));
            }
            described = sub;
        }
        described.usage(out, colors);
        return 0;
    }
}
