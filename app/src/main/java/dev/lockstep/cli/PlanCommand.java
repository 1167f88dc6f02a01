package dev.lockstep.cli;

import dev.lockstep.engine.Planner;
import dev.lockstep.error.ErrorCode;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "plan", description = "Dry-run: every step resolved, read-only checks run, the rollback plan. Changes nothing, records nothing.")
final class PlanCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Parameters(index = "0", paramLabel = "RUNBOOK")
    Path runbook;

    @Mixin
    ParamOptions params;

    @Mixin(name = "where")
    TargetOptions where;

    @Override
    public Integer call() {
        Cli cli = root.cli;
        Runbook rb = cli.loader().load(runbook);
        Params p = params.resolve(rb, cli);
        Planner.Plan plan = new Planner(cli.types(), cli.loader()).plan(rb, p, where.verified(cli, rb));
        PrintStream out = cli.out;
        out.println("Plan: " + rb.displayTitle() + "  (" + rb.file() + ")");
        if (!p.values().isEmpty()) {
            StringBuilder b = new StringBuilder("Parameters:");
            for (Map.Entry<String, Object> e : p.redacted().entrySet()) b.append(' ').append(e.getKey()).append('=').append(e.getValue());
            out.println(b);
        }
        int n = 1;
        for (Planner.StepPlan s : plan.steps()) {
            out.println();
            out.println(String.format("%2d. %s  %s  [%s]", n++, s.id(), s.title(), s.uses()));
            for (String a : s.actions()) out.println("      " + a);
            int c = 1;
            for (Planner.CheckPlan check : s.checks()) {
                out.println("      check " + c++ + ": " + check.description() + " -> " + check.status()
                        + (check.observed() != null ? " (" + check.observed() + ")" : "")
                        + (check.status() == Planner.CheckStatus.FAIL && n > 2 ? "; an earlier step may make it hold" : ""));
            }
            if (s.confirm() != null) out.println("      confirm: " + s.confirm());
            if (!s.outputs().isEmpty()) out.println("      outputs: " + String.join(", ", s.outputs()));
            out.println("      rollback: " + (s.rollback() != null ? s.rollback() : "none"));
        }
        out.println();
        out.println("Rollback plan (last step first):");
        if (plan.rollback().isEmpty()) out.println("  (nothing to run)");
        for (String r : plan.rollback()) out.println("  " + r);
        if (!plan.withoutRollback().isEmpty()) out.println("  no rollback: " + String.join(", ", plan.withoutRollback()));
        out.println();
        out.println("Dry run: nothing was changed and no run was recorded.");
        if (!plan.wouldHalt().isEmpty()) {
            Planner.StepPlan s = plan.wouldHalt().get(0);
            ErrorHandler.print(cli.err, ErrorCode.HALTED, "step " + s.id() + " would halt: " + s.halt());
            return ErrorCode.HALTED.exitCode();
        }
        if (plan.failedFirstChecks() > 0) {
            ErrorHandler.print(cli.err, ErrorCode.PRECONDITION_NOT_MET, "the first step's preconditions do not hold now ("
                    + plan.failedFirstChecks() + " check(s) fail)");
            return ErrorCode.PRECONDITION_NOT_MET.exitCode();
        }
        return 0;
    }
}
