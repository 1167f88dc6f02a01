package dev.lockstep.cli;

import dev.lockstep.engine.DisplayedState;
import dev.lockstep.engine.PointOfNoReturn;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.journal.Event;
import dev.lockstep.spi.Durations;
import dev.lockstep.spi.Json;
import dev.lockstep.spi.MachineText;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

final class ShowCommand implements Callable<Integer> {
    private final Cli cli;
    final CommandSpec spec = CommandModel.command(this, "show", "Print a run's steps and its timeline.");

    String runId;
    final StateOptions state;
    final OutputOptions output;

    ShowCommand(Cli cli) {
        HelpSections.examples(spec, "lockstep show", "lockstep show demo", "lockstep show demo --output json");
        this.cli = cli;
        CommandModel.positional(spec, "0", "RUN_ID").arity("0..1").description(RunIds.LATEST)
                .bind(String.class, () -> runId, v -> runId = v);
        state = new StateOptions(spec);
        output = new OutputOptions(spec);
    }

    @Override
    public Integer call() {
        var runs = state.runs(cli);
        String runId = RunIds.orLatest(runs, this.runId);
        RunSnapshot s = runs.read(runId);
        PrintStream out = cli.out;
        List<String> warnings = runs.warnings(runId);
        PointOfNoReturn pointOfNoReturn = RunPointOfNoReturn.of(cli, s);
        String marked = pointOfNoReturn == null ? null : pointOfNoReturn.step();
        if (output.json()) {
            // Each string bounded: a step's 1 MB output stays in the journal, not in every script's input.
            out.println(Json.pretty(MachineText.boundedStrings(json(s, runs.displayed(s), warnings,
                    runs.store().movedTo(runId).orElse(null), marked))));
            return 0;
        }
        warnings.forEach(w -> cli.err.println("warning: " + w));
        out.println("Run " + s.runId() + ": " + MachineText.field(s.start().title()) + " — " + runs.displayed(s).label());
        out.println("Runbook " + s.runbookPath() + " (sha256 " + s.start().checksum() + ")");
        out.println("Started " + RunsCommand.When.FORMAT.format(s.startedAt()) + " by " + s.start().by());
        runs.store().movedTo(runId).ifPresent(to -> out.println("Handed over to " + to + "; it continues there"));
        out.println();
        out.println("Steps:");
        for (RunSnapshot.StepRecord r : s.steps().values()) {
            if (r.id().equals(marked)) out.println("  ---- " + MachineText.field(pointOfNoReturn.marker(marked)) + " ----");
            out.printf("  %-24s %-16s %8s%s%n", r.id(), r.state().label(),
                    r.duration() == null ? "" : Durations.format(r.duration()),
                    r.reason() != null ? "  " + MachineText.field(r.reason()) : "");
        }
        out.println();
        out.println("Timeline:");
        for (Event e : s.events()) {
            out.printf("  %s  %-24s %-12s %s%n", RunsCommand.When.FORMAT.format(e.time()), e.type().name().toLowerCase(),
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
        return MachineText.field(b.toString().trim());
    }

    /** The shape docs/operator-guide.md (Machine output) pins for {@code show --output json}; the journal masked every value before writing it. */
    private static Map<String, Object> json(RunSnapshot s, DisplayedState state, List<String> warnings, String movedTo,
                                            String pointOfNoReturn) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", s.runId());
        out.put("title", s.start().title());
        out.put("status", state.label());
        Map<String, Object> runbook = new LinkedHashMap<>();
        runbook.put("name", s.runbookName());
        runbook.put("path", s.runbookPath());
        runbook.put("sha256", s.start().checksum());
        out.put("runbook", runbook);
        out.put("startedAt", s.startedAt().toString());
        out.put("startedBy", s.start().by());
        out.put("movedTo", movedTo);
        out.put("parameters", s.start().params());
        List<Object> steps = new ArrayList<>();
        for (RunSnapshot.StepRecord r : s.steps().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id());
            m.put("state", r.state().label());
            m.put("attempts", r.attempts());
            m.put("startedAt", r.startedAt() == null ? null : r.startedAt().toString());
            m.put("durationMs", r.duration() == null ? null : r.duration().toMillis());
            m.put("reason", r.reason());
            m.put("outputs", r.outputs());
            m.put("notes", r.notes());
            steps.add(m);
        }
        out.put("steps", steps);
        out.put("pointOfNoReturn", pointOfNoReturn);
        List<Object> events = new ArrayList<>();
        for (Event e : s.events()) events.add(event(e, true));
        out.put("events", events);
        out.put("warnings", warnings);
        return out;
    }

    /** One journal record: its number, time, type, step, and (when asked) its data. */
    static Map<String, Object> event(Event e, boolean withData) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seq", e.seq());
        m.put("time", e.time().toString());
        m.put("type", e.type().name());
        m.put("step", e.step());
        if (withData) m.put("data", e.fields());
        return m;
    }
}
