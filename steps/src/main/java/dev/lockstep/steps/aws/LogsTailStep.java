package dev.lockstep.steps.aws;

import dev.lockstep.runbook.Value;
import dev.lockstep.step.Key;
import dev.lockstep.step.ResultShape;
import dev.lockstep.step.StepContext;
import dev.lockstep.step.StepResult;
import dev.lockstep.step.StepType;
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
            @Key("log stream names") List<String> streams,
            @Key("a log stream name prefix") String streamPrefix,
            @Key("a CloudWatch Logs filter pattern") String filter,
            @Key("also show events from this long before the step starts (default 0s)") Duration since,
            @Key("use StartLiveTail when available (default true); else FilterLogEvents polling") Boolean liveTail,
            @Key("polling interval (default 1s, at least 500ms)") Duration interval) {
        public Config {
            streams = streams == null ? List.of() : streams;
            if (!streams.isEmpty() && streamPrefix != null) {
                throw new IllegalArgumentException("give streams or streamPrefix, not both");
            }
            since = since == null ? Duration.ZERO : since;
            liveTail = liveTail == null || liveTail;
            interval = interval == null ? Duration.ofSeconds(1) : interval;
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
    public boolean readOnly(Config c) {
        return true;
    }

    @Override
    public List<String> plan(Config c) {
        List<String> lines = new ArrayList<>();
        lines.add("follow log group " + c.group() + (c.streams().isEmpty() ? "" : " streams " + String.join(", ", c.streams()))
                + (c.streamPrefix() != null ? " streams starting " + c.streamPrefix() : "")
                + (c.filter() != null ? " matching " + c.filter() : ""));
        lines.add(c.liveTail() ? "live tail, or polling every " + c.interval().toMillis() + "ms when live tail is unavailable"
                : "polling every " + c.interval().toMillis() + "ms");
        return lines;
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws InterruptedException {
        try {
            AwsSession aws = AwsSession.of(ctx.settings());
            LogTail tail = new LogTail(aws, ctx, c.group(), c.streams(), c.streamPrefix(), c.filter(),
                    System.currentTimeMillis() - c.since().toMillis());
            tail.follow(() -> false, c.interval(), c.liveTail());
            return StepResult.ok("tail ended after " + tail.shown() + " events", Map.of("events", tail.shown()));
        } catch (SdkException e) {
            return AwsErrors.failed(e);
        }
    }
}
