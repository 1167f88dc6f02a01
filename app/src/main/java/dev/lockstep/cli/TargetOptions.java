package dev.lockstep.cli;

import dev.lockstep.engine.RunPlace;
import dev.lockstep.engine.Targets;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.spi.ContextKind;
import dev.lockstep.spi.ContextOption;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
        return new Settings(cli.env, given());
    }

    /** The place options this command line gives, by setting key, each checked. */
    private Map<String, String> given() {
        Map<String, String> options = new LinkedHashMap<>();
        for (Given g : given) {
            String value = g.spec().getValue();
            if (value == null) continue;
            String problem = g.option().problem().apply(value);
            if (problem != null) throw new LockstepException(ErrorCode.USAGE, g.option().name() + ": " + problem);
            options.put(g.option().key(), value);
        }
        return Map.copyOf(options);
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
        Targets targets = Targets.of(cli.contexts(), runbook, settings);
        targets.verify();
        return targets;
    }

    /** Where a new run acts, as it is recorded with it. */
    RunPlace place(Targets targets) {
        return new RunPlace(new TreeMap<>(given()), targets.where());
    }

    /** Where a reopened run acts, verified, and the place to record for it. */
    record Reopened(Targets targets, RunPlace place) {}

    /**
     * Where a reopened run acts: the place options it recorded with this command line's on top, verified.
     * A command line that names another place than the run's, or whose place resolves elsewhere (another
     * kubeconfig context, other credentials), is refused with both named, unless {@code moving}
     * (--retarget): then the run acts there, and the new place is recorded. A run recorded before places
     * were acts where this command line says, as it always did.
     */
    Reopened verified(Cli cli, Runbook runbook, String runId, RunPlace recorded, boolean moving) {
        Map<String, String> options = new TreeMap<>(given());
        if (recorded.recorded()) {
            for (Map.Entry<String, String> o : options.entrySet()) {
                String before = recorded.options().get(o.getKey());
                if (!moving && before != null && !before.equals(o.getValue())) {
                    throw elsewhere(runId, name(o.getKey()) + " " + before, name(o.getKey()) + " " + o.getValue());
                }
            }
            recorded.options().forEach(options::putIfAbsent);
        }
        Targets targets = Targets.of(cli.contexts(), runbook, new Settings(cli.env, Map.copyOf(options)));
        targets.verify();
        Map<String, Map<String, String>> where = targets.where();
        if (recorded.recorded() && !moving) {
            recorded.where().forEach((kind, then) -> {
                Map<String, String> now = where.getOrDefault(kind, Map.of());
                then.forEach((key, value) -> {
                    if (now.containsKey(key) && !now.get(key).equals(value)) {
                        throw elsewhere(runId, kind + " " + key + " " + value, kind + " " + key + " " + now.get(key));
                    }
                });
            });
        }
        return new Reopened(targets, new RunPlace(options, where));
    }

    private String name(String key) {
        for (Given g : given) if (g.option().key().equals(key)) return g.option().name();
        return key;
    }

    private static LockstepException elsewhere(String runId, String recorded, String here) {
        return new LockstepException(ErrorCode.WRONG_TARGET, "run " + runId + " acts on " + recorded + " (recorded with the run), "
                + "but this command would act on " + here + ": leave the option out to act where the run does, or give "
                + "--retarget to move the run there on purpose (recorded)");
    }
}
