package dev.lockstep.engine;

import dev.lockstep.runbook.StepDef;

/**
 * The person (or the command-line flags standing in for one) who answers the
 * engine's questions. Every answer is journaled with {@link #name()}.
 */
public interface Operator {
    /** Who answers, as recorded in the journal: user@host, or "flags" for --yes/--confirm. */
    String name();

    /** A plain yes/no: before a step with {@code confirm: true}, or before a rollback. */
    boolean confirm(String question);

    /**
     * Asks the operator to type {@code expected}: returns what was typed, or null when nothing
     * was given (declined, no flag). The engine compares it, so a wrong value is recorded as such.
     * {@code prompt} may span lines (the point of no return's go/no-go says what will no longer be undoable).
     */
    String typed(StepDef step, String prompt, String expected);

    /** A manual step: show the instructions, wait until the operator says it is done. */
    boolean manual(StepDef step, String instructions);

    /** What to do with a step that was in flight when the run stopped; null when nobody can decide now. */
    InDoubtChoice inDoubt(StepDef step, String detail);

    enum InDoubtChoice { RERUN, MARK_DONE, SKIP }

    /**
     * Whether someone is there to wait with the run at an approval gate (a terminal, the screen); flags
     * given ahead of time are not, and never approve: the run stops there and says how to approve.
     */
    default boolean waits() {
        return true;
    }

    /** Nobody to ask: every confirmation is declined and nothing is decided (dry-run never asks anyone). */
    Operator NOBODY = new Operator() {
        @Override
        public String name() {
            return "nobody";
        }

        @Override
        public boolean confirm(String question) {
            return false;
        }

        @Override
        public String typed(StepDef step, String prompt, String expected) {
            return null;
        }

        @Override
        public boolean manual(StepDef step, String instructions) {
            return false;
        }

        @Override
        public InDoubtChoice inDoubt(StepDef step, String detail) {
            return null;
        }

        @Override
        public boolean waits() {
            return false;
        }
    };
}
