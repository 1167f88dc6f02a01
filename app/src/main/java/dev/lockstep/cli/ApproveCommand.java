package dev.lockstep.cli;

import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.Runs;
import dev.lockstep.engine.StepState;
import dev.lockstep.journal.EventData;
import dev.lockstep.journal.Identity;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.MachineText;
import dev.lockstep.store.ApprovalRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code lockstep approve RUN STEP} and {@code lockstep reject RUN STEP --reason TEXT}: from another terminal
 * or machine, shows the plan a step's approval gate waits with, asks for the step id typed, and records the
 * verdict in the store beside the run (never in its journal: only the driver writes that, and journals it).
 */
final class ApproveCommand implements Callable<Integer> {
    private final Cli cli;
    private final boolean approves;
    final CommandSpec spec;

    String runId;
    String stepId;
    String typed;
    String reason;
    final StateOptions state;

    ApproveCommand(Cli cli, boolean approves) {
        this.cli = cli;
        this.approves = approves;
        spec = approves
                ? CommandModel.command(this, "approve", "Approve the plan a step waits with at its approval gate, as yourself "
                        + "(the database role on a shared store, the OS user on a folder); type the step id to confirm.")
                : CommandModel.command(this, "reject", "Reject the plan a step waits with at its approval gate: the step halts, "
                        + "with your reason on the driver's screen and in the report; type the step id to confirm.");
        if (approves) {
            HelpSections.examples(spec, "lockstep approve demo-20260101-120000 switch",
                    "lockstep approve demo-20260101 switch --state postgres://alice@db/lockstep");
        } else {
            HelpSections.examples(spec, "lockstep reject demo-20260101-120000 switch --reason \"not during the sale\"",
                    "lockstep reject demo-1 switch --state postgres://bob@db/lockstep --reason late");
        }
        CommandModel.positional(spec, "0", "RUN_ID").description("A run id or a unique start of one.")
                .bind(String.class, () -> runId, v -> runId = v);
        CommandModel.positional(spec, "1", "STEP").description("The step whose approval gate the run waits at.")
                .bind(String.class, () -> stepId, v -> stepId = v);
        CommandModel.option(spec, "--confirm").label("STEP").description("The step id, typed ahead instead of at the prompt.")
                .bind(String.class, () -> typed, v -> typed = v);
        if (!approves) {
            CommandModel.option(spec, "--reason").label("TEXT").required()
                    .description("Why: shown on the driver's screen and in the report.")
                    .bind(String.class, () -> reason, v -> reason = v);
        }
        state = new StateOptions(spec);
    }

    @Override
    public Integer call() {
        Runs runs = state.runs(cli);
        String id = RunIds.resolve(runs.store(), runId);
        EventData.Awaiting gate = awaitedGate(runs.read(id), id);
        String who = runs.store().approverIdentity();
        StepDef.Approve rule = new StepDef.Approve(gate.count(), gate.from(), Boolean.TRUE.equals(gate.notDriver()), gate.message());
        String refusal = rule.refusal(who, approves ? gate.driver() : null);
        if (refusal != null) throw new LockstepException(ErrorCode.NOT_APPROVED, refusal);
        String verb = approves ? "approve" : "reject";
        if (approves && runs.store().approvals(id, stepId).stream().anyMatch(a -> a.approves() && a.by().equals(who)
                && a.digest().equals(gate.digest()))) {
            cli.out.println("You (" + who + ") approved this plan of step " + stepId + " already; nothing more recorded.");
            return 0;
        }
        cli.out.println("Run " + id + ", step " + stepId + " awaits " + gate.count() + " approval" + (gate.count() == 1 ? "" : "s")
                + (gate.from().isEmpty() ? "" : " from " + String.join(" or ", gate.from())) + "; you are " + who + ".");
        if (gate.message() != null) cli.out.println(MachineText.field(gate.message()));
        cli.out.println("What you " + verb + " (plan " + gate.digest().substring(0, 12) + "):");
        for (String line : gate.plan()) cli.out.println("  " + MachineText.field(line));
        String answer = typed != null ? typed : ask("Type " + stepId + " to " + verb + " it: ");
        if (!stepId.equals(answer)) {
            throw new LockstepException(ErrorCode.USAGE, "nothing recorded: to " + verb + " step " + stepId + ", type its id exactly"
                    + " (--confirm " + stepId + ")");
        }
        // The plan may have changed while it was read: what is recorded is of the plan shown, and only if it is still the one awaited.
        EventData.Awaiting now = awaitedGate(runs.read(id), id);
        if (!now.digest().equals(gate.digest())) {
            throw new LockstepException(ErrorCode.NOT_APPROVED, "nothing recorded: the plan of step " + stepId
                    + " changed while you read it; run lockstep " + verb + " again to see the new one");
        }
        ApprovalRecord done = runs.store().recordApproval(id, stepId, approves, gate.digest(), Identity.host(), reason);
        cli.out.println((approves ? "Approved" : "Rejected") + " step " + stepId + " of run " + id + " as " + done.by()
                + " (plan " + done.digest().substring(0, 12) + "); the driver records it when it next looks.");
        return 0;
    }

    /** The approval gate the step waits at, or a refusal saying why there is none to answer. */
    private EventData.Awaiting awaitedGate(RunSnapshot snapshot, String id) {
        RunSnapshot.StepRecord r = snapshot.step(stepId);
        if (r == null) throw new LockstepException(ErrorCode.NOT_FOUND, "run " + id + " has no step " + stepId);
        EventData.Awaiting gate = r.approvalGate();
        if (gate == null || !(r.state() == StepState.PENDING || r.state() == StepState.CHECKING)) {
            throw new LockstepException(ErrorCode.NOT_APPROVED, "step " + stepId + " of run " + id + " is not awaiting approval"
                    + " (it is " + r.state().label() + ")");
        }
        return gate;
    }

    private String ask(String prompt) {
        cli.out.print(prompt);
        cli.out.flush();
        try {
            String line = new BufferedReader(new InputStreamReader(cli.in, StandardCharsets.UTF_8)).readLine();
            return line == null ? null : line.strip();
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot read the answer: " + e.getMessage());
        }
    }
}
