package dev.lockstep.engine;

import dev.lockstep.runbook.Downtime;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.spi.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a run stands against its downtime: how long the service has been down (from the journaled start of the
 * downtime's first step to the success of its last), how much of the window is left, and how long the steps still
 * to do in the downtime took in earlier runs ({@link History}). At risk when that p90 no longer fits the window.
 */
public record DowntimeClock(Downtime downtime, List<String> steps, boolean started, boolean ended, Duration elapsed,
        History.Expected rest, String source) {

    /** The clock of run {@code s} at {@code now}; null when the runbook marks no downtime. */
    public static DowntimeClock of(List<StepDef> steps, Downtime downtime, RunSnapshot s, History history, Instant now) {
        if (downtime == null) return null;
        List<String> inside = inside(steps, downtime);
        RunSnapshot.StepRecord first = s.step(downtime.from());
        RunSnapshot.StepRecord last = s.step(downtime.to());
        Instant start = first != null ? first.startedAt() : null;
        boolean ended = last != null && last.state().isDone();
        Duration elapsed = start == null ? Duration.ZERO : Duration.between(start, ended && last.endedAt() != null ? last.endedAt() : now);
        List<String> todo = new ArrayList<>();
        Duration running = Duration.ZERO;
        for (String id : inside) {
            RunSnapshot.StepRecord r = s.step(id);
            if (r != null && r.state().isDone()) continue;
            todo.add(id);
            if (r != null && r.state() == StepState.RUNNING && r.startedAt() != null) running = Duration.between(r.startedAt(), now);
        }
        History.Expected expected = history.expected(todo);
        // The step under way has already spent part of its time.
        Duration spent = running;
        History.Expected rest = new History.Expected(minus(expected.median(), spent), minus(expected.p90(), spent), expected.unknown());
        return new DowntimeClock(downtime, inside, start != null, ended, elapsed, rest, history.source());
    }

    /** What a plan expects the whole downtime to take. */
    public static History.Expected planned(List<StepDef> steps, Downtime downtime, History history) {
        return history.expected(inside(steps, downtime));
    }

    private static List<String> inside(List<StepDef> steps, Downtime downtime) {
        List<String> ids = new ArrayList<>();
        boolean in = false;
        for (StepDef d : steps) {
            if (d.id().equals(downtime.from())) in = true;
            if (in) ids.add(d.id());
            if (d.id().equals(downtime.to())) break;
        }
        return ids;
    }

    private static Duration minus(Duration a, Duration b) {
        Duration d = a.minus(b);
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** Whether step {@code id} runs while the service is down. */
    public boolean covers(String id) {
        return steps.contains(id);
    }

    /** The window left, or null without a window. */
    public Duration left() {
        return downtime.window() == null ? null : downtime.window().minus(elapsed);
    }

    /** The p90 of what is left no longer fits the window (only with a window and figures for every step left). */
    public boolean atRisk() {
        return downtime.window() != null && !ended && rest.known() && elapsed.plus(rest.p90()).compareTo(downtime.window()) > 0;
    }

    /** One line for a header: "DOWNTIME 12m3s of 45m · 32m57s left · back up in ~4m (p90 6m)". */
    public String line() {
        StringBuilder b = new StringBuilder();
        Duration window = downtime.window();
        if (!started) {
            b.append("downtime not started").append(window != null ? " · window " + Durations.format(window) : "");
        } else if (ended) {
            b.append("downtime took ").append(Durations.format(elapsed)).append(window != null ? " of " + Durations.format(window) : "");
        } else {
            b.append("DOWNTIME ").append(Durations.format(elapsed));
            if (window != null) {
                Duration left = left();
                b.append(" of ").append(Durations.format(window)).append(left.isNegative()
                        ? " · window passed by " + Durations.format(left.negated()) : " · " + Durations.format(left) + " left");
            }
        }
        if (!ended) {
            if (rest.known()) {
                b.append(" · ").append(started ? "back up in ~" : "expected ").append(Durations.format(rest.median()))
                        .append(" (p90 ").append(Durations.format(rest.p90())).append(')');
            } else {
                b.append(" · no estimate (").append(rest.unknown().size()).append(rest.unknown().size() == 1 ? " step" : " steps")
                        .append(" never done here)");
            }
        }
        if (atRisk()) b.append(" · WINDOW AT RISK");
        return b.toString();
    }

    /** The clock in few words, for the header row: "DOWNTIME 2m24s/15m · back ~6m55s (p90 8m30s) · AT RISK". */
    public String header() {
        String window = downtime.window() == null ? "" : "/" + Durations.format(downtime.window());
        String estimate = rest.known() ? "~" + Durations.format(rest.median()) + " (p90 " + Durations.format(rest.p90()) + ")" : "no estimate";
        String text;
        if (!started) text = "downtime " + estimate + (window.isEmpty() ? "" : " of " + window.substring(1));
        else if (ended) text = "downtime took " + Durations.format(elapsed) + window;
        else text = "DOWNTIME " + Durations.format(elapsed) + window + " · back " + estimate;
        return text + (atRisk() ? " · AT RISK" : "");
    }

    /** What the operator is told before a step when the window is at risk. */
    public String warning() {
        String took = Durations.format(rest.p90()) + " (p90; median " + Durations.format(rest.median()) + ")";
        return "window at risk: " + (started
                ? "the downtime has lasted " + Durations.format(elapsed) + " of " + Durations.format(downtime.window())
                        + ", and the steps left in it took up to " + took
                : "the downtime's steps took up to " + took + ", more than its " + Durations.format(downtime.window()) + " window")
                + ": " + source;
    }
}
