package dev.lockstep.steps.aws;

import dev.lockstep.spi.StepContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilterLogEventsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilterLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.LiveTailSessionLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogGroup;
import software.amazon.awssdk.services.cloudwatchlogs.model.StartLiveTailRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.StartLiveTailResponseHandler;

/**
 * Follows a log group and sends each new event to the step's output, where haltOn and
 * until see it. StartLiveTail when the service offers it; otherwise FilterLogEvents
 * polling, which moves a time cursor forward. Either way the window before the step
 * ({@code since}) is read first, and live events that arrive meanwhile wait until it has
 * been shown. Events are told apart by stream, time and text, so nothing is shown twice.
 *
 * <p>Only the streams asked for are shown, whatever the service returns: an emulator that
 * ignores {@code logStreamNamePrefix} must not let another task's lines through.
 */
final class LogTail {
    /** Polls at most this often: the account-wide FilterLogEvents quota is 5 per second. */
    static final Duration MIN_INTERVAL = Duration.ofMillis(500);
    /** Events this much older than the newest are not fetched again, so their keys can be forgotten. */
    private static final long HORIZON_MILLIS = 10 * 60_000;

    private final AwsSession aws;
    private final StepContext ctx;
    private final String group;
    private final List<String> streams;
    private final String streamPrefix;
    private final String filter;
    /** Event key (stream, time, text) → its timestamp. */
    private final Map<String, Long> seen = new HashMap<>();
    private final AtomicLong cursor;
    private long newest;
    private int shown;
    private final AtomicLong requests = new AtomicLong();

    LogTail(AwsSession aws, StepContext ctx, String group, List<String> streams, String streamPrefix, String filter, long startMillis) {
        this.aws = aws;
        this.ctx = ctx;
        this.group = group;
        this.streams = streams == null ? List.of() : streams;
        this.streamPrefix = streamPrefix;
        this.filter = filter;
        this.cursor = new AtomicLong(startMillis);
    }

    synchronized int shown() {
        return shown;
    }

    /** Calls made to CloudWatch Logs so far (FilterLogEvents pages, and one per live session). */
    long requests() {
        return requests.get();
    }

    /** Follows until {@code done} says so (then reads what is left once more) or the thread is interrupted. */
    void follow(BooleanSupplier done, Duration interval, boolean tryLive) throws InterruptedException {
        try {
            followUntil(done, interval, tryLive);
        } finally {
            // What following cost, for the operator (the account's FilterLogEvents quota is shared) and the benchmark.
            ctx.note("tail of " + group + ": " + shown() + " events, " + requests() + " requests to CloudWatch Logs");
        }
    }

    private void followUntil(BooleanSupplier done, Duration interval, boolean tryLive) throws InterruptedException {
        if (tryLive && live(done)) {
            poll();
            return;
        }
        Duration every = interval.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : interval;
        ctx.note("following " + group + " by polling FilterLogEvents every " + every.toMillis() + "ms");
        while (true) {
            boolean last = done.getAsBoolean();
            poll();
            if (last) return;
            Thread.sleep(every.toMillis());
        }
    }

    /** One FilterLogEvents pass from the cursor, all pages. */
    void poll() {
        CloudWatchLogsClient logs = aws.logs();
        String token = null;
        List<FilteredLogEvent> fresh = new ArrayList<>();
        do {
            FilterLogEventsRequest.Builder b = FilterLogEventsRequest.builder().logGroupName(group).startTime(cursor.get());
            if (!streams.isEmpty()) b.logStreamNames(streams);
            else if (streamPrefix != null) b.logStreamNamePrefix(streamPrefix);
            if (filter != null) b.filterPattern(filter);
            if (token != null) b.nextToken(token);
            FilterLogEventsResponse r;
            requests.incrementAndGet();
            try {
                r = logs.filterLogEvents(b.build());
            } catch (software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException e) {
                return;
            }
            fresh.addAll(r.events());
            token = r.nextToken();
        } while (token != null);
        fresh.sort((x, y) -> Long.compare(x.timestamp(), y.timestamp()));
        synchronized (this) {
            for (FilteredLogEvent e : fresh) offer(e.logStreamName(), e.timestamp(), e.message());
        }
    }

