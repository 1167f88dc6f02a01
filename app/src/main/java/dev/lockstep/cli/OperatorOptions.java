package dev.lockstep.cli;

import dev.lockstep.engine.Operator;
import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.StepDef;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/** How the operator answers: on the terminal, or ahead of time with flags (CI). */
final class OperatorOptions {
    @Option(names = "--no-tui", description = "Plain timestamped lines; answers come only from flags.")
    boolean noTui;

    @Option(names = "--yes", description = "Answer yes to plain confirmations and manual steps.")
    boolean yes;

    @Option(names = "--confirm", paramLabel = "STEP=VALUE", description = "The typed confirmation for a step.")
    Map<String, String> confirm = new LinkedHashMap<>();

    @Option(names = "--rerun", paramLabel = "STEP", description = "Run an in-doubt step (or its rollback) again.")
    Set<String> rerun = new LinkedHashSet<>();

    @Option(names = "--mark-done", paramLabel = "STEP", description = "Record an in-doubt step (or its rollback) as done.")
    Set<String> markDone = new LinkedHashSet<>();

    /** Refuses flags naming steps the runbook does not have: a mistyped id must not be silently ignored. */
    void requireSteps(Runbook runbook) {
        requireSteps(runbook, "--confirm", confirm.keySet());
        requireSteps(runbook, "--rerun", rerun);
        requireSteps(runbook, "--mark-done", markDone);
    }

    static void requireSteps(Runbook runbook, String option, Collection<String> ids) {
        for (String id : ids) {
            if (runbook.step(id).isEmpty()) {
                throw new LockstepException(ErrorCode.USAGE, option + " " + id + ": runbook " + runbook.name()
                        + " has no step '" + id + "': expected one of "
                        + String.join(", ", runbook.steps().stream().map(StepDef::id).toList()));
            }
        }
    }

    /** Answers from flags only. */
    FlagOperator flags(Set<String> skipInDoubt) {
        return new FlagOperator(yes, confirm, rerun, markDone, skipInDoubt);
    }

    /** Flags first, then line prompts when a terminal is attached (and the full-screen UI is not in use). */
    Operator operator(Cli cli, Set<String> skipInDoubt) {
        FlagOperator flags = flags(skipInDoubt);
        if (interactive(cli)) return new ConsoleOperator(flags, cli.out);
        return flags;
    }

    /** A person at a real terminal, and no --no-tui: see {@link Terminal}. */
    boolean interactive(Cli cli) {
        return !noTui && Terminal.interactive(cli.env);
    }
}
