package dev.lockstep.report;

import dev.lockstep.engine.DisplayedState;
import dev.lockstep.engine.History;
import dev.lockstep.engine.PointOfNoReturn;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.RunTiming;
import dev.lockstep.journal.Event;
import dev.lockstep.journal.EventData;
import dev.lockstep.spi.Durations;
import dev.lockstep.spi.MachineText;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * A run as Markdown, for the change record. Built only from the journal, whose
 * contents were masked before they were written, so no secret can appear here.
 */
public final class MarkdownReport {
    private static final DateTimeFormatter WHEN =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z").withZone(ZoneId.systemDefault());

    private MarkdownReport() {}

    /** {@code pointOfNoReturn} marks its step in the steps' table; null when it is not known (the runbook changed since). */
    public static String render(RunSnapshot s, DisplayedState state, PointOfNoReturn pointOfNoReturn) {
        return render(s, state, pointOfNoReturn, null, null);
    }

    /**
     * {@code timing} adds the downtime against its window and each step's duration against earlier runs; null leaves
     * them out. {@code picture} names the timeline's SVG file beside the report, shown above the steps; null: none.
     */
    public static String render(RunSnapshot s, DisplayedState state, PointOfNoReturn pointOfNoReturn, RunTiming timing, String picture) {
        StringBuilder b = new StringBuilder();
        EventData.RunStarted start = s.start();
        b.append("# ").append(cell(start.title())).append("\n\n");
        b.append("| | |\n|---|---|\n");
        row(b, "Run", s.runId());
        row(b, "Status", state.label());
        row(b, "Runbook", start.runbook() + " (sha256 `" + start.checksum() + "`)");
        row(b, "Started by", start.by() + " on " + start.host() + ", lockstep " + start.version());
        row(b, "Started", WHEN.format(s.startedAt()));
        row(b, "Last event", WHEN.format(s.lastEventAt()));
        b.append("\n## Parameters\n\n");
        Map<String, Object> params = start.params();
        if (params.isEmpty()) b.append("None.\n");
        params.forEach((k, v) -> b.append("- `").append(cell(k)).append("` = `").append(cell(v)).append("`\n"));

        if (picture != null) b.append("\n![The run's timeline: a bar per step, the downtime shaded](<").append(picture).append(">)\n");
        steps(b, s, pointOfNoReturn, timing);
        halts(b, s);
        b.append("\n## Timeline\n\n");
        timeline(b, s, false);
        return b.toString();
    }

    /**
     * The run for GitHub's job summary, read at a glance: its state, a row per step and what
     * halted it; the timeline folded away (a details block) and without the steps' resolved
     * plans, which the whole report ({@code lockstep report}) keeps.
     */
    public static String summary(RunSnapshot s, DisplayedState state, PointOfNoReturn pointOfNoReturn) {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(cell(s.start().title())).append("\n\n");
        b.append("Run `").append(cell(s.runId())).append("`: **").append(state.label()).append("**\n");
        steps(b, s, pointOfNoReturn, null);
        halts(b, s);
        b.append("\n<details><summary>Timeline (").append(s.events().size()).append(" events)</summary>\n\n");
        timeline(b, s, true);
        b.append("\n</details>\n");
        return b.toString();
    }

    private static void steps(StringBuilder b, RunSnapshot s, PointOfNoReturn pointOfNoReturn, RunTiming timing) {
        b.append("\n## Steps\n\n");
        if (timing != null && timing.downtime() != null) {
            b.append("Downtime (").append(cell(timing.downtime().downtime().from())).append(" to ")
                    .append(cell(timing.downtime().downtime().to())).append("): ").append(cell(timing.downtime().line())).append(".\n\n");
        }
        History history = timing == null || timing.history().runs().isEmpty() ? null : timing.history();
        if (timing != null) b.append("Earlier runs: ").append(cell(timing.history().source())).append(".\n\n");
        if (pointOfNoReturn != null && pointOfNoReturn.step() != null) {
            b.append("Point of no return: **").append(cell(pointOfNoReturn.step())).append("**, after which a rollback cannot restore ")
                    .append("the world (").append(cell(pointOfNoReturn.why())).append(").\n\n");
        }
        b.append("| Step | State | Duration | Attempts | Outputs |").append(history != null ? " Earlier median (p90) |" : "")
                .append("\n|---|---|---|---|---|").append(history != null ? "---|" : "").append('\n');
        for (RunSnapshot.StepRecord r : s.steps().values()) {
            boolean marked = pointOfNoReturn != null && r.id().equals(pointOfNoReturn.step());
            b.append("| ").append(r.id()).append(marked ? " ⊘ point of no return" : "").append(" | ").append(r.state().label()).append(" | ")
                    .append(r.duration() == null ? "" : Durations.format(r.duration())).append(" | ")
                    .append(r.attempts()).append(" | ").append(outputs(r.outputs())).append(" |");
            if (history != null) {
                History.Figures f = history.step(r.id());
                b.append(' ').append(f == null ? "never done" : Durations.format(f.median()) + " (" + Durations.format(f.p90()) + ")").append(" |");
            }
            b.append('\n');
        }
    }

