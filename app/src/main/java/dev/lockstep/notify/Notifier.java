package dev.lockstep.notify;

import dev.lockstep.engine.ForwardingListener;
import dev.lockstep.engine.RunListener;
import dev.lockstep.journal.Event;
import dev.lockstep.spi.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tells people outside the terminal what a run needs or did: each {@link Notification} is POSTed as JSON to every
 * URL, from one thread of its own, so a slow, down or failing receiver never delays or fails the run. A POST that
 * fails is tried again with a growing pause; a receiver that still fails is said once, as a note. Everything sent is
 * built from journal events, which are masked before they are written.
 *
 * <p>It wraps the listener that shows the run and passes every call on to it.
 */
public final class Notifier extends ForwardingListener {
    /** How long the end of a command waits for notifications still on their way (the last one says how the run ended). */
    public static final Duration DRAIN = Duration.ofSeconds(15);
    private static final int ATTEMPTS = 4;
    private static final Duration FIRST_PAUSE = Duration.ofMillis(500);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final Object CLOSE = new Object();

    private final List<URI> receivers;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>(1_000);
    private final Set<URI> saidFailing = new HashSet<>();
    private final List<Event> early = new ArrayList<>();
    private final Thread sender;
    private volatile Consumer<String> notes;
    private Notification.About about;
    private boolean windowAtRiskSent;

    public Notifier(RunListener inner, List<URI> receivers) {
        super(inner);
        this.receivers = List.copyOf(receivers);
        this.notes = inner::notice;
        this.sender = new Thread(this::send, "lockstep-notify");
        sender.setDaemon(true);
        sender.start();
    }

    /**
     * The run the events belong to (a journal event does not name its run). Events that came before, as an in-doubt
     * step found while the run was reopened, are sent now.
     */
    public synchronized void about(Notification.About run) {
        about = run;
        early.forEach(this::offer);
        early.clear();
    }

    @Override
    public void windowAtRisk(String text) {
        inner.windowAtRisk(text);
        synchronized (this) {
            // Said before every step while the window is at risk; sent once: a chat needs the news, not each repeat.
            if (about != null && !windowAtRiskSent) {
                windowAtRiskSent = true;
                queue.offer(Notification.windowAtRisk(about, text));
            }
        }
    }

    @Override
    public void event(Event e, Duration stepTook) {
        inner.event(e, stepTook);
        synchronized (this) {
            if (about == null) early.add(e);
            else offer(e);
        }
    }

    private void offer(Event e) {
        Notification n = Notification.of(about, e);
        if (n != null && !queue.offer(n)) notes.accept("notifications: the queue is full; " + n.event() + " was not sent");
    }

    /**
     * Waits, at most {@code bound}, for what is queued to be sent; from now on notes go to {@code after} (the screen
     * that showed the run has closed).
     */
    public void close(Duration bound, Consumer<String> after) {
        notes = after;
        queue.offer(CLOSE);
        try {
            sender.join(bound.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sender.isAlive()) {
            sender.interrupt();
            after.accept("notifications: " + Math.max(0, queue.size() - 1) + " still unsent after " + bound.toSeconds()
                    + "s; the run's journal has everything");
        }
    }

    private void send() {
        try {
            while (true) {
                Object next = queue.take();
                if (next == CLOSE) return;
                Notification n = (Notification) next;
                String body = Json.write(n.document());
                for (URI to : receivers) deliver(to, body, n.event());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(URI to, String body, String event) throws InterruptedException {
        String failure = null;
        Duration pause = FIRST_PAUSE;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpRequest request = HttpRequest.newBuilder(to).timeout(REQUEST_TIMEOUT)
                        .header("Content-Type", "application/json; charset=utf-8")
                        .header("User-Agent", "lockstep")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) return;
                failure = "HTTP " + response.statusCode();
            } catch (IOException e) {
                failure = e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "");
            }
            if (attempt < ATTEMPTS) {
                TimeUnit.MILLISECONDS.sleep(pause.toMillis());
                pause = pause.multipliedBy(2);
            }
        }
        if (saidFailing.add(to)) {
            notes.accept("notifications: " + shown(to) + " did not take " + event + " (" + failure + ", " + ATTEMPTS
                    + " tries); later notifications are still sent to it, and this is said once");
        }
    }

    /** A receiver as it may be shown: scheme, host and port, never the path or query, where webhook tokens live. */
    public static String shown(URI to) {
        return to.getScheme() + "://" + to.getHost() + (to.getPort() >= 0 ? ":" + to.getPort() : "") + "/…";
    }
}
