package dev.lockstep.steps.aws;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Output;

/**
 * {@code cloudformation.outputs}: a stack's outputs, and the physical ids of named
 * resources, for later steps (the seed reads RDSEndpoint, subnets, security groups,
 * roles and the log group this way).
 *
 * <pre>
 * - id: ids
 *   uses: cloudformation.outputs
 *   with: { stack: "${{ params.stack }}", resources: [PublicSubnet1, ECSSecurityGroup, CloudWatchLogGroup] }
 *   outputs:
 *     rds_endpoint: "${{ result.outputs.RDSEndpoint }}"
 *     log_group: "${{ result.resources.CloudWatchLogGroup }}"
 * </pre>
 */
public final class CloudFormationOutputsStep implements StepType<CloudFormationOutputsStep.Config> {
    public record Config(
            @Key(value = "the stack's name or id", required = true) String stack,
            @Key("logical ids of resources whose physical ids are wanted") List<String> resources) {
        public Config {
            resources = resources == null ? List.of() : resources;
        }
    }

    @Override
    public String name() {
        return "cloudformation.outputs";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "a stack's outputs and the physical ids of `resources` (logical ids)";
    }

    @Override
    public String example() {
        return """
                - id: ids
                  uses: cloudformation.outputs
                  with: { stack: "${{ params.stack }}", resources: [PublicSubnet1, CloudWatchLogGroup] }
                  outputs:
                    rds_endpoint: "${{ result.outputs.RDSEndpoint }}"
                    log_group: "${{ result.resources.CloudWatchLogGroup }}"
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("outputs", ResultShape.mapOf(ResultShape.VALUE), "resources", ResultShape.mapOf(ResultShape.VALUE));
    }

    @Override
    public boolean readsOnly() {
        return true;
    }

    @Override
    public List<String> plan(Config c) {
        List<String> lines = new ArrayList<>();
        lines.add("read the outputs of stack " + c.stack());
        if (!c.resources().isEmpty()) lines.add("and the physical ids of " + String.join(", ", c.resources()));
        return lines;
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) {
        try {
            CloudFormationClient cf = AwsSession.of(ctx.settings()).cloudFormation();
            Map<String, Object> outputs = new LinkedHashMap<>();
            for (Output o : cf.describeStacks(b -> b.stackName(c.stack())).stacks().get(0).outputs()) {
                outputs.put(o.outputKey(), o.outputValue());
            }
            Map<String, Object> resources = new LinkedHashMap<>();
            for (String logical : c.resources()) {
                resources.put(logical, cf.describeStackResource(b -> b.stackName(c.stack()).logicalResourceId(logical))
                        .stackResourceDetail().physicalResourceId());
            }
            outputs.forEach((k, v) -> ctx.line("output " + k + " = " + v));
            resources.forEach((k, v) -> ctx.line("resource " + k + " = " + v));
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("outputs", outputs);
            data.put("resources", resources);
            return StepResult.ok(outputs.size() + " outputs, " + resources.size() + " resources of " + c.stack(), data);
        } catch (SdkException e) {
            return AwsErrors.failed(e);
        }
    }
}
