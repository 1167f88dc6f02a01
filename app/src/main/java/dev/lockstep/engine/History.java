package dev.lockstep.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How long a runbook's steps took in its earlier runs at the same place: the median and the 90th percentile of
 * each step's duration, over the runs in which it succeeded. Runs elsewhere are counted, never used: an
 * emulator's or a test cluster's figures are not an estimate for production, and every figure says which runs it
 * is made of.
 */
public final class History {
    private final String where;
    private final List<String> runs;
    private final int elsewhere;
    private final Map<String, Figures> steps;
    private final Map<String, Figures> rollbacks;

    /** A step's durations: how many runs, the median and the 90th percentile (nearest rank). */
    public record Figures(int runs, Duration median, Duration p90) {}

    /** The expected time of some steps: the sums of their medians and p90s, and the steps no earlier run did. */
    public record Expected(Duration median, Duration p90, List<String> unknown) {
        public boolean known() {
            return unknown.isEmpty();
        }
    }

    private History(String where, List<String> runs, int elsewhere, Map<String, Figures> steps, Map<String, Figures> rollbacks) {
        this.where = where;
        this.runs = runs;
        this.elsewhere = elsewhere;
        this.steps = steps;
        this.rollbacks = rollbacks;
    }

    /** No earlier run. */
    public static History none(RunPlace place) {
        return new History(describe(place), List.of(), 0, Map.of(), Map.of());
    }

    /**
     * From {@code earlier} (any runs, any runbook), those of {@code runbookName} that acted where {@code place}
     * does, leaving out {@code exceptRun} (the run being driven).
     */
    public static History of(Collection<RunSnapshot> earlier, String runbookName, RunPlace place, String exceptRun) {
        Map<String, Map<String, String>> here = whereOf(place);
        List<String> used = new ArrayList<>();
        int elsewhere = 0;
        Map<String, List<Duration>> took = new LinkedHashMap<>();
        Map<String, List<Duration>> undid = new LinkedHashMap<>();
        for (RunSnapshot s : earlier) {
            if (!runbookName.equals(s.runbookName()) || s.runId().equals(exceptRun)) continue;
            if (!Objects.equals(here, whereOf(s.place()))) {
                elsewhere++;
                continue;
            }
            boolean any = false;
            for (RunSnapshot.StepRecord r : s.steps().values()) {
                if (r.state() != StepState.SUCCEEDED || r.duration() == null) continue;
                took.computeIfAbsent(r.id(), k -> new ArrayList<>()).add(r.duration());
                any = true;
            }
            any |= rollbacks(s, undid);
            if (any) used.add(s.runId());
        }
        return new History(describe(place), List.copyOf(used), elsewhere, figures(took), figures(undid));
    }

    /** Adds each step rollback of {@code s} that succeeded, from its start to its end; whether there was one. */
    private static boolean rollbacks(RunSnapshot s, Map<String, List<Duration>> undid) {
        Map<String, java.time.Instant> started = new java.util.HashMap<>();
        boolean any = false;
        for (dev.lockstep.journal.Event e : s.events()) {
            if (e.type() == dev.lockstep.journal.EventType.STEP_ROLLBACK_STARTED) started.put(e.step(), e.time());
            if (e.type() == dev.lockstep.journal.EventType.STEP_ROLLBACK_SUCCEEDED && started.containsKey(e.step())) {
                undid.computeIfAbsent(e.step(), k -> new ArrayList<>()).add(Duration.between(started.remove(e.step()), e.time()));
                any = true;
            }
        }
        return any;
    }

    private static Map<String, Figures> figures(Map<String, List<Duration>> took) {
        Map<String, Figures> figures = new LinkedHashMap<>();
        took.forEach((step, durations) -> {
            List<Duration> sorted = durations.stream().sorted().toList();
            figures.put(step, new Figures(sorted.size(), rank(sorted, 0.5), rank(sorted, 0.9)));
        });
        return figures;
    }

    /** The nearest-rank percentile: the smallest duration at or above {@code p} of them. */
    private static Duration rank(List<Duration> sorted, double p) {
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static Map<String, Map<String, String>> whereOf(RunPlace place) {
        return place == null || place.where() == null ? Map.of() : new TreeMap<>(place.where());
    }

    /** The place in words: "this machine" when a run acts nowhere but here. */
    static String describe(RunPlace place) {
        Map<String, Map<String, String>> where = whereOf(place);
        if (where.isEmpty()) return "this machine";
        List<String> parts = new ArrayList<>();
        where.forEach((kind, fields) -> parts.add(kind + " " + String.join(" ", new TreeMap<>(fields).values())));
        return String.join(", ", parts);
    }

    public Figures step(String id) {
        return steps.get(id);
    }

    /** The expected time of {@code ids}, in the order given. */
    public Expected expected(List<String> ids) {
        return sum(steps, ids);
    }

    /** The expected time of undoing {@code ids}: their rollbacks' durations in earlier runs. */
    public Expected rollback(List<String> ids) {
        return sum(rollbacks, ids);
    }

    private static Expected sum(Map<String, Figures> steps, List<String> ids) {
        Duration median = Duration.ZERO;
        Duration p90 = Duration.ZERO;
        List<String> unknown = new ArrayList<>();
        for (String id : ids) {
            Figures f = steps.get(id);
            if (f == null) {
                unknown.add(id);
                continue;
            }
            median = median.plus(f.median());
            p90 = p90.plus(f.p90());
        }
        return new Expected(median, p90, List.copyOf(unknown));
    }

    /** The runs the figures are made of, oldest first. */
    public List<String> runs() {
        return runs;
    }

    /** Which runs the figures are made of, in words: how many, where, and how many elsewhere were left out. */
    public String source() {
        String used = runs.isEmpty() ? "no earlier run of this runbook at " + where
                : "from " + runs.size() + " earlier run" + (runs.size() == 1 ? "" : "s") + " at " + where;
        return used + (elsewhere > 0 ? " (" + elsewhere + " elsewhere not used)" : "");
    }
}
