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
        for (Planner.StepPlan s : plan.steps()) {
            out.add("");
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
        return out;
    }
}
