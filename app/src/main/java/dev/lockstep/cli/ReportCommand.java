package dev.lockstep.cli;

import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.report.MarkdownReport;
import java.io.IOException;
import dev.lockstep.journal.StateDir;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "report", description = "Write a Markdown report of a run: steps, timings, outputs, halts, overrides, who ran it.")
final class ReportCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;

    @Mixin
    StateOptions state;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write it; - for standard output (default: report.md in the run's folder).")
    String output;

    @Override
    public Integer call() {
        var runs = state.runs(root.cli);
        String text = MarkdownReport.render(runs.read(runId));
        if ("-".equals(output)) {
            root.cli.out.print(text);
            return 0;
        }
        Path file = output != null ? Path.of(output) : runs.store().defaultReport(runId);
        try {
            StateDir.writePrivate(file, text);
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot write report " + file + ": " + e.getMessage());
        }
        root.cli.out.println("report written to " + file);
        return 0;
    }
}