    /** Whether an event of this stream belongs to the tail. */
    private boolean wanted(String stream) {
        if (stream == null) return streams.isEmpty() && streamPrefix == null;
        if (!streams.isEmpty()) return streams.contains(stream);
        return streamPrefix == null || stream.startsWith(streamPrefix);
    }

    /** Shows an event unless it is another stream's or was shown already. Callers hold the lock. */
    private void offer(String stream, long timestamp, String message) {
        if (!wanted(stream)) return;
        String key = stream + "|" + timestamp + "|" + message;
        if (seen.putIfAbsent(key, timestamp) != null) return;
        if (timestamp > newest) {
            newest = timestamp;
            seen.values().removeIf(t -> t < newest - HORIZON_MILLIS);
        }
        cursor.set(Math.max(cursor.get(), timestamp));
        shown++;
        for (String line : message.split("\n")) ctx.line(line);
    }

    /**
     * StartLiveTail on the async client. Returns false when live tail is not available or
     * ends early (the caller polls from where it got to); true once {@code done} says so.
     */
    private boolean live(BooleanSupplier done) throws InterruptedException {
        String arn;
        try {
            requests.incrementAndGet();
            arn = aws.logs().describeLogGroups(b -> b.logGroupNamePrefix(group)).logGroups().stream()
                    .filter(g -> g.logGroupName().equals(group)).map(LogGroup::arn).findFirst().orElse(null);
        } catch (RuntimeException e) {
            arn = null;
        }
        if (arn == null) return false;
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicBoolean started = new AtomicBoolean();
        AtomicBoolean sampledSaid = new AtomicBoolean();
        // Live events wait here until the window before the step has been read and shown.
        List<LiveTailSessionLogEvent> early = new ArrayList<>();
        AtomicBoolean caughtUp = new AtomicBoolean();
        StartLiveTailRequest.Builder req = StartLiveTailRequest.builder().logGroupIdentifiers(arn.replaceAll(":\\*$", ""));
        if (!streams.isEmpty()) req.logStreamNames(streams);
        else if (streamPrefix != null) req.logStreamNamePrefixes(streamPrefix);
        if (filter != null) req.logEventFilterPattern(filter);
        StartLiveTailResponseHandler handler = StartLiveTailResponseHandler.builder()
                .onError(error::set)
                .subscriber(StartLiveTailResponseHandler.Visitor.builder()
                        .onSessionStart(s -> started.set(true))
                        .onSessionUpdate(u -> {
                            if (u.sessionMetadata() != null && Boolean.TRUE.equals(u.sessionMetadata().sampled())
                                    && sampledSaid.compareAndSet(false, true)) {
                                ctx.note("warning: live tail is sampling this log: not every event is shown");
                            }
                            synchronized (this) {
                                if (!caughtUp.get()) {
                                    early.addAll(u.sessionResults());
                                    return;
                                }
                                for (LiveTailSessionLogEvent e : u.sessionResults()) offer(e.logStreamName(), e.timestamp(), e.message());
                            }
                        })
                        .build())
                .build();
        CompletableFuture<Void> session;
        try {
            requests.incrementAndGet();
            session = aws.logsAsync().startLiveTail(req.build(), handler);
        } catch (RuntimeException e) {
            return false;
        }
        try {
            while (!started.get()) {
                if (error.get() != null || session.isDone()) {
                    ctx.note("live tail is not available here (" + AwsErrors.describe(error.get() != null
                            ? error.get() : new IllegalStateException("session refused")) + ")");
                    return false;
                }
                if (done.getAsBoolean()) return true;
                Thread.sleep(20);
            }
            ctx.note("following " + group + " live (StartLiveTail)");
            poll();
            synchronized (this) {
                for (LiveTailSessionLogEvent e : early) offer(e.logStreamName(), e.timestamp(), e.message());
                early.clear();
                caughtUp.set(true);
            }
            while (!done.getAsBoolean()) {
                if (error.get() != null || session.isDone()) {
                    ctx.note("live tail ended (" + AwsErrors.describe(error.get() != null ? error.get()
                            : new IllegalStateException("session closed")) + "); polling from here");
                    return false;
                }
                Thread.sleep(100);
            }
            return true;
        } finally {
            session.cancel(true);
        }
    }
}
