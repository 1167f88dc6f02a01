package dev.lockstep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.lockstep.LockstepCli;
import dev.lockstep.spi.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --notify} against a real HTTP server on the loopback: what a receiver is sent (the documented JSON with a
 * Slack-compatible text, secrets masked), and that a receiver that fails, is down or is slow changes nothing in the
 * run's outcome and is said once, without the URL's path, where a webhook's token lives.
 */
class NotificationsTest {
    private static final String SECRET = "tok-7731-secret";
    private static final String HOOK_TOKEN = "T000/B000/hook-token-9913";
    private static final String HALTS = "src/test/resources/runbooks/notify/halts.yaml";
    private static final String FINISHES = "src/test/resources/runbooks/notify/finishes.yaml";

    @TempDir
    Path tmp;

    private LockstepCli cli;
    private HttpServer server;
    private final List<Map<String, Object>> received = new CopyOnWriteArrayList<>();
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private volatile int status = 204;
    private volatile long delayMillis;

    @BeforeEach
    void setUp() throws IOException {
        cli = new LockstepCli(tmp.resolve("state")).env("NOTIFY_TOKEN", SECRET);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(task -> {
            Thread t = new Thread(task, "receiver");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                paths.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                        + exchange.getRequestHeaders().getFirst("Content-Type"));
                @SuppressWarnings("unchecked")
                Map<String, Object> doc = (Map<String, Object>) Json.parse(body);
                received.add(doc);
                if (delayMillis > 0) Thread.sleep(delayMillis);
                exchange.sendResponseHeaders(status, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String hook() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/services/" + HOOK_TOKEN;
    }

    private List<Map<String, Object>> received(String event) {
        return received.stream().filter(d -> event.equals(d.get("event"))).toList();
    }

    @Test
    void anApprovalGateIsSentAsAwaitingApprovalWithHowToApprove() {
        LockstepCli.Result r = cli.run("run", "src/test/resources/runbooks/approvals/screen.yaml", "--no-tui", "--yes", "--notify", hook());
        assertEquals(7, r.exit(), r.all());
        List<Map<String, Object>> awaiting = received("awaiting-approval");
        assertEquals(1, awaiting.size(), received.toString());
        assertEquals("gated", awaiting.get(0).get("step"));
        assertTrue(String.valueOf(awaiting.get(0).get("text")).contains("step gated waits for approval: lockstep approve "
                + awaiting.get(0).get("run") + " gated"), awaiting.toString());
    }

    @Test
    void aHaltIsSentAsTheDocumentedJsonWithItsEvidenceMasked() {
        LockstepCli.Result r = cli.run("run", HALTS, "--no-tui", "--notify", hook());
        assertEquals(3, r.exit(), r.all());
        List<Map<String, Object>> halted = received("halted");
        assertEquals(1, halted.size(), received.toString());
        Map<String, Object> doc = halted.get(0);
        assertEquals(List.of("schema", "event", "text", "run", "runbook", "title", "host", "step", "reason", "evidence", "at", "seq"),
                List.copyOf(doc.keySet()));
        assertEquals("lockstep.notification/1", doc.get("schema"));
        assertEquals("notify-halts", doc.get("runbook"));
        assertEquals("count", doc.get("step"));
        // The echo may end before the halt stops it; then its exit is said too.
        assertTrue(String.valueOf(doc.get("reason")).matches("output matched haltOn /MISMATCH/(; exit 0)?"), doc.toString());
        assertTrue(String.valueOf(doc.get("evidence")).startsWith("rows=499 with ***"), doc.toString());
        assertTrue(String.valueOf(doc.get("text")).startsWith("lockstep: A check that halts with a secret on its line (run "
                + doc.get("run") + " on "), doc.toString());
        assertTrue(String.valueOf(doc.get("text")).matches(".*step count halted: output matched haltOn /MISMATCH/(; exit 0)? "
                + "\\(evidence: rows=499 with \\*\\*\\*.*"), doc.toString());
        assertTrue(r.all().contains(String.valueOf(doc.get("run"))), "the run the notification names is the one printed");
        assertEquals("POST /services/" + HOOK_TOKEN + " application/json; charset=utf-8", paths.get(0));
        assertFalse(received.toString().contains(SECRET), received.toString());
        assertFalse(r.all().contains(HOOK_TOKEN), r.all());
    }

    @Test
    void aRunThatFinishesSaysSoOnceToEveryReceiverAndTheUrlCanComeFromTheEnvironment() {
        LockstepCli.Result r = cli.env("CHAT_HOOK", hook()).run("run", FINISHES, "--no-tui", "--notify", "env:CHAT_HOOK",
                "--notify", hook());
        assertEquals(0, r.exit(), r.all());
        assertEquals(2, received("finished").size(), received.toString());
        assertEquals(2, received.size(), "nothing else is worth a message: " + received);
        assertTrue(String.valueOf(received.get(0).get("text")).endsWith("the run finished: every step done"), received.toString());
    }

    @Test
    void aRollbackIsSent() {
        assertEquals(0, cli.run("run", FINISHES, "--no-tui").exit());
        String runId = cli.run("runs").out().lines().filter(l -> l.startsWith("notify-finishes-")).findFirst().orElseThrow()
                .split(" ")[0];
        LockstepCli.Result r = cli.run("rollback", runId, "--no-tui", "--yes", "--notify", hook(), "--confirm-run", runId);
        assertEquals(0, r.exit(), r.all());
        assertEquals(1, received("rolled-back").size(), received.toString());
    }

    @Test
    void aReceiverThatFailsChangesNothingAndIsSaidOnce() {
        status = 500;
        LockstepCli.Result r = cli.run("run", HALTS, "--no-tui", "--notify", hook());
        assertEquals(3, r.exit(), r.all());
        assertEquals(4, received("halted").size(), "tried again with a pause: " + received);
        String note = "notifications: http://127.0.0.1:" + server.getAddress().getPort() + "/… did not take halted (HTTP 500, 4 tries)";
        assertEquals(1, r.all().split(java.util.regex.Pattern.quote(note), -1).length - 1, r.all());
        assertFalse(r.all().contains(HOOK_TOKEN), r.all());
    }

    @Test
    void aReceiverThatIsDownChangesNothingAndIsSaidOnce() {
        String down = hook();
        server.stop(0);
        LockstepCli.Result r = cli.run("run", HALTS, "--no-tui", "--notify", down);
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.all().contains("/… did not take halted (ConnectException"), r.all());
        assertFalse(r.all().contains(HOOK_TOKEN), r.all());
    }

    @Test
    void aSlowReceiverIsGivenABoundedTimeAtTheEnd() {
        delayMillis = 8_000;
        LockstepCli.Result r = cli.run("run", FINISHES, "--no-tui", "--notify", hook());
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.all().contains("notifications: "), r.all());
        assertTrue(r.all().contains("the run's journal has everything") || r.all().contains("did not take finished (HttpTimeoutException"),
                r.all());
        assertTrue(r.out().contains("succeeded"), "the run's own result is as without a receiver:\n" + r.out());
    }

    @Test
    void aUrlThatIsNotHttpIsAUsageError() {
        LockstepCli.Result r = cli.run("run", FINISHES, "--no-tui", "--notify", "ftp://example.invalid/x");
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().contains("--notify expects an http or https URL (or env:NAME)"), r.err());
        LockstepCli.Result unset = cli.run("run", FINISHES, "--no-tui", "--notify", "env:NO_SUCH_HOOK");
        assertEquals(2, unset.exit(), unset.all());
        assertTrue(unset.err().contains("the environment variable NO_SUCH_HOOK is not set"), unset.err());
        assertTrue(received.isEmpty());
    }
}
