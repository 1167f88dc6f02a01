package dev.lockstep.steps.aws;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.Reconciliation;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;

/**
 * {@code ecs.run-task}: runs a one-off task (the migration), follows its container's
 * CloudWatch log stream (from the task definition's awslogs settings) so that
 * {@code logs.haltOn}/{@code logs.until} apply, waits until it stops, and reports the
 * container's exit code and the stop reason. The task's ARN is journaled as soon as it
 * is known, and the request carries an idempotency token: a resumed step re-attaches
 * to the same task instead of starting another, while a retry (after the task ended)
 * starts a new one. A task finishes by itself, so a {@code logs.until} line does not end
 * the step: the task's exit code still decides. A {@code haltOn} line stops the task
 * (StopTask) before the run halts, and the halt says so.
 *
 * <pre>
 * - id: migrate
 *   uses: ecs.run-task
 *   with:
 *     cluster: sphere-zooid-relay-cluster
 *     taskDefinition: sphere-zooid-relay-migrate
 *     launchType: FARGATE
 *     platformVersion: 1.4.0
 *     subnets: ["${{ steps.ids.outputs.subnet1 }}", "${{ steps.ids.outputs.subnet2 }}"]
 *     securityGroups: ["${{ steps.ids.outputs.ecs_sg }}"]
 *     assignPublicIp: true
 *   logs: { haltOn: [MISMATCH], until: "Migration completed successfully" }
 * </pre>
 */
public final class EcsRunTaskStep implements StepType<EcsRunTaskStep.Config> {
    static final String TASK_ARN = "taskArn";
    /** The last task whose end this step saw: a step that runs again after it starts a new task. */
    static final String TASK_ENDED = "taskEnded";

    public record Config(
            @Key(value = "the ECS cluster", required = true) String cluster,
            @Key(value = "family, family:revision or ARN", required = true) String taskDefinition,
            @Key("FARGATE or EC2") String launchType,
            @Key("Fargate platform version, such as 1.4.0") String platformVersion,
            @Key("subnets (awsvpc network mode)") List<String> subnets,
            @Key("security groups (awsvpc network mode)") List<String> securityGroups,
            @Key("give the task a public IP (default false)") Boolean assignPublicIp,
            @Key("the container whose exit code decides (default: the first essential one)") String container,
            @Key("environment overrides for that container") Map<String, String> environment,
            @Key("how often to look at the task (default 5s)") Duration interval,
            @Key("follow the container's log with StartLiveTail when available (default true); else FilterLogEvents polling") Boolean liveTail) {
        public Config {
            subnets = subnets == null ? List.of() : subnets;
            securityGroups = securityGroups == null ? List.of() : securityGroups;
            assignPublicIp = Boolean.TRUE.equals(assignPublicIp);
            environment = environment == null ? Map.of() : environment;
            interval = interval == null ? Duration.ofSeconds(5) : interval;
            liveTail = liveTail == null || liveTail;
        }

        /** Polling the log, where it must, no slower than once a second: a MISMATCH must stop the task soon. */
        Duration logPolling() {
            return interval.compareTo(LOG_POLLING) < 0 ? interval : LOG_POLLING;
        }
    }

    private static final Duration LOG_POLLING = Duration.ofSeconds(1);

    @Override
    public String name() {
        return "ecs.run-task";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "run a one-off task, follow its container's own awslogs stream live (StartLiveTail; FilterLogEvents "
                + "every second where live tail is missing, or with `liveTail: false`), so "
                + "`haltOn`/`until`/`require`/`every` apply as a line is written, wait until it stops: `until` does not"
                + " end it, its exit code decides (and the result keeps it, plus `matched`); a `haltOn` line stops the "
                + "task (StopTask) and the halt says so; a task that stopped before running is said so; the task ARN is"
                + " journaled and an idempotency token sent, so resume re-attaches, while a retry after the task ended "
                + "starts a new one";
    }

