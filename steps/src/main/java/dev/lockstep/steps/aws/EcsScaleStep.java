package dev.lockstep.steps.aws;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.Reconciliation;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Service;
import software.amazon.awssdk.services.ecs.model.ServiceEvent;

/**
 * {@code ecs.scale}: sets a service's desired count and waits until it is stable
 * (running = desired, one deployment), showing the service's events. Its result names
 * the tasks it started (those running now that were not when it first ran) and their
 * awslogs streams, so that a {@code logs.tail} after it follows exactly those tasks and
 * never an old task's lines. Rolling back restores the desired count it found.
 *
 * <pre>
 * - id: stop-relay
 *   uses: ecs.scale
 *   with: { cluster: relay-cluster, service: relay, desiredCount: 0 }
 *   timeout: 10m
 * </pre>
 */
public final class EcsScaleStep implements StepType<EcsScaleStep.Config> {
    private static final String PREVIOUS = "previousDesiredCount";
    /** The service's tasks running when the step first ran, space-separated: those are not "started" by it. */
    private static final String TASKS_BEFORE = "tasksBefore";

    public record Config(
            @Key(value = "the ECS cluster", required = true) String cluster,
            @Key(value = "the service", required = true) String service,
            @Key(value = "the number of tasks wanted", required = true) Integer desiredCount,
            @Key("how often to look (default 5s)") Duration interval) {
        public Config {
            if (desiredCount != null && desiredCount < 0) throw new IllegalArgumentException("desiredCount must be 0 or more");
            interval = interval == null ? Duration.ofSeconds(5) : interval;
        }
    }

    @Override
    public String name() {
        return "ecs.scale";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "set a service's desired count, wait until stable (running = desired, one deployment) showing its "
                + "events; names the tasks it started (running now, not when it first ran) and their awslogs streams, "
                + "for a `logs.tail` that must read only the new tasks; rollback restores the count it found";
    }

    @Override
    public String example() {
        return """
                - id: stop-relay
                  uses: ecs.scale
                  with: { cluster: relay-cluster, service: relay, desiredCount: 0 }
                  timeout: 10m
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("running", ResultShape.VALUE, "desired", ResultShape.VALUE,
                "tasks", ResultShape.listOf(ResultShape.VALUE), "logGroup", ResultShape.VALUE,
                "logStreams", ResultShape.listOf(ResultShape.VALUE));
    }

    @Override
    public List<String> plan(Config c) {
        return List.of("set the desired count of service " + c.service() + " on " + c.cluster() + " to " + c.desiredCount(),
                "wait until it is stable (running = desired, one deployment)");
    }

    /** Setting a desired count again is harmless: an interrupted scale simply runs again. */
    @Override
    public Reconciliation reconcile(Config c, Map<String, String> externalIds, boolean idempotent) {
        return Reconciliation.RERUN;
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws InterruptedException {
        try {
            EcsClient ecs = AwsSession.of(ctx.settings()).ecs();
            if (!ctx.externalIds().containsKey(PREVIOUS)) {
                ctx.recordExternalId(TASKS_BEFORE, String.join(" ", running(ecs, c)));
                ctx.recordExternalId(PREVIOUS, String.valueOf(service(ecs, c).desiredCount()));
            }
            StepResult r = scale(ecs, c, c.desiredCount(), ctx);
            return r.ok() ? started(ecs, c, ctx, r) : r;
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
        return List.of("set the desired count of service " + c.service() + " on " + c.cluster()
                        + " back to the count it had before this step (journaled before it is changed)",
                "wait until it is stable (running = desired, one deployment)");
    }

    @Override
    public StepResult rollback(Config c, StepContext ctx) throws InterruptedException {
        String previous = ctx.externalIds().get(PREVIOUS);
        if (previous == null) return StepResult.ok("the desired count was never changed", Map.of());
        try {
            return scale(AwsSession.of(ctx.settings()).ecs(), c, Integer.parseInt(previous), ctx);
        } catch (SdkException e) {
            return AwsErrors.failed(e);
        }
    }

    private static StepResult scale(EcsClient ecs, Config c, int desired, StepContext ctx) throws InterruptedException {
        Instant since = Instant.now().minusSeconds(1);
        ecs.updateService(b -> b.cluster(c.cluster()).service(c.service()).desiredCount(desired));
        ctx.note("desired count of " + c.service() + " set to " + desired);
        Set<String> shown = new HashSet<>();
        while (true) {
            Service s = service(ecs, c);
            List<ServiceEvent> newestFirst = s.events();
            for (int i = newestFirst.size() - 1; i >= 0; i--) {
                ServiceEvent e = newestFirst.get(i);
                if (e.createdAt() != null && e.createdAt().isAfter(since) && shown.add(e.id())) ctx.line(e.message());
            }
            if (s.runningCount() == desired && s.pendingCount() == 0 && s.deployments().size() <= 1) {
                return StepResult.ok(c.service() + " is stable at " + desired + " running",
                        Map.of("running", s.runningCount(), "desired", desired, "tasks", List.of(), "logStreams", List.of()));
            }
            ctx.note("running " + s.runningCount() + ", pending " + s.pendingCount() + ", desired " + desired
                    + ", deployments " + s.deployments().size());
            Thread.sleep(c.interval().toMillis());
        }
    }

    /** The result with the tasks this step started and where their containers log. */
    private static StepResult started(EcsClient ecs, Config c, StepContext ctx, StepResult scaled) {
        List<String> before = List.of(ctx.externalIds().getOrDefault(TASKS_BEFORE, "").split(" "));
        List<String> tasks = running(ecs, c).stream().filter(t -> !before.contains(t)).sorted().toList();
        Map<String, Object> data = new java.util.LinkedHashMap<>(scaled.data());
        data.put("tasks", tasks);
        List<String> streams = new java.util.ArrayList<>();
        String group = null;
        if (!tasks.isEmpty()) {
            String taskDefinition = ecs.describeTasks(b -> b.cluster(c.cluster()).tasks(tasks)).tasks().get(0).taskDefinitionArn();
            var def = EcsRunTaskStep.container(ecs, taskDefinition, null);
            for (String t : tasks) {
                String[] where = EcsRunTaskStep.awslogs(def, EcsRunTaskStep.taskId(t));
                if (where == null) break;
                group = where[0];
                streams.add(where[1]);
            }
        }
        data.put("logGroup", group);
        data.put("logStreams", streams);
        if (!tasks.isEmpty()) ctx.note("started " + String.join(", ", tasks.stream().map(EcsRunTaskStep::taskId).toList())
                + (streams.isEmpty() ? "" : "; logs in " + group + ": " + String.join(", ", streams)));
        return StepResult.ok(scaled.summary(), data);
    }

    /** The service's tasks that are running or about to (desired RUNNING). */
    private static List<String> running(EcsClient ecs, Config c) {
        List<String> out = new java.util.ArrayList<>();
        ecs.listTasksPaginator(b -> b.cluster(c.cluster()).serviceName(c.service()).desiredStatus("RUNNING"))
                .forEach(p -> out.addAll(p.taskArns()));
        return out;
    }

    private static Service service(EcsClient ecs, Config c) {
        List<Service> s = ecs.describeServices(b -> b.cluster(c.cluster()).services(c.service())).services();
        if (s.isEmpty()) throw new IllegalStateException("no service " + c.service() + " on cluster " + c.cluster());
        return s.get(0);
    }
}
