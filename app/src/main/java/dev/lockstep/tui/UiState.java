package dev.lockstep.tui;

import dev.lockstep.engine.DisplayedState;
import dev.lockstep.engine.Outcome;
import dev.lockstep.engine.StepState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Everything the screen shows, as plain data. Only the UI thread changes it (from
 * engine events and keys); {@link Renderer} draws it and nothing else.
 */
final class UiState {
    String title;
    String runId;
    String target;
    /** The run's clock: from its first step, to its end (null while it goes on). */
    Instant clockFrom;
    /** Where the run stands against its runbook's downtime and window (DowntimeClock.header); null without one. */
    String downtime;
    Instant clockTo;
    DisplayedState runState = DisplayedState.READY;
    /** The step whose gate (a typed confirmation, a decision) the run waits at, or null. */
    String gateStep;
    /** The approval gate the run waits at (the plan being approved, who may approve), or null. */
    dev.lockstep.journal.EventData.Awaiting approval;
    /** A watcher's identity to the store's approvals (the database role, the OS user); null for the driver. */
    String approverIdentity;
    /** The run has finished one way or another: only looking around is left. */
    boolean finished;
    /** Something has run that a rollback would undo (or a rollback is under way). */
    boolean canRollback;
    final List<StepView> steps = new ArrayList<>();
    int selected;
    Focus focus = Focus.STEPS;
    boolean fullLogs;
    boolean follow = true;
    /** First visible log line when not following. */
    int logTop;
    String search;
    boolean auto;
    /** What the engine is doing now, or null when it waits for a key. */
    String busy;
    Overlay overlay;
    Halt halt;
    String message;
    boolean quit;
    /** When Ctrl-C last asked to quit while a step ran, in ms since the epoch; 0 when it has not. */
    long ctrlCAskedAt;
    /** How the last engine action stopped, for the exit code; null until one has. */
    Outcome lastStop;
    /** The terminal's height: log pages scroll by a third of it. */
    int rows;
    /** Set once another process took the run from this one (by whom, when): read-only, only quitting is left. */
    String takenOver;
    /** When it was taken: this screen's clock stops there, as what follows is the other driver's. */
    Instant takenOverAt;
    /** lockstep watch: read-only, and {@code driver} says who drives the run. */
    boolean watching;
    String driver;
    /** lockstep watch: whether the driver's lease is live, which decides between RUNNING and IN-DOUBT. */
    boolean driverLive;

    enum Focus { STEPS, LOGS }

    /** One row of the step list and its detail; the runbook's own rollback has a row too ({@link #runbookRollback}). */
    static final class StepView {
        String id;
        String title;
        String description;
        String uses;
        StepState state = StepState.PENDING;
        Instant startedAt;
        /** How long the step itself ran; a rollback does not change it. */
        Duration duration;
        Instant rollbackStartedAt;
        Duration rollbackDuration;
        List<String> preview = List.of();
        /** {@link #preview} and {@link #confirm} are to be resolved again before they are shown. */
        boolean previewStale;
        final List<String> checks = new ArrayList<>();
        final Map<String, Object> outputs = new LinkedHashMap<>();
        boolean hasRollback;
        /** Why this step is the point of no return (after it a rollback cannot restore the world); null when it is not. */
        String pointOfNoReturn;
        /** Whether the run asks a go/no-go before it (the runbook declares it), not only marks it. */
        boolean gatedPointOfNoReturn;
        boolean hasChecks;
        /** "type 'relay'" (resolved), "yes/no", or null. */
        String confirm;
        List<Pattern> haltOn = List.of();
        /** Why the step stands where it does (failed, halted, blocked, in doubt), as the step or the engine said. */
        String reason;
        /** Failed attempts of a step that retries, as each one ended. */
        final List<String> attempts = new ArrayList<>();
        /** What a halting step found (a table of per-table verdicts, say), flattened to lines. */
        List<String> findings = List.of();
        boolean runbookRollback;
    }

    /** The red banner of a halted step: why, the evidence, and the ways on. */
    record Halt(String stepId, String reason, String evidence) {}

    /**
     * A box over the screen. {@code input} is non-null for text entry; {@code answer}
     * completes when the operator decides (the engine thread may be waiting on it).
     */
    static final class Overlay {
        final Kind kind;
        final String title;
        final List<String> lines;
        final CompletableFuture<String> answer = new CompletableFuture<>();
        StringBuilder input;
        /** What the input must be before it is accepted (a typed confirmation), or null for any text. */
        String expected;
        /** Said inside the box after a refused input; cleared by the next key. */
        String error;
        /** The step the box is about: it is selected while the box is open. */
        String stepId;
        /** An approval or rejection box: the digest of the plan it shows, and a rejection's reason. */
        String digest;
        String reason;
        int scroll;

        Overlay(Kind kind, String title, List<String> lines) {
            this.kind = kind;
            this.title = title;
            this.lines = lines;
        }

        Overlay withInput() {
            input = new StringBuilder();
            return this;
        }

        Overlay expecting(String text) {
            expected = text;
            return this;
        }

        Overlay about(String step) {
            stepId = step;
            return this;
        }
    }

    /** What an overlay is for, and so which keys it takes. */
    enum Kind { HELP, PLAN, QUESTION_YES_NO, QUESTION_TYPED, QUESTION_IN_DOUBT, ROLLBACK, SKIP_REASON, OVERRIDE, SEARCH, QUIT,
        APPROVE, REJECT_REASON, REJECT }

    /**
     * Pending steps will be shown what they will do and ask for resolved with the outputs known now. Only the
     * step on screen is resolved (when drawn): resolving every pending step at each success cost a run of
     * thousands of steps time in proportion to its length, at every step.
     */
    void refreshPreviews() {
        for (StepView v : steps) {
            if (!v.runbookRollback && v.state == StepState.PENDING) v.previewStale = true;
        }
    }

    StepView selectedStep() {
        return steps.isEmpty() ? null : steps.get(Math.max(0, Math.min(selected, steps.size() - 1)));
    }

    StepView step(String id) {
        for (StepView s : steps) if (s.id.equals(id)) return s;
        return null;
    }
}
