package dev.lockstep.cli;

import dev.lockstep.engine.Operator;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.Suggest;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;

/** How the operator answers: on the terminal, or ahead of time with flags (CI). */
final class OperatorOptions {
    boolean noTui;

    boolean yes;

    Map<String, String> confirm = new LinkedHashMap<>();

    Set<String> rerun = new LinkedHashSet<>();

    Set<String> markDone = new LinkedHashSet<>();

    boolean awaitApproval;

    OperatorOptions(CommandSpec command) {
        CommandModel.option(command, "--no-tui").description("Plain timestamped lines; answers come only from flags.")
                .bind(boolean.class, () -> noTui, v -> noTui = v);
        CommandModel.option(command, "--yes").description("Answer yes to plain confirmations and manual steps.")
                .bind(boolean.class, () -> yes, v -> yes = v);
        CommandModel.option(command, "--confirm").label("STEP=VALUE").description("The typed confirmation for a step.")
                .bindPairs(() -> confirm, v -> confirm = v);
        CommandModel.option(command, "--rerun").label("STEP").description("Run an in-doubt step (or its rollback) again.")
                .bindSet(() -> rerun, v -> rerun = v);
        CommandModel.option(command, "--mark-done").label("STEP").description("Record an in-doubt step (or its rollback) as done.")
                .bindSet(() -> markDone, v -> markDone = v);
        CommandModel.option(command, "--await-approval").description("At an approval gate, wait for the approvers "
                        + "(lockstep approve, from elsewhere) instead of stopping; for runs nobody watches. --yes never approves.")
                .bind(boolean.class, () -> awaitApproval, v -> awaitApproval = v);
    }

    /** Refuses flags naming steps the runbook does not have: a mistyped id must not be silently ignored. */
    void requireSteps(Runbook runbook) {
        requireSteps(runbook, "--confirm", confirm.keySet());
        requireSteps(runbook, "--rerun", rerun);
        requireSteps(runbook, "--mark-done", markDone);
    }

    static void requireSteps(Runbook runbook, String option, Collection<String> ids) {
        for (String id : ids) {
            if (runbook.step(id).isEmpty()) {
                List<String> stepIds = runbook.steps().stream().map(StepDef::id).toList();
                throw new LockstepException(ErrorCode.USAGE, option + " " + id + ": runbook " + runbook.name()
                        + " has no step '" + id + "'" + Suggest.didYouMean(id, stepIds) + ": expected one of "
                        + String.join(", ", stepIds));
            }
        }
    }

    /** Answers from flags only. */
    FlagOperator flags(Set<String> skipInDoubt) {
        return new FlagOperator(yes, confirm, rerun, markDone, skipInDoubt, awaitApproval);
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
