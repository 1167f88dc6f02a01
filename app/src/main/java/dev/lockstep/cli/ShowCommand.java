package dev.lockstep.cli;

import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.journal.Event;
import dev.lockstep.runbook.Durations;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "show", description = "Print a run's steps and its timeline.")
final class ShowCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;

    @Mixin
    StateOptions state;

    @Override
    public Integer call() {
        var runs = state.runs(root.cli);
        RunSnapshot s = runs.read(runId);
        PrintStream out = root.cli.out;
        runs.warnings(runId).forEach(w -> root.cli.err.println("warning: " + w));
        out.println("Run " + s.runId() + ": " + s.start().title() + " — " + s.status().label());
        out.println("Runbook " + s.runbookPath() + " (sha256 " + s.start().checksum() + ")");
        out.println("Started " + RunsCommand.WHEN.format(s.startedAt()) + " by " + s.start().by());
        runs.store().movedTo(runId).ifPresent(to -> out.println("Handed over to " + to + "; it continues there"));
        out.println();
        out.println("Steps:");
        for (RunSnapshot.StepRecord r : s.steps().values()) {
            out.printf("  %-24s %-16s %8s%s%n", r.id(), r.state().label(),
                    r.duration() == null ? "" : Durations.format(r.duration()),
                    r.reason() != null ? "  " + r.reason() : "");
        }
        out.println();
        out.println("Timeline:");
        for (Event e : s.events()) {
            out.printf("  %s  %-24s %-12s %s%n", RunsCommand.WHEN.format(e.time()), e.type().name().toLowerCase(),
                    e.step() == null ? "" : e.step(), brief(e.fields()));
        }
        return 0;
    }

    private static String brief(Map<String, Object> data) {
        StringBuilder b = new StringBuilder();
        data.forEach((k, v) -> {
            if (k.equals("definitions") || k.equals("plan") || k.equals("steps")) return;
            String text = String.valueOf(v);
            b.append(k).append('=').append(text.length() > 80 ? text.substring(0, 77) + "..." : text).append(' ');
        });
        return b.toString().trim();
    }
}
