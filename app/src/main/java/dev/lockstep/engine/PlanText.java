package dev.lockstep.engine;

import java.util.ArrayList;
import java.util.List;

/** The plan document as text: what {@code lockstep plan} prints and the UI's plan overlay shows, from one renderer. */
public final class PlanText {
    private PlanText() {}

    /**
     * Every step (numbered, with its action, checks, confirmation, conditions and rollback), then the rollback plan;
     * the caller ends with {@link Planner.Plan#summary()}, the plan's last line.
     */
    public static List<String> lines(Planner.Plan plan) {
        List<String> out = new ArrayList<>();
        int n = 1;
        PointOfNoReturn pointOfNoReturn = plan.pointOfNoReturn();
        for (Planner.StepPlan s : plan.steps()) {
            out.add("");
            String marker = pointOfNoReturn.marker(s.id());
            if (marker != null) {
                out.add("    ---- " + marker + " ----");
                out.add(pointOfNoReturn.gated() ? "    ---- go/no-go before it: a typed confirmation ----"
                        : "    ---- not gated (computed): declare pointOfNoReturn: " + s.id() + " to ask a go/no-go before it ----");
            }
            // Not String.format: its first number loads the locale's number symbols (~10 ms at start-up).
            out.add((n < 10 ? " " : "") + n++ + ". " + s.id() + "  " + s.title() + "  [" + s.uses() + "]");
            for (String a : s.actions()) out.add("      " + a);
            int c = 1;
            for (Planner.CheckPlan check : s.checks()) {
                out.add("      check " + c++ + ": " + check.description() + " -> " + check.status()
                        + (check.observed() != null ? " (" + check.observed() + ")" : "")
                        + (check.status() == Planner.CheckStatus.FAIL && n > 2 ? "; an earlier step may make it hold" : ""));
                if (check.action() != null) for (String l : check.action().lines()) out.add("        " + l);
            }
            if (s.confirm() != null) out.add("      confirm: " + s.confirm().text());
            for (String condition : s.conditions()) out.add("      " + condition);
            if (!s.outputs().isEmpty()) out.add("      outputs: " + String.join(", ", s.outputs()));
            if (s.rollback() == null) out.add("      rollback: none");
            else out.addAll(s.rollback().lines("      rollback: ", "        "));
        }
        out.add("");
        out.add("Rollback plan (last step first):");
        if (plan.rollback().isEmpty()) out.add("  (nothing to run)");
        for (Planner.RollbackAction r : plan.rollback()) {
            out.addAll(r.lines("  " + (r.subject().equals("runbook") ? "runbook rollback: " : "undo " + r.subject() + ": "), "      "));
        }
        if (!plan.withoutRollback().isEmpty()) out.add("  no rollback: " + String.join(", ", plan.withoutRollback()));
        out.add("");
        out.addAll(summary(pointOfNoReturn));
        out.add("");
        return out;
    }

    /** Where the point of no return is, what can still be undone before it, and any disagreement with the runbook's own. */
    public static List<String> summary(PointOfNoReturn pointOfNoReturn) {
        List<String> out = new ArrayList<>();
        if (pointOfNoReturn.step() == null) {
            out.add("Point of no return: none (every step leaves nothing to undo or can be undone)");
        } else {
            List<String> undoable = pointOfNoReturn.undoableBefore().stream().map(PointOfNoReturn.StepEffect::step).toList();
            out.add("Point of no return: " + pointOfNoReturn.step() + " (" + pointOfNoReturn.why() + "); before it "
                    + (undoable.isEmpty() ? "no step can be undone" : undoable.size() + " can be undone: " + String.join(", ", undoable)));
        }
        String disagreement = pointOfNoReturn.disagreement();
        if (disagreement != null) out.add(disagreement);
        return out;
    }

    /**
     * How long the steps took in earlier runs at the same place (median, p90), the downtime the runbook marks
     * against its window, and the whole run; or that no earlier run says.
     */
    public static List<String> expected(dev.lockstep.runbook.Runbook rb, History history) {
        List<String> out = new ArrayList<>();
        List<String> ids = rb.steps().stream().map(dev.lockstep.runbook.StepDef::id).toList();
        if (history.runs().isEmpty()) {
            out.add("Expected durations: none (" + history.source() + ")");
            return out;
        }
        out.add("Expected durations, median (p90), " + history.source() + ":");
        int width = ids.stream().mapToInt(String::length).max().orElse(0);
        for (String id : ids) {
            History.Figures f = history.step(id);
            out.add("  " + id + " ".repeat(width - id.length() + 2)
                    + (f == null ? "never done there" : took(f.median(), f.p90()) + (f.runs() < history.runs().size()
                    ? "  (" + f.runs() + " of the runs)" : "")));
        }
        if (rb.downtime() != null) {
            History.Expected d = DowntimeClock.planned(rb.steps(), rb.downtime(), history);
            String window = rb.downtime().window() == null ? "" : " of a " + dev.lockstep.spi.Durations.format(rb.downtime().window())
                    + " window" + (d.known() && d.p90().compareTo(rb.downtime().window()) > 0 ? ": THE P90 DOES NOT FIT" : "");
            out.add("  downtime (" + rb.downtime().from() + " to " + rb.downtime().to() + "): "
                    + (d.known() ? took(d.median(), d.p90()) : "no estimate: " + String.join(", ", d.unknown()) + " never done there")
                    + window);
        }
        History.Expected all = history.expected(ids);
        out.add("  whole run: " + (all.known() ? took(all.median(), all.p90()) : "no estimate: " + String.join(", ", all.unknown())
                + " never done there"));
        return out;
    }

    private static String took(java.time.Duration median, java.time.Duration p90) {
        return dev.lockstep.spi.Durations.format(median) + " (" + dev.lockstep.spi.Durations.format(p90) + ")";
    }
}
