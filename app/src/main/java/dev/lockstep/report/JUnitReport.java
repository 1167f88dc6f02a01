package dev.lockstep.report;

import dev.lockstep.engine.DisplayedState;
import dev.lockstep.engine.RunSnapshot;
import dev.lockstep.runbook.Runbook;
import dev.lockstep.runbook.StepDef;
import dev.lockstep.secret.Redactor;
import dev.lockstep.spi.MachineText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run as JUnit XML, which most CI systems read: one test suite for the run, one test case per
 * step (failed and halted steps are failures, in-doubt steps errors, skipped and not-reached
 * steps skipped). Built from the journal's masked record, and masked again on the way out.
 */
public final class JUnitReport {
    private JUnitReport() {}

    public static String render(Runbook runbook, RunSnapshot s, Redactor redactor) {
        int failures = 0;
        int errors = 0;
        int skipped = 0;
        long totalMs = 0;
        StringBuilder cases = new StringBuilder();
        for (StepDef def : runbook.steps()) {
            RunSnapshot.StepRecord r = s.step(def.id());
            if (r == null) continue;
            Duration d = r.duration();
            long ms = d == null ? 0 : d.toMillis();
            totalMs += ms;
            cases.append("    <testcase name=\"").append(attr(redactor, def.id() + ": " + def.displayTitle()))
                    .append("\" classname=\"").append(attr(redactor, runbook.name())).append("\" time=\"").append(seconds(ms))
                    .append('"');
            String reason = r.reason() == null ? "" : r.reason();
            switch (r.state()) {
                case SUCCEEDED -> cases.append("/>\n");
                case ROLLED_BACK -> cases.append(">\n      <system-out>ran, then rolled back</system-out>\n    </testcase>\n");
                case FAILED, HALTED, ROLLBACK_FAILED -> {
                    failures++;
                    String evidence = r.evidence() == null ? "" : "evidence: " + r.evidence();
                    List<String> body = new ArrayList<>(r.notes());
                    if (!evidence.isEmpty()) body.add(evidence);
                    cases.append(">\n      <failure type=\"").append(r.state().label()).append("\" message=\"")
                            .append(attr(redactor, r.state().label() + ": " + reason + (evidence.isEmpty() ? "" : "; " + evidence)))
                            .append("\">").append(text(redactor, String.join("\n", body))).append("</failure>\n    </testcase>\n");
                }
                case IN_DOUBT, RUNNING, ROLLING_BACK -> {
                    errors++;
                    cases.append(">\n      <error type=\"").append(r.state().label()).append("\" message=\"")
                            .append(attr(redactor, r.state().label() + (reason.isEmpty() ? "" : ": " + reason)))
                            .append("\"/>\n    </testcase>\n");
                }
                default -> {
                    skipped++;
                    String why = r.state().label().equals("skipped") ? "skipped: " + reason
                            : "not run" + (reason.isEmpty() ? "" : ": " + reason);
                    cases.append(">\n      <skipped message=\"").append(attr(redactor, why)).append("\"/>\n    </testcase>\n");
                }
            }
        }
        int tests = runbook.steps().size();
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append("<testsuites name=\"lockstep\" tests=\"").append(tests).append("\" failures=\"").append(failures)
                .append("\" errors=\"").append(errors).append("\" skipped=\"").append(skipped).append("\" time=\"")
                .append(seconds(totalMs)).append("\">\n");
        b.append("  <testsuite name=\"").append(attr(redactor, runbook.name())).append("\" tests=\"").append(tests)
                .append("\" failures=\"").append(failures).append("\" errors=\"").append(errors).append("\" skipped=\"")
                .append(skipped).append("\" time=\"").append(seconds(totalMs)).append("\" timestamp=\"")
                .append(s.startedAt().toString().replaceFirst("\\.\\d+Z$", "Z")).append("\">\n");
        b.append("    <properties>\n");
        b.append("      <property name=\"run\" value=\"").append(attr(redactor, s.runId())).append("\"/>\n");
        b.append("      <property name=\"status\" value=\"").append(DisplayedState.of(s, false).label()).append("\"/>\n");
        b.append("    </properties>\n");
        b.append(cases);
        b.append("  </testsuite>\n</testsuites>\n");
        return b.toString();
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.3f", ms / 1000.0);
    }

    private static String attr(Redactor redactor, String value) {
        return text(redactor, value).replace("\"", "&quot;").replace("\n", "&#10;").replace("\t", "&#9;");
    }

    /**
     * Masked, bounded (masking first, so that a cut never leaves part of a secret), escaped, and without the
     * characters XML 1.0 cannot hold or a log viewer would act on (other controls, lone surrogates, U+FFFE).
     */
    private static String text(Redactor redactor, String value) {
        StringBuilder out = new StringBuilder();
        MachineText.bounded(redactor.redact(value), MachineText.FIELD_LIMIT).codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '\r' -> out.append("&#13;");
                default -> {
                    if (c == '\n' || c == '\t' || (c >= 0x20 && !Character.isISOControl(c) && !Character.isSurrogate((char) c)
                            && c != 0xFFFE && c != 0xFFFF)) {
                        out.appendCodePoint(c);
                    } else {
                        out.append('?');
                    }
                }
            }
        });
        return out.toString();
    }
}
