package dev.lockstep.cli;

import dev.lockstep.engine.PointOfNoReturn;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.RunTiming;
import dev.lockstep.journal.StateDir;
import dev.lockstep.report.MarkdownReport;
import dev.lockstep.report.TimelinePicture;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
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
        PointOfNoReturn pointOfNoReturn = RunPointOfNoReturn.of(cli, snapshot);
        RunTiming timing = RunPointOfNoReturn.timing(cli, snapshot, runs);
        if (toStdout) {
            cli.out.print(MarkdownReport.render(snapshot, runs.displayed(snapshot), pointOfNoReturn, timing, null));
            return 0;
        }
        Path file = out != null ? out : runs.store().defaultReport(runId);
        // The picture beside the report, named after it, so that a viewer of the Markdown shows it.
        String base = file.getFileName().toString().replaceFirst("\\.md$", "");
        Path picture = file.resolveSibling(base + ".svg");
        String svg = TimelinePicture.svg(snapshot, pointOfNoReturn, timing == null ? null : timing.downtime());
        try {
            if (svg != null) StateDir.writePrivate(picture, svg);
            StateDir.writePrivate(file, MarkdownReport.render(snapshot, runs.displayed(snapshot), pointOfNoReturn, timing,
                    svg == null ? null : picture.getFileName().toString()));
        } catch (IOException e) {
            throw new LockstepException(ErrorCode.IO, "cannot write report " + file + ": " + e.getMessage());
        }
        cli.out.println("report written to " + file + (svg != null ? " (its timeline: " + picture + ")" : ""));
        return 0;
    }
}
