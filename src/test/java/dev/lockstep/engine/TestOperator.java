package dev.lockstep.engine;

import dev.lockstep.runbook.StepDef;
import java.util.Set;

/**
 * Stands in for the operator in engine tests: says yes, does manual steps, decides steps left in doubt as told
 * ({@code rerun}, {@code markDone}, else nobody decides), and types what is asked only when {@code types}.
 */
record TestOperator(Set<String> rerun, Set<String> markDone, boolean types) implements Operator {
    TestOperator(Set<String> rerun, Set<String> markDone) {
        this(rerun, markDone, false);
    }

    @Override
    public String name() {
        return "test";
    }

    @Override
    public boolean confirm(String question) {
        return true;
    }

    @Override
    public String typed(StepDef step, String prompt, String expected) {
        return types ? expected : null;
    }

    @Override
    public boolean manual(StepDef step, String instructions) {
        return true;
    }

    @Override
    public InDoubtChoice inDoubt(StepDef step, String detail) {
        if (rerun.contains(step.id())) return InDoubtChoice.RERUN;
        if (markDone.contains(step.id())) return InDoubtChoice.MARK_DONE;
        return null;
    }
}
