package dev.lockstep.cli;

import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.StepState;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventType;
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
        List<RunSnapshot> runs = state.runs(root.cli).all();
        if (runs.isEmpty()) {
            root.cli.out.println("no runs in " + state.runs(root.cli).stateDir().root());
            return 0;
        }
        String format = "%-48s %-16s %-7s %-19s %s%n";
        root.cli.out.printf(format, "RUN", "STATUS", "STEPS", "STARTED", "LAST EVENT");
        for (RunSnapshot s : runs) {
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
        Object pid = null;
        for (Event e : s.events()) {
            if (e.type() == EventType.RUN_STARTED || e.type() == EventType.RUN_RESUMED) pid = e.data().get("pid");
        }
        return !s.status().isFinished() && pid instanceof Number n && n.longValue() != ProcessHandle.current().pid()
                && ProcessHandle.of(n.longValue()).map(ProcessHandle::isAlive).orElse(false);
    }
}
