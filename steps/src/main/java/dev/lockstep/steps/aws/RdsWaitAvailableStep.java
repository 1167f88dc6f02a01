package dev.lockstep.steps.aws;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.time.Duration;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.rds.model.DBInstance;

/**
 * {@code rds.wait-available}: waits until an RDS instance is available (give the step a
 * {@code timeout}); outputs its address and port.
 *
 * <pre>
 * - id: db-ready
 *   uses: rds.wait-available
 *   with: { instance: "${{ params.stack }}-db" }
 *   timeout: 20m
 * </pre>
 */
public final class RdsWaitAvailableStep implements StepType<RdsWaitAvailableStep.Config> {
    public record Config(
            @Key(value = "the DB instance identifier", required = true) String instance,
            @Key("how often to look (default 15s)") Duration interval) {
        public Config {
            interval = interval == null ? Duration.ofSeconds(15) : interval;
        }
    }

    @Override
    public String name() {
        return "rds.wait-available";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "wait until an instance is available";
    }

    @Override
    public String example() {
        return """
                - id: db-ready
                  uses: rds.wait-available
                  with: { instance: "${{ params.stack }}-db" }
                  timeout: 20m
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return RdsInstances.SHAPE;
    }

    @Override
    public boolean readsOnly() {
        return true;
    }

    @Override
    public List<String> plan(Config c) {
        return List.of("wait until RDS instance " + c.instance() + " is available");
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws InterruptedException {
        try {
            RdsClient rds = AwsSession.of(ctx.settings()).rds();
            String last = null;
            while (true) {
                DBInstance i = RdsInstances.describe(rds, c.instance());
                if (!i.dbInstanceStatus().equals(last)) {
                    last = i.dbInstanceStatus();
                    ctx.line(c.instance() + " is " + last);
                }
                if ("available".equals(last)) return StepResult.ok(c.instance() + " is available", RdsInstances.data(i));
                Thread.sleep(c.interval().toMillis());
            }
        } catch (SdkException e) {
            return AwsErrors.failed(e);
        }
    }
}
