package dev.lockstep.cli;

import dev.lockstep.engine.Engine;
import dev.lockstep.engine.Run;
import dev.lockstep.engine.StepState;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class ResumeCommand implements Callable<Integer> {
    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "resume", "Continue an unfinished run where it stopped (default: the latest one).");

    final ReopenOptions target;
    final OperatorOptions operator;
    final CiOptions ci;
    final NotifyOptions notify;
    Set<String> retry = new LinkedHashSet<>();
    Map<String, String> override = new LinkedHashMap<>();
    Set<String> skip = new LinkedHashSet<>();
    String reason;
    final TargetOptions where;

    ResumeCommand(Cli cli) {
        HelpSections.examples(spec,
                "lockstep resume",
                "lockstep resume demo --retry verify",
                "lockstep resume demo --skip copy --reason 'copied by hand'",
                "lockstep resume demo --no-tui --rerun switch");
        this.cli = cli;
        target = new ReopenOptions(spec);
        operator = new OperatorOptions(spec);
        ci = new CiOptions(spec);
        notify = new NotifyOptions(spec);
        CommandModel.option(spec, "--retry").label("STEP").description("Retry a failed or halted step.")
                .bindSet(() -> retry, v -> retry = v);
        CommandModel.option(spec, "--override").label("STEP=STEP").description("Accept a halted step; type its id as the value.")
                .bindPairs(() -> override, v -> override = v);
        CommandModel.option(spec, "--skip").label("STEP").description("Skip a pending, failed or in-doubt step (needs --reason).")
                .bindSet(() -> skip, v -> skip = v);
        CommandModel.option(spec, "--reason").label("TEXT").description("Why steps are skipped (recorded).")
                .bind(String.class, () -> reason, v -> reason = v);
        where = new TargetOptions(spec, cli);
    }

    @Override
    public Integer call() {
        if (!skip.isEmpty() && (reason == null || reason.isBlank())) {
            throw new LockstepException(ErrorCode.USAGE, "--skip needs --reason TEXT (it is recorded)");
        }
        Frontend frontend = Frontend.choose(cli, operator, skip, ci, notify);
        ReopenOptions.Reopened reopened = target.open(cli, "lockstep resume", false, frontend.listener(), where, rb -> {
            operator.requireSteps(rb);
            OperatorOptions.requireSteps(rb, "--retry", retry);
            OperatorOptions.requireSteps(rb, "--override", override.keySet());
            OperatorOptions.requireSteps(rb, "--skip", skip);
        });
        Run run = reopened.run();
        Engine engine = new Engine(run, cli.types(), frontend.operator(), reopened.targets());
        try {
            retry.forEach(engine::retry);
            override.forEach(engine::override);
            for (String s : skip) {
                if (run.snapshot().step(s) != null && run.snapshot().step(s).state() != StepState.IN_DOUBT) {
                    engine.skip(s, reason);
                }
            }
        } catch (RuntimeException e) {
            run.close();
            throw e;
        }
        return frontend.drive(engine, Engine::forward);
    }
}
