package dev.lockstep.tui;

/** What {@link TuiUpdate} asks the UI loop to do outside the screen's state: to the engine, the store, the engine's waiting thread. */
sealed interface Effect {
    /** Work for the engine thread; {@code busy} is on screen until a {@link Msg.Finished} says it ended. */
    record Submit(String busy, Command command) implements Effect {}

    /** Answers the question the engine thread waits on (null: unanswered). */
    record Answer(UiState.Overlay question, String answer) implements Effect {}

    /** Stops the step in flight: the operator quit while it ran. */
    record Interrupt() implements Effect {}

    /** A watcher's verdict at an approval gate, recorded if the plan it saw is still the one awaiting approval. */
    record RecordVerdict(String stepId, boolean approves, String digest, String reason) implements Effect {}

    /** Works out what a rollback would run, for the box that asks before it (a {@link Msg.RollbackPreview}). */
    record PreviewRollback() implements Effect {}

    /** Plans the run in the background, for the plan box (a {@link Msg.PlanReady}). */
    record ComputePlan() implements Effect {}

    /** What the engine is told to do. */
    sealed interface Command {
        record RunNext() implements Command {}

        /** Retries a failed or halted step, then runs it. */
        record Retry(String stepId) implements Command {}

        record Skip(String stepId, String reason) implements Command {}

        record Override(String stepId, String typed) implements Command {}

        record Rollback() implements Command {}

        /** Checks a step's preconditions again, its results told in a {@link Msg.Checked}. */
        record Recheck(String stepId) implements Command {}
    }
}
