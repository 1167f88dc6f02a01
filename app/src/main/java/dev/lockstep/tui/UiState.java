package dev.lockstep.tui;

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
    Instant startedAt;
    String runStatus = "ready";
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
    /** lockstep watch: read-only, and {@code driver} says who drives the run. */
    boolean watching;
    String driver;

    enum Focus { STEPS, LOGS }

    /** One row of the step list and its detail. */
    static final class StepView {
        String id;
        String title;
        String description;
        String uses;
        StepState state = StepState.PENDING;
        Instant startedAt;
        Duration duration;
        List<String> preview = List.of();
        final List<String> checks = new ArrayList<>();
        final Map<String, Object> outputs = new LinkedHashMap<>();
        boolean hasRollback;
        String confirm;
        List<Pattern> haltOn = List.of();
        String reason;
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
    }

    /** What an overlay is for, and so which keys it takes. */
    enum Kind { HELP, PLAN, QUESTION_YES_NO, QUESTION_TYPED, QUESTION_IN_DOUBT, ROLLBACK, SKIP_REASON, OVERRIDE, SEARCH, QUIT }

    StepView selectedStep() {
        return steps.isEmpty() ? null : steps.get(Math.max(0, Math.min(selected, steps.size() - 1)));
    }

    StepView step(String id) {
        for (StepView s : steps) if (s.id.equals(id)) return s;
        return null;
    }
}
