package dev.lockstep.cli;

import dev.lockstep.engine.History;
import dev.lockstep.engine.PlanFile;
import dev.lockstep.engine.PlanText;
import dev.lockstep.engine.Planner;
import dev.lockstep.engine.SavedPlan;
import dev.lockstep.engine.ShellWords;
import dev.lockstep.engine.Targets;
import dev.lockstep.runbook.Params;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.MachineText;
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
    final StateOptions state;

    PlanCommand(Cli cli) {
        HelpSections.examples(spec,
                "lockstep plan runbooks/demo.yaml",
                "lockstep plan runbooks/demo.yaml -p rows=1000 -p corrupt=true",
                "lockstep plan runbooks/demo.yaml --output json");
        this.cli = cli;
        CommandModel.positional(spec, "0", "RUNBOOK").bind(Path.class, () -> runbook, v -> runbook = v);
        params = new ParamOptions(spec);
        output = new OutputOptions(spec);
        CommandModel.option(spec, "-o", "--out").label("FILE")
                .description("Save the plan for lockstep run RUNBOOK --plan FILE, which runs it once and refuses any difference; its digest "
                        + "(and the secrets' digests, never in the file) are kept in the state store.")
                .bind(Path.class, () -> out, v -> out = v);
        where = new TargetOptions(spec, cli);
        state = new StateOptions(spec);
    }

    @Override
    public Integer call() {
        if (out != null) Folders.requireOutputFile(out, "--out");
        Runbook rb = cli.loader().load(runbook);
        Params p = params.resolve(rb, cli);
        Targets targets = where.verified(cli, rb);
        Planner.Plan plan = new Planner(cli.types()).plan(rb, p, targets);
        // Only a printed or saved document is built: the text plan is made from the plan itself.
        SavedPlan document = output.json() || out != null ? SavedPlan.of(rb, p, targets, plan, Cli.version()) : null;
        if (output.json()) {
            cli.out.println(document.json());
        } else {
            // One write: println on standard output flushes, a write per line of a long plan.
            StringWriter text = new StringWriter();
            History history = History.of(state.runs(cli).all(), rb.name(), where.place(targets), null);
            print(new PrintWriter(text), rb, p, plan, history);
            cli.out.print(text);
            cli.out.flush();
        }
        // The text plan ends with it; a script reading the JSON document is told on standard error.
        String disagreement = plan.pointOfNoReturn().disagreement();
        if (output.json() && disagreement != null) cli.err.println(disagreement);
        if (out != null) {
            String id = PlanFile.save(out, document, p, state.store(cli));
            (output.json() ? cli.err : cli.out).println("plan " + id + " saved to " + out + " (its digest is kept in "
                    + state.store(cli).describe() + "): " + cli.hint("lockstep run " + ShellWords.quote(runbook.toString()) + " --plan "
                    + ShellWords.quote(out.toString())) + " runs exactly this, once, and refuses if anything differs");
        }
        if (!plan.wouldFail().isEmpty()) {
            Planner.StepPlan s = plan.wouldFail().get(0);
            ErrorHandler.print(cli.err, ErrorCode.WOULD_FAIL, "step " + s.id() + " would fail: " + s.verdict().reason());
            return ErrorCode.WOULD_FAIL.exitCode();
        }
        if (!plan.wouldHalt().isEmpty()) {
            Planner.StepPlan s = plan.wouldHalt().get(0);
            ErrorHandler.print(cli.err, ErrorCode.HALTED, "step " + s.id() + " would halt: " + s.verdict().reason());
            return ErrorCode.HALTED.exitCode();
        }
        if (plan.failedFirstChecks() > 0) {
            ErrorHandler.print(cli.err, ErrorCode.PRECONDITION_NOT_MET, "the first step's preconditions do not hold now ("
                    + plan.failedFirstChecks() + " check(s) fail)");
            return ErrorCode.PRECONDITION_NOT_MET.exitCode();
        }
        return 0;
    }

    /** Every line one line, whatever a title, a value or a script holds (MachineText.field). */
    private static void print(PrintWriter out, Runbook rb, Params p, Planner.Plan plan, History history) {
        out.println("Plan: " + MachineText.field(rb.displayTitle()) + "  (" + MachineText.field(rb.file()) + ")");
        if (!p.values().isEmpty()) {
            StringBuilder b = new StringBuilder("Parameters:");
            for (Map.Entry<String, Object> e : p.redacted().entrySet()) b.append(' ').append(e.getKey()).append('=').append(MachineText.field(e.getValue()));
            out.println(b);
        }
        PlanText.lines(plan).forEach(l -> out.println(MachineText.field(l)));
        PlanText.expected(rb, history).forEach(l -> out.println(MachineText.field(l)));
        out.println("Dry run: nothing was changed and no run was recorded.");
        out.println(plan.summary());
    }
}
