package dev.lockstep.steps.aws;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.Stack;

/**
 * {@code cloudformation.status}: a stack's status (DOES_NOT_EXIST when there is none),
 * usually as a precondition.
 *
 * <pre>
 * check:
 *   - uses: cloudformation.status
 *     with: { stack: "${{ params.stack }}" }
 *     expect: { status: [CREATE_COMPLETE, UPDATE_COMPLETE] }
 * </pre>
 */
public final class CloudFormationStatusStep implements StepType<CloudFormationStatusStep.Config> {
    public static final String DOES_NOT_EXIST = "DOES_NOT_EXIST";

    public record Config(@Key(value = "the stack's name or id", required = true) String stack) {}

    @Override
    public String name() {
        return "cloudformation.status";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "a stack's status (`DOES_NOT_EXIST` when there is none); read-only, usually a check";
    }

    @Override
    public String example() {
        return """
                check:
                  - uses: cloudformation.status
                    with: { stack: "${{ params.stack }}" }
                    expect: { status: [CREATE_COMPLETE, UPDATE_COMPLETE] }
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("status", ResultShape.VALUE, "reason", ResultShape.VALUE, "exists", ResultShape.VALUE);
    }

    @Override
    public boolean readsOnly() {
        return true;
    }

    @Override
    public List<String> plan(Config c) {
        return List.of("read the status of stack " + c.stack());
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) {
        try {
            Map<String, Object> data = status(AwsSession.of(ctx.settings()).cloudFormation(), c.stack());
            return StepResult.ok("stack " + c.stack() + " is " + data.get("status"), data);
        } catch (SdkException e) {
            return AwsErrors.failed(e);
        }
    }

    /** {status, reason, exists} of a stack; a missing stack is a status, not an error. */
    static Map<String, Object> status(CloudFormationClient cf, String stack) {
        Map<String, Object> data = new LinkedHashMap<>();
        try {
            Stack s = cf.describeStacks(b -> b.stackName(stack)).stacks().get(0);
            data.put("status", s.stackStatusAsString());
            data.put("reason", s.stackStatusReason());
            data.put("exists", true);
        } catch (CloudFormationException e) {
            if (!String.valueOf(e.awsErrorDetails().errorMessage()).contains("does not exist")) throw e;
            data.put("status", DOES_NOT_EXIST);
            data.put("exists", false);
        }
        return data;
    }
}
