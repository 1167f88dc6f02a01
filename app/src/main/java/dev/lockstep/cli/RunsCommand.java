package dev.lockstep.cli;

import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.Runs;
import dev.lockstep.engine.StepState;
import dev.lockstep.journal.Event;
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
        List<Runs.Entry> runs = state.runs(root.cli).list();
        if (runs.isEmpty()) {
            root.cli.out.println("no runs in " + state.runs(root.cli).stateDir().root());
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
            String status = s.status().label() + (driverAlive(s) ? " (active)" : "");
            Event last = s.events().get(s.events().size() - 1);
            root.cli.out.printf(format, s.runId(), status, done + "/" + s.steps().size(), WHEN.format(s.startedAt()),
                    WHEN.format(last.time()) + " " + last.type().name().toLowerCase() + (last.step() != null ? " " + last.step() : ""));
        }
        return 0;
    }

    /** Whether the process that last started or resumed the run still exists (on this host). */
    static boolean driverAlive(RunSnapshot s) {
        long pid = s.driverPid();
        return !s.status().isFinished() && pid != ProcessHandle.current().pid()
                && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
