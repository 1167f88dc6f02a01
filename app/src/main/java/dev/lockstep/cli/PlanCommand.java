package dev.lockstep.cli;

import dev.lockstep.context.Targets;
import dev.lockstep.engine.Planner;
import dev.lockstep.engine.SavedPlan;
import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.journal.StateDir;
import dev.lockstep.json.Json;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class PlanCommand implements Callable<Integer> {
    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "plan", "Dry-run: every step resolved, read-only checks run, the "
            + "rollback plan. Changes nothing, records nothing (--out saves what was reviewed, for lockstep run --plan).");

    Path runbook;
    final ParamOptions params;
    final OutputOptions output;
    Path out;
    final TargetOptions where;

    PlanCommand(Cli cli) {
        this.cli = cli;
        CommandModel.positional(spec, "0", "RUNBOOK").bind(Path.class, () -> runbook, v -> runbook = v);
        params = new ParamOptions(spec);
        output = new OutputOptions(spec);
        CommandModel.option(spec, "--out").label("FILE")
                .description("Save the plan (secrets only as digests) for lockstep run --plan FILE, which refuses any difference.")
                .bind(Path.class, () -> out, v -> out = v);
        where = new TargetOptions(spec, cli);
    }

    @Override
    public Integer call() {
        Runbook rb = cli.loader().load(runbook);
        Params p = params.resolve(rb, cli);
        Targets targets = where.verified(cli, rb);
        Planner.Plan plan = new Planner(cli.types(), cli.loader()).plan(rb, p, targets);
        // Only a saved or printed document needs digests (and the security providers they load).
        SavedPlan saved = output.json() || out != null ? SavedPlan.of(rb, p, targets, plan, Cli.version()) : null;
        if (output.json()) {
            cli.out.println(Json.pretty(saved.document()));
        } else {
            // One write: println on standard output flushes, a write per line of a long plan.
            StringWriter text = new StringWriter();
            print(new PrintWriter(text), rb, p, plan);
            cli.out.print(text);
            cli.out.flush();
        }
        if (out != null) {
            try {
                StateDir.writePrivate(out.toAbsolutePath(), Json.pretty(saved.document()) + "\n");
            } catch (IOException e) {
                throw new LockstepException(ErrorCode.IO, "cannot write the plan to " + out + ": " + e.getMessage());
            }
            (output.json() ? cli.err : cli.out).println("plan saved to " + out + ": lockstep run --plan " + out
                    + " runs exactly this, and refuses if anything differs");
        }
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

    private static void print(PrintWriter out, Runbook rb, Params p, Planner.Plan plan) {
        out.println("Plan: " + rb.displayTitle() + "  (" + rb.file() + ")");
        if (!p.values().isEmpty()) {
            StringBuilder b = new StringBuilder("Parameters:");
            for (Map.Entry<String, Object> e : p.redacted().entrySet()) b.append(' ').append(e.getKey()).append('=').append(e.getValue());
            out.println(b);
        }
        int n = 1;
        for (Planner.StepPlan s : plan.steps()) {
            out.println();
            // Not String.format: its first number loads the locale's number symbols (~10 ms at start-up).
            out.println((n < 10 ? " " : "") + n++ + ". " + s.id() + "  " + s.title() + "  [" + s.uses() + "]");
            for (String a : s.actions()) out.println("      " + a);
            int c = 1;
            for (Planner.CheckPlan check : s.checks()) {
                out.println("      check " + c++ + ": " + check.description() + " -> " + check.status()
                        + (check.observed() != null ? " (" + check.observed() + ")" : "")
                        + (check.status() == Planner.CheckStatus.FAIL && n > 2 ? "; an earlier step may make it hold" : ""));
            }
            if (s.confirm() != null) out.println("      confirm: " + s.confirm());
            if (!s.outputs().isEmpty()) out.println("      outputs: " + String.join(", ", s.outputs()));
            if (s.rollback() == null) out.println("      rollback: none");
            else s.rollback().lines("      rollback: ", "        ").forEach(out::println);
        }
        out.println();
        out.println("Rollback plan (last step first):");
        if (plan.rollback().isEmpty()) out.println("  (nothing to run)");
        for (Planner.RollbackAction r : plan.rollback()) {
            r.lines("  " + (r.subject().equals("runbook") ? "runbook rollback: " : "undo " + r.subject() + ": "), "      ")
                    .forEach(out::println);
        }
        if (!plan.withoutRollback().isEmpty()) out.println("  no rollback: " + String.join(", ", plan.withoutRollback()));
        out.println();
        out.println("Dry run: nothing was changed and no run was recorded.");
    }
}
