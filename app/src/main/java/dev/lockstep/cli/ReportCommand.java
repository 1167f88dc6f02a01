package dev.lockstep.cli;

import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.report.MarkdownReport;
import java.io.IOException;
import dev.lockstep.journal.StateDir;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class ReportCommand implements Callable<Integer> {
    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "report",
            "Write a Markdown report of a run: steps, timings, outputs, halts, overrides, who ran it.");

    String runId;
    final StateOptions state;
    String output;

    ReportCommand(Cli cli) {
        this.cli = cli;
        CommandModel.positional(spec, "0", "RUN_ID").bind(String.class, () -> runId, v -> runId = v);
        state = new StateOptions(spec);
        CommandModel.option(spec, "-o", "--output").label("FILE")
                .description("Where to write it; - for standard output (default: report.md in the run's folder).")
                .bind(String.class, () -> output, v -> output = v);
    }

    @Override
    public Integer call() {
        if (output != null && !"-".equals(output)) Folders.requireOutputFile(Path.of(output), "--output");
        var runs = state.runs(cli);
        RunSnapshot snapshot = runs.read(runId);
        String text = MarkdownReport.render(snapshot, runs.displayed(snapshot));
        if ("-".equals(output)) {
            cli.out.print(text);
            return 0;
        }
        Path file = output != null ? Path.of(output) : runs.store().defaultReport(runId);
        try {
            StateDir.writePrivate(file, text);
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot write report " + file + ": " + e.getMessage());
        }
        cli.out.println("report written to " + file);
        return 0;
    }
}
