package dev.lockstep.steps.aws;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * {@code logs.tail}: follows a CloudWatch Logs group. It ends only through the step's
 * {@code logs.until} (success), {@code logs.haltOn} (halts the run) or {@code timeout}
 * (fails), so give it at least one of them.
 *
 * <pre>
 * - id: watch
 *   uses: logs.tail
 *   with: { group: "${{ steps.ids.outputs.log_group }}", streamPrefix: migrate }
 *   logs: { haltOn: [MISMATCH], until: "Migration completed successfully" }
 *   timeout: 30m
 * </pre>
 */
public final class LogsTailStep implements StepType<LogsTailStep.Config> {
    public record Config(
            @Key(value = "the log group's name", required = true) String group,
            @Key("exactly these log streams (such as a task's logStream, or ecs.scale's logStreams)") List<String> streams,
            @Key("a log stream name prefix") String streamPrefix,
            @Key("a CloudWatch Logs filter pattern") String filter,
            @Key("where to start reading: a duration before the step starts (10m), or an instant such as "
                    + "${{ steps.ID.startedAt }} (default 0s: only what comes next)") String since,
            @Key("use StartLiveTail when available (default true); else FilterLogEvents polling") Boolean liveTail,
            @Key("polling interval (default 1s, at least 500ms)") Duration interval) {
        public Config {
            if (streams != null && streams.isEmpty()) {
                // An expression that named no stream (a scale that started no task) must not widen the tail to the whole group.
                throw new IllegalArgumentException("streams: the list is empty: name at least one stream, or leave streams out");
            }
            streams = streams == null ? List.of() : streams;
            if (!streams.isEmpty() && streamPrefix != null) {
                throw new IllegalArgumentException("give streams or streamPrefix, not both");
            }
            since = since == null || since.isBlank() ? "0s" : since.trim();
            startMillis(since, 0);
            liveTail = liveTail == null || liveTail;
            interval = interval == null ? Duration.ofSeconds(1) : interval;
        }
    }

    /**
     * When reading starts, in epoch milliseconds: {@code now} less a duration, or an absolute
     * instant (an ISO-8601 time such as a step's {@code startedAt}), so that lines older than
     * a step can neither satisfy nor halt the one that follows it.
     *
     * @throws IllegalArgumentException saying what was expected
     */
    static long startMillis(String since, long now) {
        if (since.matches("\\d{4}-.*")) {
            try {
                return java.time.Instant.parse(since).toEpochMilli();
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("since: expected an ISO-8601 instant such as 2026-01-31T02:00:00Z, got '"
                        + since + "'");
            }
        }
        try {
            return now - dev.lockstep.spi.Durations.parse(since).toMillis();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("since: expected " + e.getMessage() + ", or an instant such as ${{ steps.ID.startedAt }}");
        }
    }

    @Override
    public String name() {
        return "logs.tail";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "follow a log group: exactly the `streams` named (a task's `logStream`, `ecs.scale`'s `logStreams`; "
                + "an empty list is an error, never \"all\"), or a `streamPrefix`, and a `filter`; `since` is a "
                + "duration before the step (`10m`) or an instant (`${{ steps.ID.startedAt }}`), and that window is "
                + "read before going live. StartLiveTail, or FilterLogEvents polling (at most 1 call/s) where live tail"
                + " is not available; only the streams asked for are shown, whatever the service returns; never an "
                + "event twice; says at the end how many requests it made; ends by `until`, `haltOn` or `timeout`";
    }

    @Override
    public String example() {
        return """
                - id: watch
                  uses: logs.tail
                  with: { group: "${{ steps.ids.outputs.log_group }}", streamPrefix: migrate }
                  logs: { haltOn: [MISMATCH], until: "Migration completed successfully" }
                  timeout: 30m
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("events", ResultShape.VALUE);
    }

    @Override
    public boolean readsOnly() {
        return true;
    }

    @Override
    public List<String> plan(Config c) {
        List<String> lines = new ArrayList<>();
        lines.add("follow log group " + c.group() + (c.streams().isEmpty() ? "" : " streams " + String.join(", ", c.streams()))
                + (c.streamPrefix() != null ? " streams starting " + c.streamPrefix() : "")
                + (c.filter() != null ? " matching " + c.filter() : "")
                + (c.since().equals("0s") ? "" : c.since().matches("\\d{4}-.*") ? " from " + c.since() : " from " + c.since() + " before the step"));
        lines.add(c.liveTail() ? "live tail, or polling every " + c.interval().toMillis() + "ms when live tail is unavailable"
                : "polling every " + c.interval().toMillis() + "ms");
        return lines;
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws InterruptedException {
        try {
            AwsSession aws = AwsSession.of(ctx.settings());
            LogTail tail = new LogTail(aws, ctx, c.group(), c.streams(), c.streamPrefix(), c.filter(),
                    startMillis(c.since(), System.currentTimeMillis()));
            tail.follow(() -> false, c.interval(), c.liveTail());
            return StepResult.ok("tail ended after " + tail.shown() + " events", Map.of("events", tail.shown()));
        } catch (SdkException e) {
            return AwsErrors.failed(e);
        }
    }
}
