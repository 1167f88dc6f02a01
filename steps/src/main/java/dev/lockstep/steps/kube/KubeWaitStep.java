package dev.lockstep.steps.kube;

import dev.lockstep.spi.Durations;
import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code k8s.wait}: waits until a condition holds on any object — a Job Complete, a custom
 * resource Ready, a Secret that exists — with the conditions it observed as evidence. Not a
 * Deployment's rollout: its Available holds while the old ReplicaSet serves and the new pods
 * cannot start; {@link KubeRolloutStep} decides that. A condition counts only once the object's controller has seen its latest
 * generation, so an Available left from before an update does not. Read-only: as a check
 * ({@code timeout: 0s} looks once) it runs in dry-run too.
 *
 * <pre>
 * check:
 *   - uses: k8s.wait
 *     with: { apiVersion: v1, kind: Secret, name: db-connection, exists: true, timeout: 0s }
 * </pre>
 */
public final class KubeWaitStep implements StepType<KubeWaitStep.Config> {
    public record Config(
            @Key(value = "the object's apiVersion (v1, apps/v1, batch/v1, a custom resource's group/version)", required = true) String apiVersion,
            @Key(value = "the object's kind", required = true) String kind,
            @Key(value = "the object's name", required = true) String name,
            @Key("its namespace (default: the context's)") String namespace,
            @Key("the condition type that must hold (Available, Complete, Ready)") String condition,
            @Key("the status it must have (default \"True\")") String status,
            @Key("true: wait until the object exists; false: until it is gone") Boolean exists,
            @Key("how long to wait (default 5m; 0s looks once)") Duration timeout,
            @Key("how often to look when no watch event comes (default 2s)") Duration interval) {
        public Config {
            if ((condition == null) == (exists == null)) throw new IllegalArgumentException("give condition: TYPE or exists: true|false, one of them");
            status = status == null ? "True" : status;
            timeout = timeout == null ? Duration.ofMinutes(5) : timeout;
            interval = interval == null ? Duration.ofSeconds(2) : interval;
        }
    }

    @Override
    public String name() {
        return "k8s.wait";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "until an object (`apiVersion`, `kind`, `name`) has `condition` = `status` (default \"True\"; counted"
                + " only once its controller has seen its latest generation) or `exists: true/false`, within `timeout` "
                + "(5m; `0s` looks once); read-only, so a check too. A Deployment's rollout is `k8s.rollout`'s: Available "
                + "holds while the old ReplicaSet serves";
    }

    @Override
    public String example() {
        return """
                check:
                  - uses: k8s.wait
                    with: { apiVersion: v1, kind: Secret, name: db-connection, exists: true, timeout: 0s }
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("exists", ResultShape.VALUE, "conditions", ResultShape.mapOf(ResultShape.VALUE), "observed", ResultShape.VALUE);
    }

    @Override
    public boolean readsOnly() {
        return true;
    }

    @Override
    public List<String> plan(Config c) {
        return List.of("wait up to " + Durations.format(c.timeout()) + " until " + what(c) + " "
                + (c.exists() != null ? (c.exists() ? "exists" : "is gone") : "has " + c.condition() + "=" + c.status()));
    }

    private static String what(Config c) {
        return c.kind() + " " + (c.namespace() != null ? c.namespace() + "/" : "") + c.name();
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws Exception {
        Kube.Signal signal = new Kube.Signal();
        try {
            KubeSession session = KubeSession.of(ctx.settings());
            KubernetesClient k = session.client();
            var object = Kube.objects(k, c.apiVersion(), c.kind(), session.namespace(c.namespace())).withName(c.name());
            if (!c.timeout().isZero()) signal.add(object.watch(signal.watcher()));
            long deadline = System.nanoTime() + c.timeout().toNanos();
            String last = null;
            while (true) {
                GenericKubernetesResource r = object.get();
                Map<String, Object> conditions = conditions(r);
                boolean current = current(r);
                String observed = observed(r, conditions, current);
                if (!observed.equals(last)) ctx.line(what(c) + ": " + observed);
                last = observed;
                boolean holds = c.exists() != null ? (r != null) == c.exists()
                        : r != null && current && c.status().equals(conditions.get(c.condition()));
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("exists", r != null);
                data.put("conditions", conditions);
                data.put("observed", observed);
                if (holds) return StepResult.ok(what(c) + ": " + observed, data);
                if (System.nanoTime() >= deadline) {
                    return StepResult.failed(what(c) + (!c.timeout().isZero() ? " did not " : " does not ")
                            + (c.exists() != null ? (c.exists() ? "exist" : "go away") : "have " + c.condition() + "=" + c.status())
                            + (!c.timeout().isZero() ? " within " + Durations.format(c.timeout()) : "") + "; observed " + observed, data);
                }
                signal.await(c.interval());
            }
        } catch (KubernetesClientException e) {
            Kube.rethrowIfInterrupted(e);
            return Kube.failed(e);
        } finally {
            signal.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> conditions(GenericKubernetesResource r) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (r != null && r.getAdditionalProperties().get("status") instanceof Map<?, ?> status
                && status.get("conditions") instanceof List<?> list) {
            for (Object o : list) {
                Map<String, Object> m = (Map<String, Object>) o;
                out.put(String.valueOf(m.get("type")), m.get("status"));
            }
        }
        return out;
    }

    /** Whether the object's controller has seen its latest spec (no observedGeneration: nothing to compare). */
    private static boolean current(GenericKubernetesResource r) {
        if (r == null || r.getMetadata().getGeneration() == null) return true;
        if (!(r.getAdditionalProperties().get("status") instanceof Map<?, ?> status) || !(status.get("observedGeneration") instanceof Number seen)) {
            return true;
        }
        return seen.longValue() >= r.getMetadata().getGeneration();
    }

    @SuppressWarnings("unchecked")
    private static String observed(GenericKubernetesResource r, Map<String, Object> conditions, boolean current) {
        if (r == null) return "does not exist";
        if (conditions.isEmpty()) return "exists, no conditions" + (current ? "" : " (its controller has not seen generation " + r.getMetadata().getGeneration() + ")");
        List<String> parts = new ArrayList<>();
        List<?> list = (List<?>) ((Map<String, Object>) r.getAdditionalProperties().get("status")).get("conditions");
        for (Object o : list) {
            Map<String, Object> m = (Map<String, Object>) o;
            parts.add(m.get("type") + "=" + m.get("status") + (m.get("reason") != null ? " (" + m.get("reason") + ")" : ""));
        }
        return String.join(", ", parts) + (current ? "" : " (its controller has not seen generation " + r.getMetadata().getGeneration() + " yet)");
    }
}
