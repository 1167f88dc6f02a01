package dev.lockstep.steps.aws;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.rds.model.DBInstance;

/**
 * {@code rds.endpoint}: an RDS instance's address, port and status.
 *
 * <pre>
 * - id: db
 *   uses: rds.endpoint
 *   with: { instance: "${{ params.stack }}-db" }
 *   outputs: { host: "${{ result.address }}" }
 * </pre>
 */
public final class RdsEndpointStep implements StepType<RdsEndpointStep.Config> {
    public record Config(@Key(value = "the DB instance identifier", required = true) String instance) {}

    @Override
    public String name() {
        return "rds.endpoint";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "an instance's address and port";
    }

    @Override
    public String example() {
        return """
                - id: db
                  uses: rds.endpoint
                  with: { instance: "${{ params.stack }}-db" }
                  outputs: { host: "${{ result.address }}" }
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
        return List.of("read the endpoint of RDS instance " + c.instance());
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) {
        try {
            DBInstance i = RdsInstances.describe(AwsSession.of(ctx.settings()).rds(), c.instance());
            Map<String, Object> data = RdsInstances.data(i);
            return StepResult.ok(c.instance() + " is " + i.dbInstanceStatus() + " at " + data.get("address") + ":" + data.get("port"), data);
        } catch (SdkException e) {
            return AwsErrors.failed(e);
        }
    }
}
