package dev.lockstep.cli;

import dev.lockstep.engine.DisplayedState;
import dev.lockstep.engine.PointOfNoReturn;
import dev.lockstep.engine.Run;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.StepState;
import dev.lockstep.journal.StateDir;
import dev.lockstep.report.JUnitReport;
import dev.lockstep.report.MarkdownReport;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.LockstepException;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;

/** What a run leaves for CI when it ends: a JUnit XML file, and under GitHub Actions annotations and the job summary. */
final class CiOptions {
    Path junit;

    CiOptions(CommandSpec command) {
        CommandModel.option(command, "--junit").label("FILE")
                .description("Write a JUnit XML report when the command ends (a step is a test case), for CI systems; "
                        + "its folder is made if missing.")
                .bind(Path.class, () -> junit, v -> junit = v);
    }

    /** Written however the run ended; every text in it is masked. */
    void report(Cli cli, Run run) {
        RunSnapshot s;
        synchronized (run) {
            s = run.snapshot();
        }
        if (junit != null) {
            try {
                StateDir.writePrivate(junit, JUnitReport.render(run.runbook(), s, run.redactor()));
            } catch (IOException e) {
                throw new LockstepException(ErrorCode.IO, "cannot write the JUnit report " + junit + ": " + e.getMessage());
            }
        }
        GithubActions github = cli.github;
        if (github == null) return;
        for (StepDef def : run.runbook().steps()) {
            RunSnapshot.StepRecord r = s.step(def.id());
            if (r == null) continue;
            if (r.state() == StepState.FAILED || r.state() == StepState.HALTED || r.state() == StepState.ROLLBACK_FAILED) {
                github.error(def.position(), "lockstep: step " + def.id() + " " + r.state().label(),
                        run.redactor().redact("step " + def.id() + " (" + def.displayTitle() + ") " + r.state().label()
                                + (r.reason() != null ? ": " + r.reason() : "")
                                + (r.evidence() != null ? "\nevidence: " + r.evidence() : "")));
            }
        }
        // Written as the driver lets the run go: its state is the one nobody drives.
        github.appendSummary(run.redactor().redact(MarkdownReport.summary(s, DisplayedState.of(s, false),
                PointOfNoReturn.of(run.runbook(), cli.types()))),
                "lockstep report " + run.id() + " writes it whole");
    }
}
