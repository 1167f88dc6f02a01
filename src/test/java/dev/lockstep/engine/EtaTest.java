package dev.lockstep.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.lockstep.LockstepCli;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Expected durations and the downtime clock from recorded journals of earlier runs: three runs of the cutover on this
 * machine (src/test/resources/journals/history, 2026-11-02/09/16) and one against a test cluster, which must never
 * count. The figures are the fixtures' own: copy took 5m, 6m and 7m, so its median is 6m and its p90 7m.
 */
class EtaTest {
    private static final Path HISTORY = Path.of("src/test/resources/journals/history");
    private static final String CUTOVER = "src/test/resources/runbooks/downtime/cutover.yaml";
    private static final String TIGHT = "src/test/resources/runbooks/downtime/cutover-tight.yaml";

    @TempDir
    Path tmp;

    private LockstepCli withHistory(String... runs) throws IOException {
        Path state = tmp.resolve("state");
        try (Stream<Path> all = Files.list(HISTORY)) {
            for (Path run : all.toList()) {
                if (runs.length > 0 && !List.of(runs).contains(run.getFileName().toString())) continue;
                Path to = Files.createDirectories(state.resolve("runs").resolve(run.getFileName()));
                Files.copy(run.resolve("journal.jsonl"), to.resolve("journal.jsonl"));
            }
        }
        return new LockstepCli(state);
    }

    @Test
    void thePlanGivesEachStepsMedianAndP90AndTheDowntimeAgainstItsWindowFromTheRunsHereOnly() throws IOException {
        LockstepCli.Result r = withHistory().run("plan", CUTOVER);
        assertEquals(0, r.exit(), r.all());
        String expected = String.join("\n",
                "Expected durations, median (p90), from 3 earlier runs at this machine (1 elsewhere not used):",
                "  prepare       35.1s (40.1s)",
                "  stop-writes   20.1s (25.1s)",
                "  copy          6m (7m)",
                "  verify        2m30s (3m)",
                "  start-writes  25.1s (30.1s)",
                "  cleanup       1m (1m10s)",
                "  downtime (stop-writes to start-writes): 9m15s (10m55s) of a 15m window",
                "  whole run: 10m50s (12m45s)");
        assertTrue(r.out().contains(expected), r.out());
    }

    @Test
    void withoutEarlierRunsHereThePlanSaysSo() throws IOException {
        LockstepCli.Result none = new LockstepCli(tmp.resolve("empty")).run("plan", CUTOVER);
        assertTrue(none.out().contains("Expected durations: none (no earlier run of this runbook at this machine)"), none.out());
        LockstepCli.Result elsewhere = withHistory("downtime-cutover-20261120-140000-0004").run("plan", CUTOVER);
        assertTrue(elsewhere.out().contains("Expected durations: none (no earlier run of this runbook at this machine (1 elsewhere not used))"),
                elsewhere.out());
    }

