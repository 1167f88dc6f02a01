package dev.lockstep.cli;

import dev.lockstep.context.ContextKind;
import dev.lockstep.context.ContextOption;
import dev.lockstep.context.Targets;
import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.step.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where a command acts: the options of every kind of place ({@code --profile}, {@code --region},
 * … as each {@link ContextKind} declares them), added to the commands that act (the plugins are
 * looked for only then), and turned into the run's {@link Targets}.
 */
final class TargetOptions {
    /** An option of a kind of place, as this command line has it. */
    private record Given(ContextOption option, OptionSpec spec) {}

    private final List<Given> given = new ArrayList<>();

    TargetOptions(CommandSpec command, Cli cli) {
        for (ContextKind<?> kind : cli.contexts().all().values()) {
            for (ContextOption o : kind.options()) {
                OptionSpec option = OptionSpec.builder(o.name()).paramLabel(o.label()).description(o.description())
                        .type(String.class).converters(CommandModel.nonEmpty(String.class, o.label())).build();
                command.addOption(option);
                HelpSections.group(command, kind.title() + " options:", option);
                given.add(new Given(o, option));
            }
        }
    }

    /** The command line's settings: the environment and each option given, checked. */
    Settings settings(Cli cli) {
        Map<String, String> options = new LinkedHashMap<>();
        for (Given g : given) {
            String value = g.spec().getValue();
            if (value == null) continue;
            String problem = g.option().problem().apply(value);
            if (problem != null) throw new LockstepException(ErrorCode.USAGE, g.option().name() + ": " + problem);
            options.put(g.option().key(), value);
        }
        return new Settings(cli.env, Map.copyOf(options));
    }

    /** Where a run of this runbook acts, verified: nothing is recorded before this holds. */
    Targets verified(Cli cli, Runbook runbook) {
        return verified(cli, runbook, settings(cli));
    }

    /** Where a run acts when its command has none of these options (the demo, on this machine): as the environment says. */
    static Targets fromEnvironment(Cli cli, Runbook runbook) {
        return verified(cli, runbook, new Settings(cli.env, Map.of()));
    }

    private static Targets verified(Cli cli, Runbook runbook, Settings settings) {
        Targets targets = cli.contexts().targets(runbook, settings);
        targets.verify();
        return targets;
    }
}
