package dev.lockstep.tui;

import dev.lockstep.engine.Operator;
import dev.lockstep.journal.Identity;
import dev.lockstep.runbook.StepDef;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Answers the engine's questions through overlays on the screen. The engine thread
 * waits here until the operator answers; answers given ahead of time with flags win.
 */
final class TuiOperator implements Operator {
    private final Operator flags;
    private Consumer<Msg> ui;
    private Function<StepDef, List<String>> preview = s -> List.of();
    /** The question on screen, if one is: a take-over answers it (nobody here may any more). */
    private volatile UiState.Overlay asking;
    private volatile boolean closed;

    TuiOperator(Operator flags) {
        this.flags = flags;
    }

    /** Where questions go, and how to say what a step will do (resolved) inside the question about it. */
    void connect(Consumer<Msg> ui, Function<StepDef, List<String>> preview) {
        this.ui = ui;
        this.preview = preview;
    }

    @Override
    public String name() {
        return Identity.operator();
    }

    @Override
    public boolean confirm(String question) {
        if (flags.confirm(question)) return true;
        return "y".equals(ask(new UiState.Overlay(UiState.Kind.QUESTION_YES_NO, "Confirm",
                List.of(question, "", "y yes    n / Esc no"))));
    }

    /** The dialog refuses a wrong value itself and stays open; what it returns matches, or is null (Esc). */
    @Override
    public String typed(StepDef step, String prompt, String expected) {
        String given = flags.typed(step, prompt, expected);
        if (given != null) return given;
        List<String> lines = new ArrayList<>();
        lines.add(step.displayTitle() + "  (step " + step.id() + ")");
        lines.add("");
        lines.add("Will do:");
        for (String l : preview.apply(step)) lines.add("  " + l);
        lines.add("");
        lines.addAll(List.of((prompt + ", then Enter.").split("\n")));
        lines.add("Esc leaves the step pending.");
        return ask(new UiState.Overlay(UiState.Kind.QUESTION_TYPED, "Typed confirmation: " + step.id(), lines)
                .withInput().expecting(expected).about(step.id()));
    }

    @Override
    public boolean manual(StepDef step, String instructions) {
        if (flags.manual(step, instructions)) return true;
        return "y".equals(ask(new UiState.Overlay(UiState.Kind.QUESTION_YES_NO, "Manual step: " + step.id(),
                List.of(instructions, "", "y it is done    n / Esc not done")).about(step.id())));
    }

    @Override
    public InDoubtChoice inDoubt(StepDef step, String detail) {
        InDoubtChoice given = flags.inDoubt(step, detail);
        if (given != null) return given;
        String a = ask(new UiState.Overlay(UiState.Kind.QUESTION_IN_DOUBT, "In doubt: " + step.id(), List.of(
                "This step was in flight when lockstep stopped: " + detail + ".",
                "Check whether it had its effect, then:", "",
                "r run it again    m mark it done    s skip it    Esc decide later")).about(step.id()));
        if (a == null) return null;
        return switch (a) {
            case "r" -> InDoubtChoice.RERUN;
            case "m" -> InDoubtChoice.MARK_DONE;
            case "s" -> InDoubtChoice.SKIP;
            default -> null;
        };
    }

    /** The run was taken from this process: the question on screen goes unanswered, and no more are asked. */
    void close() {
        closed = true;
        UiState.Overlay o = asking;
        if (o != null) o.answer.complete(null);
    }

    private String ask(UiState.Overlay overlay) {
        // Set before closed is read, as close() sets closed before it reads this: one of the two sees the other.
        asking = overlay;
        try {
            if (closed) return null;
            ui.accept(new Msg.Question(overlay));
            return overlay.answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            return null;
        } finally {
            asking = null;
        }
    }
}