    @Test
    void aWindowTheP90DoesNotFitIsSaidInThePlanAndBeforeTheDowntimeStartsAndIsNotifiedOnce() throws IOException {
        LockstepCli cli = withHistory();
        assertTrue(cli.run("plan", TIGHT).out().contains("  downtime (stop-writes to start-writes): 9m15s (10m55s) of a 10m window: "
                + "THE P90 DOES NOT FIT"));

        List<String> received = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(204, -1);
            }
        });
        server.start();
        try {
            LockstepCli.Result r = cli.run("run", TIGHT, "--no-tui", "--notify", "http://127.0.0.1:" + server.getAddress().getPort() + "/");
            assertEquals(0, r.exit(), r.all());
            String out = r.out();
            String starts = "note: downtime starts with step stop-writes: downtime not started · window 10m · expected 9m15s (p90 10m55s)"
                    + " · WINDOW AT RISK";
            String warning = "note: window at risk: the downtime's steps took up to 10m55s (p90; median 9m15s), more than its 10m window: "
                    + "from 3 earlier runs at this machine (1 elsewhere not used)";
            assertTrue(out.contains(starts), out);
            assertTrue(out.contains(warning), out);
            assertTrue(out.indexOf(warning) < out.indexOf("> step stop-writes started"), "said before the step starts:\n" + out);
            assertTrue(out.contains("note: window at risk: the downtime has lasted "), "and again while it is:\n" + out);
            assertTrue(out.indexOf("note: downtime over with step start-writes: downtime took ") > out.indexOf("ok step start-writes succeeded"),
                    out);
            List<String> atRisk = received.stream().filter(b -> b.contains("\"event\":\"window-at-risk\"")).toList();
            assertEquals(1, atRisk.size(), received.toString());
            assertTrue(atRisk.get(0).contains("\"text\":\"lockstep: A cutover with a downtime window (run "), atRisk.get(0));
            assertTrue(atRisk.get(0).contains("window at risk: the downtime's steps took up to 10m55s"), atRisk.get(0));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void theReportPutsEachStepBesideItsEarlierRunsAndTheDowntimeBesideItsWindow() throws IOException {
        LockstepCli cli = withHistory();
        assertEquals(0, cli.run("run", CUTOVER, "--no-tui").exit());
        String report = cli.run("report", "-o", "-").out();
        assertTrue(report.matches("(?s).*Downtime \\(stop-writes to start-writes\\): downtime took [0-9.]+m?s of 15m\\..*"), report);
        assertTrue(report.contains("Earlier runs: from 3 earlier runs at this machine (1 elsewhere not used)."), report);
        assertTrue(report.contains("| Step | State | Duration | Attempts | Outputs | Earlier median (p90) |"), report);
        assertTrue(report.matches("(?s).*\\| copy \\| succeeded \\| [0-9.]+m?s \\| 1 \\|  \\| 6m \\(7m\\) \\|.*"), report);

        // Written to a file, the report has its timeline beside it: a bar per step, the downtime shaded and labelled.
        Path file = tmp.resolve("cutover report.md");
        LockstepCli.Result written = cli.run("report", "-o", file.toString());
        Path picture = tmp.resolve("cutover report.svg");
        assertTrue(written.out().contains("(its timeline: " + picture + ")"), written.out());
        assertTrue(Files.readString(file).contains("![The run's timeline: a bar per step, the downtime shaded](<cutover report.svg>)"));
        String svg = Files.readString(picture);
        assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), svg);
        assertEquals(6, svg.split("<title>copy: |<title>prepare: |<title>stop-writes: |<title>verify: |<title>start-writes: "
                + "|<title>cleanup: ", -1).length - 1, svg);
        assertTrue(svg.contains("fill=\"#fde2e2\"") && svg.contains(">downtime "), "the downtime shaded:\n" + svg);
    }

    @Test
    void theClockOfARunInTheMiddleOfItsDowntime() throws IOException {
        LockstepCli cli = withHistory();
        Runs runs = new Runs(new dev.lockstep.journal.StateDir(cli.stateDir()), "test");
        History history = History.of(runs.all(), "downtime-cutover", RunPlace.UNRECORDED, null);
        RunSnapshot third = runs.read("downtime-cutover-20261116-020000-0003");
        dev.lockstep.runbook.Runbook rb = new dev.lockstep.runbook.RunbookLoader(dev.lockstep.plugin.StepTypes.discover()).load(Path.of(CUTOVER));
        // Copy started at 02:01:00.6, and the service has been down since 02:00:35.4 (stop-writes' start): 2m24.9s.
        // Left in the downtime: copy, verify, start-writes: medians 6m0.1s + 2m30.1s + 25.1s, p90s 7m0.1s + 3m0.1s + 30.1s
        // (each step's record spans its start and external id too), less the 1m59.7s copy has run: ~6m55.6s, p90 8m30.6s.
        java.time.Instant now = java.time.Instant.parse("2026-11-16T02:03:00.300Z");
        RunSnapshot during = RunSnapshot.replay(third.runId(), "test", third.events().stream()
                .filter(e -> !e.time().isAfter(now)).toList());
        DowntimeClock clock = DowntimeClock.of(rb.steps(), rb.downtime(), during, history, now);
        assertEquals("DOWNTIME 2m24s of 15m · 12m35s left · back up in ~6m55s (p90 8m30s)", clock.line());
        assertTrue(!clock.atRisk());
    }
}
