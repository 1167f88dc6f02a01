package dev.lockstep.cli;

import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.error.ErrorCode;
import dev.lockstep.error.LockstepException;
import dev.lockstep.journal.StateDir;
import dev.lockstep.report.MarkdownReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class ReportCommand implements Callable<Integer> {
    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "report",
            "Write a Markdown report of a run: steps, timings, outputs, halts, overrides, who ran it.");

    String runId;
    final StateOptions state;
    Path out;
    /** The old spelling of --out: --output names a format in every other command, so it is refused here, not guessed. */
    String oldOutput;

    ReportCommand(Cli cli) {
        HelpSections.examples(spec, "lockstep report", "lockstep report demo -o cutover-report.md", "lockstep report demo -o -");
        this.cli = cli;
        CommandModel.positional(spec, "0", "RUN_ID").arity("0..1").description(RunIds.LATEST)
                .bind(String.class, () -> runId, v -> runId = v);
        state = new StateOptions(spec);
        CommandModel.option(spec, "-o", "--out").label("FILE")
                .description("Where to write it; - for standard output (default: report.md in the run's folder).")
                .bind(Path.class, () -> out, v -> out = v);
        CommandModel.option(spec, "--output").label("FILE").hidden()
                .bind(String.class, () -> oldOutput, v -> oldOutput = v);
    }

    @Override
    public Integer call() {
        if (oldOutput != null) {
            throw new LockstepException(ErrorCode.USAGE, "report --output " + oldOutput
                    + ": the report's file is named with -o/--out FILE (-o - for standard output); --output is a format elsewhere");
        }
        boolean toStdout = out != null && out.toString().equals("-");
        if (out != null && !toStdout) Folders.requireOutputFile(out, "--out");
        var runs = state.runs(cli);
        String runId = RunIds.orLatest(runs, this.runId);
        RunSnapshot snapshot = runs.read(runId);
        String text = MarkdownReport.render(snapshot, runs.displayed(snapshot), RunPointOfNoReturn.of(cli, snapshot),
                RunPointOfNoReturn.timing(cli, snapshot, runs));
        if (toStdout) {
            cli.out.print(text);
            return 0;
        }
        Path file = out != null ? out : runs.store().defaultReport(runId);
        try {
            StateDir.writePrivate(file, text);
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot write report " + file + ": " + e.getMessage());
        }
        cli.out.println("report written to " + file);
        return 0;
    }
}
