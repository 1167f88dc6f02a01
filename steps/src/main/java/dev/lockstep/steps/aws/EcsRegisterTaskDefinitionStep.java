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
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/**
 * {@code ecs.register-task-definition}: registers a task definition from a JSON or YAML
 * file beside the runbook, with expressions in its values; outputs the new revision's
 * ARN. Rolling back deregisters that revision.
 *
 * <pre>
 * - id: register
 *   uses: ecs.register-task-definition
 *   with: { file: rds-cutover/migrate-task.json }
 *   outputs: { arn: "${{ result.arn }}" }
 * </pre>
 */
public final class EcsRegisterTaskDefinitionStep implements StepType<EcsRegisterTaskDefinitionStep.Config> {
    private static final String ARN = "taskDefinitionArn";

    public record Config(@Key(value = "the task definition file, relative to the runbook", required = true) String file) {}

    @Override
    public String name() {
        return "ecs.register-task-definition";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "register a task definition from a JSON or YAML `file` (as for `--cli-input-json`) with expressions "
                + "in its values; rollback deregisters it";
    }

    @Override
    public String example() {
        return """
                - id: register
                  uses: ecs.register-task-definition
                  with: { file: rds-cutover/migrate-task.json }
                  outputs: { arn: "${{ result.arn }}" }
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("arn", ResultShape.VALUE, "family", ResultShape.VALUE, "revision", ResultShape.VALUE);
    }

    @Override
    public List<String> plan(Config c) {
        return List.of("register the ECS task definition in " + c.file() + " (its values resolved when the step runs)");
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws Exception {
        RegisterTaskDefinitionRequest request = TaskDefinitionFile.read(ctx.workDir().resolve(c.file()), ctx);
        try {
            TaskDefinition td = AwsSession.of(ctx.settings()).ecs().registerTaskDefinition(request).taskDefinition();
            ctx.recordExternalId(ARN, td.taskDefinitionArn());
            ctx.line("registered " + td.taskDefinitionArn());
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("arn", td.taskDefinitionArn());
            data.put("family", td.family());
            data.put("revision", td.revision());
            return StepResult.ok("registered " + td.family() + ":" + td.revision(), data);
        } catch (SdkException e) {
            return AwsErrors.failed(e);
        }
    }

    @Override
    public boolean undoesItself() {
        return true;
    }

    @Override
    public List<String> planRollback(Config c) {
        return List.of("deregister the task definition this step registered from " + c.file() + " (its ARN is journaled)");
    }

    @Override
    public StepResult rollback(Config c, StepContext ctx) {
        String arn = ctx.externalIds().get(ARN);
        if (arn == null) return StepResult.ok("nothing was registered", Map.of());
        try {
            AwsSession.of(ctx.settings()).ecs().deregisterTaskDefinition(b -> b.taskDefinition(arn));
            ctx.line("deregistered " + arn);
            return StepResult.ok("deregistered " + arn, Map.of("arn", arn));
        } catch (SdkException e) {
            return AwsErrors.failed(e);
        }
    }
}
