package dev.lockstep.cli;

import dev.lockstep.error.ErrorCode;
import dev.lockstep.runbook.InvalidRunbookException;
import dev.lockstep.runbook.Problem;
import dev.lockstep.runbook.Runbook;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "validate", description = "Check runbooks and report every problem as file:line:col. With -p or --params-file, check the parameters too.")
final class ValidateCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<Path> files;

    @Mixin
    ParamOptions params;

    @Override
    public Integer call() {
        Cli cli = root.cli;
        int problems = 0;
        for (Path f : files) {
            try {
                Runbook rb = cli.loader().load(f);
                if (!params.params.isEmpty() || params.paramsFile != null) params.resolve(rb, cli);
                cli.out.println("ok " + f + " (" + rb.steps().size() + " steps)");
            } catch (InvalidRunbookException e) {
                for (Problem p : e.problems()) cli.err.println(p);
                problems += e.problems().size();
            }
        }
        if (problems == 0) return 0;
        cli.err.println("lockstep: " + problems + " problem" + (problems == 1 ? "" : "s") + " found (" + ErrorCode.INVALID_RUNBOOK.name() + ")");
        return ErrorCode.INVALID_RUNBOOK.exitCode();
    }
}
