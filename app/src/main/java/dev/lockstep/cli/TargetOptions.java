package dev.lockstep.cli;

import dev.lockstep.context.ContextKind;
import dev.lockstep.context.ContextOption;
import dev.lockstep.context.Targets;
import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.step.Settings;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/**
 * Where a command acts: the options of every kind of place ({@code --profile}, {@code --region},
 * … as each {@link ContextKind} declares them), added to the commands that act when the
 * command line is built, and turned into the run's {@link Targets}.
 */
@Command
final class TargetOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** Adds every kind's options to each command that mixes these in (the plugins are looked for only then). */
    static void register(CommandLine root, Cli cli) {
        for (CommandLine sub : root.getSubcommands().values()) {
            if (!sub.getCommandSpec().mixins().containsKey("where")) continue;
            for (ContextKind<?> kind : cli.contexts().all().values()) {
                for (ContextOption o : kind.options()) {
                    sub.getCommandSpec().addOption(OptionSpec.builder(o.name()).paramLabel(o.label())
                            .description(o.description()).type(String.class).build());
                }
            }
        }
    }

    /** The command line's settings: the environment and each option given, checked. */
    Settings settings(Cli cli) {
        Map<String, String> options = new LinkedHashMap<>();
        for (ContextKind<?> kind : cli.contexts().all().values()) {
            for (ContextOption o : kind.options()) {
                OptionSpec given = spec.findOption(o.name());
                String value = given == null ? null : given.getValue();
                if (value == null || value.isBlank()) continue;
                String problem = o.problem().apply(value);
                if (problem != null) throw new LockstepException(ErrorCode.USAGE, o.name() + ": " + problem);
                options.put(o.key(), value);
            }
        }
        return new Settings(cli.env, Map.copyOf(options));
    }

    /** Where a run of this runbook acts, verified: nothing is recorded before this holds. */
    Targets verified(Cli cli, Runbook runbook) {
        Targets targets = cli.contexts().targets(runbook, settings(cli));
        targets.verify();
        return targets;
    }
}
