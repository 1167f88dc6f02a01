package dev.lockstep.cli;

import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.Runs;
import dev.lockstep.engine.StepState;
import dev.lockstep.journal.Event;
import dev.lockstep.store.LockHolder;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

@Command(name = "runs", description = "List runs and where each stands.")
final class RunsCommand implements Callable<Integer> {
    static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @ParentCommand
    RootCommand root;

    @Mixin
    StateOptions state;

    @Override
    public Integer call() {
        Runs store = state.runs(root.cli);
        List<Runs.Entry> runs = store.list();
        if (runs.isEmpty()) {
            root.cli.out.println("no runs in " + store.store().describe());
            return 0;
        }
        String format = "%-48s %-16s %-7s %-19s %s%n";
        root.cli.out.printf(format, "RUN", "STATUS", "STEPS", "STARTED", "LAST EVENT");
        for (Runs.Entry entry : runs) {
            RunSnapshot s = entry.snapshot();
            if (s == null) {
                root.cli.out.printf(format, entry.runId(), "damaged", "", "", entry.damage());
                continue;
            }
            long done = s.steps().values().stream().filter(r -> r.state() == StepState.SUCCEEDED || r.state() == StepState.SKIPPED).count();
            String status = s.status().label() + (entry.movedTo() != null ? " (moved)"
                    : !s.status().isFinished() && store.store().holder(s.runId()).filter(LockHolder::live).isPresent()
                    ? " (active)" : "");
            Event last = s.events().get(s.events().size() - 1);
            root.cli.out.printf(format, s.runId(), status, done + "/" + s.steps().size(), WHEN.format(s.startedAt()),
                    WHEN.format(last.time()) + " " + last.type().name().toLowerCase() + (last.step() != null ? " " + last.step() : ""));
        }
        return 0;
    }
}
