package dev.lockstep.report;

import dev.lockstep.engine.DowntimeClock;
import dev.lockstep.engine.PointOfNoReturn;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.engine.StepState;
import dev.lockstep.spi.Durations;
import dev.lockstep.spi.MachineText;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run's timeline as an SVG picture for the report: a bar per step from its start to its end, coloured by how it
 * ended; the downtime shaded behind the bars it covers; the point of no return a dashed line at its step's start.
 * Built from the journal, which is masked, like the rest of the report.
 */
public final class TimelinePicture {
    private static final int WIDTH = 900;
    private static final int LABELS = 180;
    private static final int ROW = 22;
    private static final int TOP = 30;

    private TimelinePicture() {}

    /** Null when no step has started: there is nothing to draw. */
    public static String svg(RunSnapshot s, PointOfNoReturn pointOfNoReturn, DowntimeClock downtime) {
        List<RunSnapshot.StepRecord> steps = new ArrayList<>(s.steps().values());
        Instant start = steps.stream().map(RunSnapshot.StepRecord::startedAt).filter(t -> t != null).min(Instant::compareTo).orElse(null);
        if (start == null) return null;
        Instant end = s.lastEventAt().isAfter(start) ? s.lastEventAt() : start.plusMillis(1);
        double span = Duration.between(start, end).toMillis();
        double scale = (WIDTH - LABELS - 20) / span;
        int height = TOP + steps.size() * ROW + 30;
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        b.append("  <title>").append(xml(s.start().title())).append(" (run ").append(xml(s.runId())).append(")</title>\n");
        b.append("  <text x=\"4\" y=\"16\" font-weight=\"bold\">").append(xml(s.start().title())).append("</text>\n");
        if (downtime != null && downtime.started()) {
            RunSnapshot.StepRecord from = s.step(downtime.downtime().from());
            RunSnapshot.StepRecord to = s.step(downtime.downtime().to());
            Instant until = downtime.ended() && to.endedAt() != null ? to.endedAt() : end;
            double x = LABELS + Duration.between(start, from.startedAt()).toMillis() * scale;
            double w = Math.max(1, Duration.between(from.startedAt(), until).toMillis() * scale);
            b.append("  <rect x=\"").append(num(x)).append("\" y=\"").append(TOP - 4).append("\" width=\"").append(num(w))
                    .append("\" height=\"").append(steps.size() * ROW + 4).append("\" fill=\"#fde2e2\"/>\n");
            b.append("  <text x=\"").append(num(x + 2)).append("\" y=\"").append(height - 10).append("\" fill=\"#a33\">downtime ")
                    .append(xml(Durations.format(downtime.elapsed())))
                    .append(downtime.downtime().window() != null ? " of " + xml(Durations.format(downtime.downtime().window())) : "")
                    .append("</text>\n");
        }
        for (int i = 0; i < steps.size(); i++) {
            RunSnapshot.StepRecord r = steps.get(i);
            int y = TOP + i * ROW;
            b.append("  <text x=\"4\" y=\"").append(y + 13).append("\">").append(xml(shorten(r.id()))).append("</text>\n");
            if (r.startedAt() == null) continue;
            double x = LABELS + Duration.between(start, r.startedAt()).toMillis() * scale;
            Instant stepEnd = r.endedAt() != null ? r.endedAt() : end;
            double w = Math.max(2, Duration.between(r.startedAt(), stepEnd).toMillis() * scale);
            b.append("  <rect x=\"").append(num(x)).append("\" y=\"").append(y + 3).append("\" width=\"").append(num(w))
                    .append("\" height=\"").append(ROW - 8).append("\" fill=\"").append(colour(r.state())).append("\">")
                    .append("<title>").append(xml(r.id() + ": " + r.state().label()
                            + (r.duration() != null ? " in " + Durations.format(r.duration()) : ""))).append("</title></rect>\n");
        }
        if (pointOfNoReturn != null && pointOfNoReturn.step() != null) {
            RunSnapshot.StepRecord p = s.step(pointOfNoReturn.step());
            if (p != null && p.startedAt() != null) {
                double x = LABELS + Duration.between(start, p.startedAt()).toMillis() * scale;
                b.append("  <line x1=\"").append(num(x)).append("\" y1=\"").append(TOP - 8).append("\" x2=\"").append(num(x))
                        .append("\" y2=\"").append(TOP + steps.size() * ROW).append("\" stroke=\"#000\" stroke-dasharray=\"4 3\"/>\n");
                b.append("  <text x=\"").append(num(x + 3)).append("\" y=\"").append(TOP - 10).append("\">point of no return</text>\n");
            }
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static String colour(StepState state) {
        return switch (state) {
            case SUCCEEDED -> "#3a3";
            case SKIPPED -> "#aaa";
            case FAILED, HALTED, ROLLBACK_FAILED -> "#d33";
            case IN_DOUBT -> "#39c";
            case ROLLED_BACK, ROLLING_BACK -> "#66c";
            default -> "#cc3";
        };
    }

    private static String shorten(String id) {
        return id.length() <= 26 ? id : id.substring(0, 25) + "…";
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Text as SVG carries it: one line, bounded, and no markup. */
    private static String xml(String text) {
        return MachineText.field(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
