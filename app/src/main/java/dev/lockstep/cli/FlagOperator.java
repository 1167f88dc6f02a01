package dev.lockstep.cli;

import dev.lockstep.engine.Operator;
import dev.lockstep.journal.Identity;
import dev.lockstep.runbook.StepDef;
import java.util.Map;
import java.util.Set;

/** Answers from command-line flags given ahead of time; anything not answered stops the run for an operator. */
final class FlagOperator implements Operator {
    private final boolean yes;
    private final Map<String, String> typed;
    private final Set<String> rerun;
    private final Set<String> markDone;
    private final Set<String> skip;
    private final boolean awaitApproval;

    FlagOperator(boolean yes, Map<String, String> typed, Set<String> rerun, Set<String> markDone, Set<String> skip,
                 boolean awaitApproval) {
        this.yes = yes;
        this.awaitApproval = awaitApproval;
        this.typed = typed;
        this.rerun = rerun;
        this.markDone = markDone;
        this.skip = skip;
    }

    @Override
    public String name() {
        return Identity.operator() + " (flags)";
    }

    @Override
    public boolean confirm(String question) {
        return yes;
    }

    @Override
    public boolean waits() {
        return awaitApproval;
    }

    @Override
    public String typed(StepDef step, String prompt, String expected) {
        return typed.get(step.id());
    }

    @Override
    public boolean manual(StepDef step, String instructions) {
        return yes;
    }

    @Override
    public InDoubtChoice inDoubt(StepDef step, String detail) {
        if (rerun.contains(step.id())) return InDoubtChoice.RERUN;
        if (markDone.contains(step.id())) return InDoubtChoice.MARK_DONE;
        if (skip.contains(step.id())) return InDoubtChoice.SKIP;
        return null;
    }

    boolean hasTyped(String stepId) {
        return typed.containsKey(stepId);
    }
}
