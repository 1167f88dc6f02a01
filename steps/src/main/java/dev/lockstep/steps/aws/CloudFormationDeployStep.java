package dev.lockstep.steps.aws;

import dev.lockstep.runbook.Digests;
import dev.lockstep.runbook.Value;
import dev.lockstep.step.Key;
import dev.lockstep.step.Reconciliation;
import dev.lockstep.step.ResultShape;
import dev.lockstep.step.StepContext;
import dev.lockstep.step.StepResult;
import dev.lockstep.step.StepType;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Change;
import software.amazon.awssdk.services.cloudformation.model.ChangeSetType;
import software.amazon.awssdk.services.cloudformation.model.DescribeChangeSetResponse;
import software.amazon.awssdk.services.cloudformation.model.Output;
import software.amazon.awssdk.services.cloudformation.model.Parameter;
import software.amazon.awssdk.services.cloudformation.model.ResourceChange;
import software.amazon.awssdk.services.cloudformation.model.StackEvent;

/**
 * {@code cloudformation.deploy}: creates or updates a stack through a change set.
 * Dry-run builds the change set, shows each resource change (add, modify, remove,
 * replacement) and deletes it unexecuted. A run creates it, shows it, executes it and
 * waits, showing the stack's events; on failure it names the resources that failed and
 * why. The change set's name is fixed by the run, and its ARN is journaled: a resumed
 * step finds the update it started instead of starting another.
 *
 * <pre>
 * - id: add-rds
 *   uses: cloudformation.deploy
 *   with:
 *     stack: "${{ params.stack }}"
 *     template: rds-cutover/with-rds.yaml
 *     parameters: { DBPassword: "${{ params.db_password }}" }
 *     usePrevious: [RelaySecretKey, AdminPubkey]
 *   timeout: 30m
 * </pre>
 */
public final class CloudFormationDeployStep implements StepType<CloudFormationDeployStep.Config> {
    private static final String CHANGE_SET = "changeSet";
    private static final String EXECUTED = "executed";

    public record Config(
            @Key(value = "the stack's name", required = true) String stack,
            @Key(value = "the template file, relative to the runbook", required = true) String template,
            @Key("parameter values (a secret parameter's value is never shown)") Map<String, String> parameters,
            @Key("parameters that keep their current value") List<String> usePrevious,
            @Key("capabilities to acknowledge (default CAPABILITY_IAM, CAPABILITY_NAMED_IAM)") List<String> capabilities,
            @Key("how often to look (default 5s)") Duration interval) {
        public Config {
            parameters = parameters == null ? Map.of() : parameters;
            usePrevious = usePrevious == null ? List.of() : usePrevious;
            capabilities = capabilities == null ? List.of("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM") : capabilities;
            interval = interval == null ? Duration.ofSeconds(5) : interval;
        }
    }

