package dev.lockstep.cli;

import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.Runs;
import dev.lockstep.engine.StepState;
import dev.lockstep.journal.Event;
import dev.lockstep.spi.Json;
import dev.lockstep.store.RunHolder;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class RunsCommand implements Callable<Integer> {
    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "runs", "List runs and where each stands.");

    final StateOptions state;
    final OutputOptions output;

    RunsCommand(Cli cli) {
        HelpSections.examples(spec,
                "lockstep runs",
                "lockstep runs --output json",
                "lockstep runs --state postgres://db.internal/lockstep");
        this.cli = cli;
        state = new StateOptions(spec);
        output = new OutputOptions(spec);
    }

    /** Times for people, in UTC and saying so: a team across zones (and a shared store) reads the same time. */
    static final class When {
        static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

        private When() {}
    }

    @Override
    public Integer call() {
        Runs store = state.runs(cli);
        List<Runs.Entry> runs = store.list();
        if (output.json()) {
            cli.out.println(Json.pretty(json(store, runs)));
            return 0;
        }
        if (runs.isEmpty()) {
            cli.out.println("no runs in " + store.store().describe());
            return 0;
        }
        // Wide enough for the longest state with its note, "awaiting-confirmation (moved)", and a time with its zone.
        String format = "%-48s %-29s %-7s %-23s %s%n";
        cli.out.printf(format, "RUN", "STATUS", "STEPS", "STARTED", "LAST EVENT");
        for (Runs.Entry entry : runs) {
            RunSnapshot s = entry.snapshot();
            if (s == null) {
                cli.out.printf(format, entry.runId(), "damaged", "", "", entry.damage());
                continue;
            }
            String status = store.displayed(s).label() + (entry.movedTo() != null ? " (moved)" : "");
            Event last = s.events().get(s.events().size() - 1);
            cli.out.printf(format, s.runId(), status, done(s) + "/" + s.steps().size(), When.FORMAT.format(s.startedAt()),
                    When.FORMAT.format(last.time()) + " " + last.type().name().toLowerCase() + (last.step() != null ? " " + last.step() : ""));
        }
        return 0;
    }

    /** Whether a live driver holds the unfinished run now. */
    private static boolean active(Runs store, RunSnapshot s) {
        return !s.status().isFinished() && store.store().holder(s.runId()).filter(RunHolder::live).isPresent();
    }

    private static long done(RunSnapshot s) {
        return s.steps().values().stream().filter(r -> r.state() == StepState.SUCCEEDED || r.state() == StepState.SKIPPED).count();
    }

    /** The shape docs/operator-guide.md (Machine output) pins for {@code runs --output json}. */
    private static Map<String, Object> json(Runs store, List<Runs.Entry> entries) {
        List<Object> list = new ArrayList<>();
        for (Runs.Entry entry : entries) {
            RunSnapshot s = entry.snapshot();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", entry.runId());
            m.put("runbook", s == null ? null : s.runbookName());
            m.put("title", s == null ? null : s.start().title());
            m.put("status", s == null ? "damaged" : store.displayed(s).label());
            m.put("active", s != null && active(store, s));
            m.put("movedTo", entry.movedTo());
            m.put("stepsDone", s == null ? null : done(s));
            m.put("stepsTotal", s == null ? null : s.steps().size());
            m.put("startedAt", s == null ? null : s.startedAt().toString());
            m.put("lastEvent", s == null ? null : ShowCommand.event(s.events().get(s.events().size() - 1), false));
            m.put("damage", entry.damage());
            list.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("store", store.store().describe());
        out.put("runs", list);
        return out;
    }
}