    @Override
    public String example() {
        return """
                - id: migrate
                  uses: ecs.run-task
                  with:
                    cluster: relay-cluster
                    taskDefinition: relay-migrate
                    launchType: FARGATE
                    subnets: ["${{ steps.ids.outputs.subnet1 }}"]
                    securityGroups: ["${{ steps.ids.outputs.ecs_sg }}"]
                  logs: { haltOn: [MISMATCH], until: "Migration completed successfully" }
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("taskArn", ResultShape.VALUE, "taskId", ResultShape.VALUE, "logGroup", ResultShape.VALUE,
                "logStream", ResultShape.VALUE, "exitCode", ResultShape.VALUE, "stopCode", ResultShape.VALUE,
                "stoppedReason", ResultShape.VALUE, "states", ResultShape.listOf(ResultShape.VALUE));
    }

    /** The task's exit code decides, not the until line: the step follows the task to its end. */
    @Override
    public boolean runsPastUntil() {
        return true;
    }

    @Override
    public List<String> plan(Config c) {
        List<String> lines = new ArrayList<>();
        lines.add("run task " + c.taskDefinition() + " on cluster " + c.cluster()
                + (c.launchType() != null ? " (" + c.launchType() + (c.platformVersion() != null ? " " + c.platformVersion() : "") + ")" : ""));
        if (!c.subnets().isEmpty()) {
            lines.add("network: subnets " + String.join(", ", c.subnets()) + "; security groups " + String.join(", ", c.securityGroups())
                    + "; public IP " + (c.assignPublicIp() ? "yes" : "no"));
        }
        c.environment().forEach((k, v) -> lines.add("env " + k + "=" + v));
        lines.add("follow its log stream " + (c.liveTail() ? "live (StartLiveTail; FilterLogEvents every "
                + c.logPolling().toMillis() + "ms where live tail is not available)" : "by polling FilterLogEvents every "
                + c.logPolling().toMillis() + "ms") + ", wait until it stops, report its exit code");
        return lines;
    }

    /** A task already started is re-attached to (its ARN is in the journal), never started twice. */
    @Override
    public Reconciliation reconcile(Config c, Map<String, String> externalIds, boolean idempotent) {
        return Reconciliation.RERUN;
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws InterruptedException {
        try {
            AwsSession aws = AwsSession.of(ctx.settings());
            EcsClient ecs = aws.ecs();
            String arn = ctx.externalIds().get(TASK_ARN);
            String ended = ctx.externalIds().get(TASK_ENDED);
            if (arn != null && !arn.equals(ended)) {
                ctx.note("re-attaching to task " + arn);
            } else {
                if (arn != null) ctx.note("task " + arn + " of an earlier attempt has ended: starting a new one");
                TaskDefinition td = ecs.describeTaskDefinition(b -> b.taskDefinition(c.taskDefinition())).taskDefinition();
                RunTaskResponse r = ecs.runTask(request(c, ctx, td, ended));
                if (!r.failures().isEmpty() || r.tasks().isEmpty()) {
                    return StepResult.failed("the task did not start: " + String.join("; ", r.failures().stream()
                            .map(f -> f.arn() + " " + f.reason() + (f.detail() != null ? " " + f.detail() : "")).toList()), Map.of());
                }
                arn = r.tasks().get(0).taskArn();
                ctx.recordExternalId(TASK_ARN, arn);
                ctx.note("started task " + arn);
            }
            return follow(c, ctx, aws, arn);
        } catch (SdkException e) {
            return AwsErrors.failed(e);
        }
    }

    /**
     * The RunTask call. The network configuration goes only with awsvpc task definitions,
     * and the platform version only to Fargate: AWS refuses either anywhere else.
     */
    private static RunTaskRequest request(Config c, StepContext ctx, TaskDefinition td, String previousTask) {
        // The token names this attempt: the same after a crash (AWS returns the same task), new after a task ended.
        RunTaskRequest.Builder b = RunTaskRequest.builder().cluster(c.cluster()).taskDefinition(c.taskDefinition())
                .startedBy("lockstep")
                .clientToken(AwsErrors.runToken(ctx, previousTask == null ? "" : previousTask, 32));
        if (c.launchType() != null) b.launchType(c.launchType());
        if (c.platformVersion() != null && "FARGATE".equals(c.launchType())) b.platformVersion(c.platformVersion());
        if (!c.subnets().isEmpty() && td.networkMode() == NetworkMode.AWSVPC) {
            b.networkConfiguration(n -> n.awsvpcConfiguration(v -> v.subnets(c.subnets()).securityGroups(c.securityGroups())
                    .assignPublicIp(c.assignPublicIp() ? "ENABLED" : "DISABLED")));
        }
        if (!c.environment().isEmpty() && c.container() != null) {
            List<KeyValuePair> env = c.environment().entrySet().stream()
                    .map(e -> KeyValuePair.builder().name(e.getKey()).value(e.getValue()).build()).toList();
            b.overrides(o -> o.containerOverrides(co -> co.name(c.container()).environment(env)));
        }
        return b.build();
    }

    private StepResult follow(Config c, StepContext ctx, AwsSession aws, String arn) throws InterruptedException {
        EcsClient ecs = aws.ecs();
        Task first = describe(ecs, c.cluster(), arn);
        ContainerDefinition def = container(ecs, first.taskDefinitionArn(), c.container());
        String taskId = taskId(arn);
        LogTail tail = null;
        String[] where = awslogs(def, taskId);
        if (where != null) {
            ctx.note("following log group " + where[0] + " stream " + where[1]);
            tail = new LogTail(aws, ctx, where[0], List.of(where[1]), null, null, 0);
        } else {
            ctx.note("container " + def.name() + " has no awslogs configuration: no logs to follow");
        }
        AtomicReference<Task> last = new AtomicReference<>(first);
        List<String> seenStates = new ArrayList<>();
        seenStates.add(first.lastStatus());
        ctx.note("task " + first.lastStatus());
        long every = c.interval().toMillis();
        long[] lookedAt = {System.nanoTime()};
        java.util.function.BooleanSupplier stopped = () -> {
            // The tail asks often; the task is looked at once per interval.
            if (System.nanoTime() - lookedAt[0] < every * 1_000_000L) return false;
            lookedAt[0] = System.nanoTime();
            Task t = describe(ecs, c.cluster(), arn);
            if (!t.lastStatus().equals(seenStates.get(seenStates.size() - 1))) {
                seenStates.add(t.lastStatus());
                ctx.note("task " + t.lastStatus());
            }
            last.set(t);
            return "STOPPED".equals(t.lastStatus());
        };
        try {
            if (tail != null) {
                tail.follow(stopped, c.logPolling(), c.liveTail());
            } else {
                while (!stopped.getAsBoolean()) Thread.sleep(every);
            }
        } catch (InterruptedException | SdkException e) {
            if (ctx.halting() == null) throw e;
            // The run halts on the task's own output: the task must not go on writing to the target.
            Thread.interrupted();
            StepResult r = stopForHalt(ecs, c, ctx, arn, def, where, seenStates);
            ctx.recordExternalId(TASK_ENDED, arn);
            return r;
        }
        Task t = last.get();
        ctx.recordExternalId(TASK_ENDED, arn);
        Map<String, Object> data = data(t, arn, def, where, seenStates);
        String reason = t.stoppedReason() != null ? t.stoppedReason() : t.stopCodeAsString();
        return verdict((Integer) data.get("exitCode"), seenStates, tail == null ? 0 : tail.shown(), reason, data);
    }

    /** Stops the task because its output halted the run, waits until ECS says it stopped, and says so. */
    private static StepResult stopForHalt(EcsClient ecs, Config c, StepContext ctx, String arn, ContainerDefinition def,
                                          String[] where, List<String> states) {
        String why = "lockstep halted the run: " + ctx.halting();
        ecs.stopTask(b -> b.cluster(c.cluster()).task(arn).reason(why.length() > 255 ? why.substring(0, 255) : why));
        ctx.note("stopping task " + arn + " (StopTask) because the run halts");
        Task t = describe(ecs, c.cluster(), arn);
        // A stop takes ECS up to the container's stop timeout (30 s by default); look for two minutes at most.
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!"STOPPED".equals(t.lastStatus()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(Math.min(c.interval().toMillis(), 2_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            t = describe(ecs, c.cluster(), arn);
        }
        if (!states.get(states.size() - 1).equals(t.lastStatus())) states.add(t.lastStatus());
        Map<String, Object> data = data(t, arn, def, where, states);
        return StepResult.failed("task " + taskId(arn) + (("STOPPED".equals(t.lastStatus())) ? " was stopped (StopTask)"
                : " was asked to stop (StopTask) and is " + t.lastStatus()) + (data.get("exitCode") != null
                ? ", exit code " + data.get("exitCode") : ""), data);
    }

    private static Map<String, Object> data(Task t, String arn, ContainerDefinition def, String[] where, List<String> states) {
        Container box = t.containers().stream().filter(x -> x.name().equals(def.name())).findFirst().orElse(null);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("taskArn", arn);
        data.put("taskId", taskId(arn));
        data.put("logGroup", where == null ? null : where[0]);
        data.put("logStream", where == null ? null : where[1]);
        data.put("exitCode", box == null ? null : box.exitCode());
        data.put("stopCode", t.stopCodeAsString());
        data.put("stoppedReason", t.stoppedReason());
        data.put("states", List.copyOf(states));
        return data;
    }

    static String taskId(String arn) {
        return arn.substring(arn.lastIndexOf('/') + 1);
    }

    /**
     * The log group and stream the awslogs driver writes a task's container to
     * ({@code PREFIX/CONTAINER/TASK_ID}), or null when the container logs elsewhere.
     */
    static String[] awslogs(ContainerDefinition def, String taskId) {
        if (def.logConfiguration() == null || !"awslogs".equals(def.logConfiguration().logDriverAsString())) return null;
        Map<String, String> o = def.logConfiguration().options();
        String prefix = o.get("awslogs-stream-prefix");
        if (o.get("awslogs-group") == null || prefix == null) return null;
        return new String[] {o.get("awslogs-group"), prefix + "/" + def.name() + "/" + taskId};
    }

    /** How a stopped task ends the step: exit 0 succeeds; a task that never ran is said so plainly. */
    static StepResult verdict(Integer exit, List<String> states, int logEvents, String reason, Map<String, Object> data) {
        if (exit != null && exit == 0) {
            // ECS says who stopped a task: a StopTask (UserInitiated) that a process survived with 0 is worth a look.
            return StepResult.ok("task exited 0" + ("UserInitiated".equals(data.get("stopCode")) ? " after StopTask (" + reason + ")" : ""),
                    data);
        }
        if (exit == null && !states.contains("RUNNING") && logEvents == 0) {
            return StepResult.failed("the task stopped before it ran (" + String.join(" → ", states) + ", no logs): " + reason, data);
        }
        return StepResult.failed("the task stopped with " + (exit == null ? "no exit code" : "exit code " + exit) + ": " + reason, data);
    }

    private static Task describe(EcsClient ecs, String cluster, String arn) {
        List<Task> tasks = ecs.describeTasks(b -> b.cluster(cluster).tasks(arn)).tasks();
        if (tasks.isEmpty()) throw new IllegalStateException("ECS no longer knows task " + arn);
        return tasks.get(0);
    }

    static ContainerDefinition container(EcsClient ecs, String taskDefinition, String name) {
        List<ContainerDefinition> defs = ecs.describeTaskDefinition(b -> b.taskDefinition(taskDefinition))
                .taskDefinition().containerDefinitions();
        return defs.stream().filter(d -> name != null ? d.name().equals(name) : !Boolean.FALSE.equals(d.essential()))
                .findFirst().orElseThrow(() -> new IllegalStateException("task definition " + taskDefinition
                        + " has no container " + (name != null ? name : "marked essential")));
    }
}
