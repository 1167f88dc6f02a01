package dev.lockstep.steps.basic;

import dev.lockstep.spi.Check;
import dev.lockstep.spi.Durations;
import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code wait}: polls a check until it holds, or fails when the timeout passes.
 *
 * <pre>
 * - id: wait-healthy
 *   uses: wait
 *   with:
 *     until: { run: curl -fsS localhost:8080/health, readOnly: true }
 *     interval: 5s
 *     timeout: 2m
 * </pre>
 */
public final class WaitStep implements StepType<WaitStep.Config> {
    public record Config(
            @Key(value = "the check to poll (run or uses, with, expect)", required = true) Check until,
            @Key("time between polls (default 5s)") Duration interval,
            @Key("give up after this long (default 5m)") Duration timeout) {
        public Config {
            if (interval == null) interval = Duration.ofSeconds(5);
            if (timeout == null) timeout = Duration.ofMinutes(5);
            if (interval.isZero()) throw new IllegalArgumentException("interval must be more than 0");
        }
    }

    @Override
    public String name() {
        return "wait";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "polls the check `until` every `interval` (5s) until it holds, or fails after `timeout` (5m)";
    }

    @Override
    public String example() {
        return """
                - id: wait-healthy
                  uses: wait
                  with:
                    until: { run: curl -fsS localhost:8080/health, readOnly: true }
                    interval: 5s
                    timeout: 2m
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("polls", ResultShape.VALUE, "observed", ResultShape.VALUE);
    }

    @Override
    public boolean readOnly(Config c) {
        return c.until() != null && c.until().readOnly();
    }

    @Override
    public List<String> plan(Config c) {
        return List.of("poll " + c.until().action().uses() + " every " + Durations.format(c.interval())
                + " until it holds" + (c.until().expect() != null ? " " + c.until().expect().plain() : "")
                + ", for at most " + Durations.format(c.timeout()));
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws Exception {
        long deadline = System.nanoTime() + c.timeout().toNanos();
        for (int poll = 1; ; poll++) {
            StepContext.CheckOutcome o = ctx.evaluate(c.until());
            ctx.line("poll " + poll + ": " + (o.holds() ? "holds" : "not yet") + " (" + o.observed() + ")");
            if (o.holds()) {
                return StepResult.ok("held after " + poll + " poll(s)", Map.of("polls", poll, "observed", o.observed()));
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return StepResult.failed("timed out after " + Durations.format(c.timeout()) + ": " + o.observed(),
                        Map.of("polls", poll, "observed", o.observed()));
            }
            Thread.sleep(Math.min(c.interval().toMillis(), Math.max(1, left / 1_000_000)));
        }
    }
}