    @Override
    public String name() {
        return "cloudformation.deploy";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String example() {
        return """
                - id: add-rds
                  uses: cloudformation.deploy
                  with:
                    stack: "${{ params.stack }}"
                    template: rds-cutover/with-rds.yaml
                    parameters: { DBPassword: "${{ params.db_password }}" }
                    usePrevious: [RelaySecretKey, AdminPubkey]
                  timeout: 30m
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("status", ResultShape.VALUE, "outputs", ResultShape.mapOf(ResultShape.VALUE));
    }

    @Override
    public List<String> plan(Config c) {
        List<String> lines = new ArrayList<>();
        lines.add("deploy " + c.template() + " to stack " + c.stack() + " through a change set");
        c.parameters().forEach((k, v) -> lines.add("parameter " + k + " = " + v));
        if (!c.usePrevious().isEmpty()) lines.add("keep the current value of " + String.join(", ", c.usePrevious()));
        return lines;
    }

    /** Builds the change set, describes it, deletes it: the changes, nothing changed. */
    @Override
    public List<String> preview(Config c, StepContext ctx) throws Exception {
        List<String> lines = new ArrayList<>(plan(c));
        CloudFormationClient cf = AwsSession.of(ctx.settings()).cloudFormation();
        String name = "lockstep-preview-" + Long.toHexString(System.nanoTime());
        String arn = create(cf, c, ctx, name);
        try {
            DescribeChangeSetResponse d = awaitChangeSet(cf, arn, c.interval());
            lines.addAll(describe(d));
        } finally {
            cf.deleteChangeSet(b -> b.changeSetName(arn));
        }
        return lines;
    }

    @Override
    public Reconciliation reconcile(Config c, Map<String, String> externalIds, boolean idempotent) {
        return Reconciliation.RERUN;
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws Exception {
        try {
            CloudFormationClient cf = AwsSession.of(ctx.settings()).cloudFormation();
            Instant since = Instant.now().minusSeconds(1);
            String arn = ctx.externalIds().get(CHANGE_SET);
            if (ctx.externalIds().containsKey(EXECUTED)) {
                ctx.line("re-attaching to the update started by change set " + arn);
            } else {
                if (arn == null) {
                    String name = "lockstep-" + AwsErrors.runToken(ctx, 20);
                    arn = create(cf, c, ctx, name);
                    ctx.recordExternalId(CHANGE_SET, arn);
                } else {
                    ctx.line("re-attaching to change set " + arn);
                }
                DescribeChangeSetResponse d = awaitChangeSet(cf, arn, c.interval());
                if (d.statusAsString().equals("FAILED")) {
                    String why = String.valueOf(d.statusReason());
                    if (why.contains("didn't contain changes") || why.contains("No updates")) {
                        ctx.line("no changes to deploy");
                        return StepResult.ok("stack " + c.stack() + " is already up to date", result(cf, c.stack()));
                    }
                    return StepResult.failed("change set failed: " + why, Map.of());
                }
                describe(d).forEach(ctx::line);
                String changeSet = arn;
                cf.executeChangeSet(b -> b.changeSetName(changeSet).clientRequestToken(
                        Digests.sha256(changeSet).substring(0, 32)));
                ctx.recordExternalId(EXECUTED, "true");
            }
            return awaitStack(cf, c, ctx, since);
        } catch (SdkException e) {
            return AwsErrors.failed(e);
        }
    }

    private static String create(CloudFormationClient cf, Config c, StepContext ctx, String name) throws Exception {
        String body = Files.readString(ctx.workDir().resolve(c.template()));
        boolean exists = (boolean) CloudFormationStatusStep.status(cf, c.stack()).get("exists");
        List<Parameter> params = new ArrayList<>();
        c.parameters().forEach((k, v) -> params.add(Parameter.builder().parameterKey(k).parameterValue(v).build()));
        for (String k : c.usePrevious()) params.add(Parameter.builder().parameterKey(k).usePreviousValue(true).build());
        return cf.createChangeSet(b -> b.stackName(c.stack()).changeSetName(name).templateBody(body).parameters(params)
                .capabilitiesWithStrings(c.capabilities())
                .changeSetType(exists ? ChangeSetType.UPDATE : ChangeSetType.CREATE)).id();
    }

    private static DescribeChangeSetResponse awaitChangeSet(CloudFormationClient cf, String arn, Duration interval)
            throws InterruptedException {
        while (true) {
            DescribeChangeSetResponse d = cf.describeChangeSet(b -> b.changeSetName(arn));
            String s = d.statusAsString();
            if (s.equals("CREATE_COMPLETE") || s.equals("FAILED")) return d;
            Thread.sleep(interval.toMillis());
        }
    }

    private static List<String> describe(DescribeChangeSetResponse d) {
        List<String> lines = new ArrayList<>();
        if (d.changes().isEmpty()) lines.add("change set: no resource changes");
        for (Change ch : d.changes()) {
            ResourceChange r = ch.resourceChange();
            lines.add(String.format("%-7s %s (%s)%s", r.actionAsString(), r.logicalResourceId(), r.resourceType(),
                    r.replacementAsString() == null ? "" : " replacement: " + r.replacementAsString()));
        }
        return lines;
    }

    private static StepResult awaitStack(CloudFormationClient cf, Config c, StepContext ctx, Instant since)
            throws InterruptedException {
        Set<String> shown = new HashSet<>();
        List<String> failed = new ArrayList<>();
        while (true) {
            List<StackEvent> events = new ArrayList<>(cf.describeStackEvents(b -> b.stackName(c.stack())).stackEvents());
            java.util.Collections.reverse(events);
            for (StackEvent e : events) {
                if (e.timestamp() == null || e.timestamp().isBefore(since) || !shown.add(e.eventId())) continue;
                ctx.line(e.logicalResourceId() + " " + e.resourceStatusAsString()
                        + (e.resourceStatusReason() != null ? ": " + e.resourceStatusReason() : ""));
                if (e.resourceStatusAsString().endsWith("_FAILED")) {
                    failed.add(e.logicalResourceId() + " (" + e.resourceStatusReason() + ")");
                }
            }
            String status = (String) CloudFormationStatusStep.status(cf, c.stack()).get("status");
            if (status.endsWith("_IN_PROGRESS")) {
                Thread.sleep(c.interval().toMillis());
                continue;
            }
            Map<String, Object> data = result(cf, c.stack());
            if (status.endsWith("_COMPLETE") && !status.contains("ROLLBACK")) {
                return StepResult.ok("stack " + c.stack() + " is " + status, data);
            }
            return StepResult.failed("stack " + c.stack() + " is " + status
                    + (failed.isEmpty() ? "" : "; failed: " + String.join(", ", failed)), data);
        }
    }

    private static Map<String, Object> result(CloudFormationClient cf, String stack) {
        Map<String, Object> outputs = new LinkedHashMap<>();
        var s = cf.describeStacks(b -> b.stackName(stack)).stacks().get(0);
        for (Output o : s.outputs()) outputs.put(o.outputKey(), o.outputValue());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", s.stackStatusAsString());
        data.put("outputs", outputs);
        return data;
    }
}
