package dev.lockstep.steps.aws;

import dev.lockstep.step.StepContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * polling, which moves a time cursor forward and drops events it has already shown
 * (by event id, and by stream, time and text for events first seen live), so nothing
 * is shown twice and nothing is missed.
 */
final class LogTail {
    /** Polls at most this often: the account-wide FilterLogEvents quota is 5 per second. */
    static final Duration MIN_INTERVAL = Duration.ofMillis(500);

    private final AwsSession aws;
    private final StepContext ctx;
    private final String group;
    private final List<String> streams;
    private final String streamPrefix;
    private final String filter;
    private final Set<String> seen = new HashSet<>();
    private final AtomicLong cursor;
    private long seenAt;
    private int shown;

    LogTail(AwsSession aws, StepContext ctx, String group, List<String> streams, String streamPrefix, String filter, long startMillis) {
        this.aws = aws;
        this.ctx = ctx;
        this.group = group;
        this.streams = streams == null ? List.of() : streams;
        this.streamPrefix = streamPrefix;
        this.filter = filter;
        this.cursor = new AtomicLong(startMillis);
    }

    int shown() {
        return shown;
    }

    /** Follows until {@code done} says so (then reads what is left once more) or the thread is interrupted. */
    void follow(BooleanSupplier done, Duration interval, boolean tryLive) throws InterruptedException {
        if (tryLive && live(done)) return;
        Duration every = interval.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : interval;
        if (tryLive) ctx.line("[lockstep] following " + group + " by polling FilterLogEvents every " + every.toMillis() + "ms");
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
            try {
                r = logs.filterLogEvents(b.build());
            } catch (software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException e) {
                return;
            }
            fresh.addAll(r.events());
            token = r.nextToken();
        } while (token != null);
        fresh.sort((x, y) -> Long.compare(x.timestamp(), y.timestamp()));
        for (FilteredLogEvent e : fresh) {
            if (seen.contains(e.eventId()) || seen.contains(key(e.logStreamName(), e.timestamp(), e.message()))) continue;
            remember(e.eventId(), e.timestamp());
            emit(e.message());
        }
    }

    private void remember(String id, long timestamp) {
        if (timestamp > seenAt) {
            // Events older than the cursor are never fetched again: forget them, so memory stays bounded.
            seen.clear();
            seenAt = timestamp;
        }
        seen.add(id);
        cursor.set(Math.max(cursor.get(), timestamp));
    }

    private void emit(String message) {
        shown++;
        for (String line : message.split("\n")) ctx.line(line);
    }

    private static String key(String stream, long timestamp, String message) {
        return stream + "|" + timestamp + "|" + message;
    }

    /**
     * StartLiveTail on the async client. Returns false when live tail is not available
     * (the caller polls instead); true once {@code done} says so.
     */
    private boolean live(BooleanSupplier done) throws InterruptedException {
        String arn;
        try {
            arn = aws.logs().describeLogGroups(b -> b.logGroupNamePrefix(group)).logGroups().stream()
                    .filter(g -> g.logGroupName().equals(group)).map(LogGroup::arn).findFirst().orElse(null);
        } catch (RuntimeException e) {
            arn = null;
        }
        if (arn == null) return false;
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicBoolean started = new AtomicBoolean();
        AtomicBoolean sampledSaid = new AtomicBoolean();
        StartLiveTailRequest.Builder req = StartLiveTailRequest.builder().logGroupIdentifiers(arn.replaceAll(":\\*$", ""));
        if (!streams.isEmpty()) req.logStreamNames(streams);
        else if (streamPrefix != null) req.logStreamNamePrefixes(streamPrefix);
        if (filter != null) req.logEventFilterPattern(filter);
        StartLiveTailResponseHandler handler = StartLiveTailResponseHandler.builder()
                .onError(error::set)
                .subscriber(StartLiveTailResponseHandler.Visitor.builder()
                        .onSessionStart(s -> {
                            started.set(true);
                            ctx.line("[lockstep] following " + group + " live (StartLiveTail)");
                        })
                        .onSessionUpdate(u -> {
                            if (u.sessionMetadata() != null && Boolean.TRUE.equals(u.sessionMetadata().sampled())
                                    && sampledSaid.compareAndSet(false, true)) {
                                ctx.line("[lockstep] warning: live tail is sampling this log: not every event is shown");
                            }
                            synchronized (this) {
                                for (LiveTailSessionLogEvent e : u.sessionResults()) {
                                    String k = key(e.logStreamName(), e.timestamp(), e.message());
                                    if (seen.contains(k)) continue;
                                    remember(k, e.timestamp());
                                    emit(e.message());
                                }
                            }
                        })
                        .build())
                .build();
        CompletableFuture<Void> session;
        try {
            session = aws.logsAsync().startLiveTail(req.build(), handler);
        } catch (RuntimeException e) {
            return false;
        }
        try {
            while (!done.getAsBoolean()) {
                if (error.get() != null || session.isCompletedExceptionally()) {
                    if (!started.get()) {
                        ctx.line("[lockstep] live tail is not available here (" + AwsErrors.describe(error.get() != null
                                ? error.get() : new IllegalStateException("session refused")) + ")");
                        return false;
                    }
                    ctx.line("[lockstep] live tail ended (" + AwsErrors.describe(error.get() != null ? error.get()
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