    private static void halts(StringBuilder b, RunSnapshot s) {
        b.append("\n## Halts, overrides, skips and confirmations\n\n");
        boolean any = false;
        for (RunSnapshot.StepRecord r : s.steps().values()) {
            for (String note : r.notes()) {
                b.append("- **").append(r.id()).append("**: ").append(cell(note)).append('\n');
                any = true;
            }
        }
        for (Event e : s.events()) {
            if (e.data() instanceof EventData.Halted halted) {
                b.append("- **").append(e.step()).append("** halt evidence: `").append(cell(halted.evidence())).append("`\n");
                if (halted.result() != null && halted.result().get("tables") instanceof java.util.List<?> rows) {
                    b.append("\n  | table | source | target | verdict |\n  |---|---|---|---|\n");
                    for (Object row : rows) {
                        if (row instanceof Map<?, ?> r) {
                            b.append("  | ").append(cell(r.get("table"))).append(" | ").append(cell(r.get("source"))).append(" | ")
                                    .append(cell(r.get("target"))).append(" | ").append(cell(r.get("verdict")))
                                    .append(r.get("detail") != null ? ": " + cell(r.get("detail")) : "").append(" |\n");
                        }
                    }
                    b.append('\n');
                }
                any = true;
            }
            if (e.data() instanceof EventData.RunResumed resumed && resumed.forced() != null) {
                b.append("- resume forced by ").append(cell(resumed.by())).append(" past changes: ")
                        .append(cell(resumed.forced())).append('\n');
                any = true;
            }
        }
        if (!any) b.append("None.\n");
    }

    /** A row per event; {@code compact} leaves out each start's resolved plan, a long line the steps table needs not. */
    private static void timeline(StringBuilder b, RunSnapshot s, boolean compact) {
        b.append("| Time | Event | Step | Details |\n|---|---|---|---|\n");
        for (Event e : s.events()) {
            b.append("| ").append(WHEN.format(e.time())).append(" | ").append(e.type().name().toLowerCase()).append(" | ")
                    .append(e.step() == null ? "" : e.step()).append(" | ").append(details(e.fields(), compact)).append(" |\n");
        }
    }

    private static void row(StringBuilder b, String k, Object v) {
        b.append("| ").append(k).append(" | ").append(cell(v)).append(" |\n");
    }

    /** A value from a step or a runbook: one line, bounded, and no cell border. */
    private static String cell(Object value) {
        return MachineText.field(value).replace("|", "\\|");
    }

    private static String outputs(Map<String, Object> outputs) {
        StringBuilder b = new StringBuilder();
        outputs.forEach((k, v) -> b.append('`').append(cell(k)).append('=').append(cell(v)).append("` "));
        return b.toString().trim();
    }

    /**
     * An event's fields on one line. {@code compact} (the job summary) leaves out the resolved plan, the title
     * (the heading) and empty values, and bounds each value, so no row runs on past a screen's width.
     */
    private static String details(Map<String, Object> data, boolean compact) {
        StringBuilder b = new StringBuilder();
        data.forEach((k, v) -> {
            if (k.equals("definitions") || k.equals("steps") || k.equals("params")) return;
            if (compact && (k.equals("plan") || k.equals("title") || empty(v))) return;
            String value = String.valueOf(v);
            b.append(k).append('=').append(compact ? MachineText.bounded(value, COMPACT_VALUE) : value).append("; ");
        });
        return cell(b.toString().trim());
    }

    private static final int COMPACT_VALUE = 72;

    private static boolean empty(Object v) {
        return v == null || v instanceof Map<?, ?> m && m.isEmpty() || v instanceof java.util.Collection<?> c && c.isEmpty()
                || v instanceof String s && s.isEmpty();
    }
}
