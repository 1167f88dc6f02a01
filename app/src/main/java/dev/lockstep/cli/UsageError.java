package dev.lockstep.cli;

import dev.lockstep.spi.Suggest;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine;

/**
 * What a command line picocli cannot parse prints: the error with the nearest option or command, and where the
 * help is. Two lines, not the 40-line usage that buries the one line that matters.
 */
final class UsageError {
    private UsageError() {}

    static void print(CommandLine.ParameterException ex, PrintStream err) {
        CommandSpec command = ex.getCommandLine().getCommandSpec();
        err.println("lockstep: " + message(ex, command));
        err.println("see " + command.qualifiedName(" ") + " --help");
    }

    private static String message(CommandLine.ParameterException ex, CommandSpec command) {
        if (!(ex instanceof CommandLine.UnmatchedArgumentException unmatched) || unmatched.getUnmatched().isEmpty()) {
            return ex.getMessage();
        }
        String word = unmatched.getUnmatched().get(0);
        if (word.startsWith("-")) {
            // --outptu=json: the name is what was mistyped.
            String name = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
            List<String> names = command.options().stream().filter(o -> !o.hidden())
                    .flatMap(o -> List.of(o.names()).stream()).toList();
            return "unknown option '" + name + "'" + Suggest.didYouMean(name, names);
        }
        if (!command.subcommands().isEmpty()) {
            List<String> names = command.subcommands().entrySet().stream()
                    .filter(e -> !e.getValue().getCommandSpec().usageMessage().hidden()).map(Map.Entry::getKey).toList();
            return "unknown command '" + word + "'" + Suggest.didYouMean(word, names);
        }
        return ex.getMessage();
    }
}
