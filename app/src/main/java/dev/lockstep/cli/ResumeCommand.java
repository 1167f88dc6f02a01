package dev.lockstep.cli;

import dev.lockstep.engine.Engine;
import dev.lockstep.engine.Run;
import dev.lockstep.engine.StepState;
import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "resume", description = "Continue an unfinished run where it stopped (default: the latest one).")
final class ResumeCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Mixin
    ReopenOptions target;

    @Mixin
    OperatorOptions operator;

    @Mixin(name = "where")
    TargetOptions where;

    @Mixin
    CiOptions ci;

    @Option(names = "--retry", paramLabel = "STEP", description = "Retry a failed or halted step.")
    Set<String> retry = new LinkedHashSet<>();

    @Option(names = "--override", paramLabel = "STEP=STEP", description = "Accept a halted step; type its id as the value.")
    Map<String, String> override = new LinkedHashMap<>();

    @Option(names = "--skip", paramLabel = "STEP", description = "Skip a pending, failed or in-doubt step (needs --reason).")
    Set<String> skip = new LinkedHashSet<>();

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why steps are skipped (recorded).")
    String reason;

    @Override
    public Integer call() {
        Cli cli = root.cli;
        if (!skip.isEmpty() && (reason == null || reason.isBlank())) {
            throw new LockstepException(ErrorCode.USAGE, "--skip needs --reason TEXT (it is recorded)");
        }
        Frontend frontend = Frontend.choose(cli, operator, skip, ci);
        ReopenOptions.Reopened reopened = target.open(cli, "lockstep resume", false, frontend.listener(), where, rb -> {
            operator.requireSteps(rb);
            OperatorOptions.requireSteps(rb, "--retry", retry);
            OperatorOptions.requireSteps(rb, "--override", override.keySet());
            OperatorOptions.requireSteps(rb, "--skip", skip);
        });
        Run run = reopened.run();
        Engine engine = new Engine(run, cli.types(), cli.loader(), frontend.operator(), reopened.targets());
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
