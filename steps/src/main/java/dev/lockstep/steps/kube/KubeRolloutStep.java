package dev.lockstep.steps.kube;

import dev.lockstep.spi.Durations;
import dev.lockstep.spi.Key;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@code k8s.rollout}: waits until a Deployment has rolled out, as {@code kubectl rollout status}
 * decides it: its controller has seen its latest generation, every replica runs the new pod
 * template and is available, no old replica is left, and the progress deadline has not passed
 * (ProgressDeadlineExceeded fails at once). A Deployment's Available condition does not say this:
 * it holds while the old ReplicaSet serves and the new one's pods cannot start. While it waits, it
 * says what keeps the new ReplicaSet's pods from running (ImagePullBackOff, CrashLoopBackOff with
 * the last exit, Unschedulable, with their Warning events), and a failure keeps it. Read-only: as
 * a check ({@code timeout: 0s} looks once) it runs in dry-run too.
 *
 * <pre>
 * - id: rolled-out
 *   uses: k8s.rollout
 *   with: { deployment: sovd-backend, timeout: 5m }
 * </pre>
 */
public final class KubeRolloutStep implements StepType<KubeRolloutStep.Config> {
    /** The deployment controller's reason on Progressing=False once progressDeadlineSeconds passed without progress. */
    static final String TIMED_OUT_REASON = "ProgressDeadlineExceeded";
    static final String POD_TEMPLATE_HASH = "pod-template-hash";

    public record Config(
            @Key(value = "the Deployment's name", required = true) String deployment,
            @Key("its namespace (default: the context's)") String namespace,
            @Key("how long to wait (default 5m; 0s looks once)") Duration timeout,
            @Key("how often to look when no watch event comes (default 2s)") Duration interval) {
        public Config {
            if (deployment == null || deployment.isBlank()) throw new IllegalArgumentException("deployment: the Deployment's name is required");
            timeout = timeout == null ? Duration.ofMinutes(5) : timeout;
            interval = interval == null ? Duration.ofSeconds(2) : interval;
        }
    }

    @Override
    public String name() {
        return "k8s.rollout";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "until a Deployment (`deployment`) has rolled out, as `kubectl rollout status` decides: its controller has"
                + " seen its latest generation, all `spec.replicas` are updated and available, no old replica is left; "
                + "Progressing=False with ProgressDeadlineExceeded fails at once. Unlike `k8s.wait` on Available (which the"
                + " old ReplicaSet keeps True), it does not pass while the new pods cannot start; it says at once what"
                + " blocks them (ImagePullBackOff, ErrImagePull, CreateContainerConfigError, CrashLoopBackOff with the"
                + " last exit, Unschedulable, with Warning events), and a failure keeps it. Within `timeout` (5m; `0s`"
                + " looks once); read-only, so a check too";
    }

    @Override
    public String example() {
        return """
                - id: rolled-out
                  uses: k8s.rollout
                  with: { deployment: sovd-backend, timeout: 5m }
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("complete", ResultShape.VALUE, "observed", ResultShape.VALUE, "replicaSet", ResultShape.VALUE,
                "replicas", ResultShape.VALUE, "updatedReplicas", ResultShape.VALUE, "availableReplicas", ResultShape.VALUE,
                "blocked", ResultShape.listOf(ResultShape.VALUE));
    }

    @Override
    public boolean readOnly(Config c) {
        return true;
    }

    @Override
    public List<String> plan(Config c) {
        return List.of("wait up to " + Durations.format(c.timeout()) + " until " + what(c) + " has rolled out (kubectl rollout status:"
                + " generation observed, all replicas updated and available, no old replica left; ProgressDeadlineExceeded fails)");
    }

    private static String what(Config c) {
        return "Deployment " + (c.namespace() != null ? c.namespace() + "/" : "") + c.deployment();
    }

    /** What {@code kubectl rollout status} says of a Deployment: done, failed (the message says why), or waiting. */
    record Rollout(String message, boolean done, boolean failed) {}

    /** kubectl's DeploymentStatusViewer, condition by condition and in its order. */
    static Rollout rollout(Deployment d) {
        String name = d.getMetadata().getName();
        DeploymentStatus s = d.getStatus() != null ? d.getStatus() : new DeploymentStatus();
        long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        long observed = s.getObservedGeneration() == null ? 0 : s.getObservedGeneration();
        if (generation > observed) {
            return new Rollout("waiting for deployment spec update to be observed (generation " + generation + ", observed "
                    + observed + ")", false, false);
        }
        DeploymentCondition progressing = s.getConditions() == null ? null
                : s.getConditions().stream().filter(x -> "Progressing".equals(x.getType())).findFirst().orElse(null);
        if (progressing != null && TIMED_OUT_REASON.equals(progressing.getReason())) {
            return new Rollout("deployment \"" + name + "\" exceeded its progress deadline"
                    + (progressing.getMessage() != null ? " (" + progressing.getMessage() + ")" : ""), false, true);
        }
        int replicas = count(s.getReplicas()), updated = count(s.getUpdatedReplicas()), available = count(s.getAvailableReplicas());
        Integer wanted = d.getSpec().getReplicas();
        if (wanted != null && updated < wanted) {
            return new Rollout("waiting for deployment \"" + name + "\" rollout to finish: " + updated + " out of " + wanted
                    + " new replicas have been updated", false, false);
        }
        if (replicas > updated) {
            return new Rollout("waiting for deployment \"" + name + "\" rollout to finish: " + (replicas - updated)
                    + " old replicas are pending termination", false, false);
        }
        if (available < updated) {
            return new Rollout("waiting for deployment \"" + name + "\" rollout to finish: " + available + " of " + updated
                    + " updated replicas are available", false, false);
        }
        return new Rollout("deployment \"" + name + "\" successfully rolled out", true, false);
    }

    private static int count(Integer n) {
        return n == null ? 0 : n;
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws Exception {
        Kube.Signal signal = new Kube.Signal();
        try {
            KubeSession session = KubeSession.of(ctx.settings());
            KubernetesClient k = session.client();
            String ns = session.namespace(c.namespace());
            var deployment = k.apps().deployments().inNamespace(ns).withName(c.deployment());
            Deployment d = deployment.get();
            if (d == null) return StepResult.failed("Deployment " + ns + "/" + c.deployment() + " does not exist", Map.of());
            if (!c.timeout().isZero()) {
                signal.add(deployment.watch(signal.watcher()));
                // Its pods only, where its selector says which: a busy namespace's other pods need not wake it.
                Map<String, String> selector = d.getSpec().getSelector().getMatchLabels();
                signal.add(selector == null || selector.isEmpty() ? k.pods().inNamespace(ns).watch(signal.watcher())
                        : k.pods().inNamespace(ns).withLabels(selector).watch(signal.watcher()));
            }
            long deadline = System.nanoTime() + c.timeout().toNanos();
            String last = null;
            Set<String> said = new LinkedHashSet<>();
            while (true) {
                if (d == null) return StepResult.failed("Deployment " + ns + "/" + c.deployment() + " was deleted while it rolled out", Map.of());
                Rollout rollout = rollout(d);
                if (!rollout.message().equals(last)) ctx.line(rollout.message());
                last = rollout.message();
                ReplicaSet fresh = newReplicaSet(k, d);
                List<String> blocked = fresh == null || rollout.done() ? List.of() : blocked(k, fresh);
                for (String why : blocked) {
                    if (said.add(why)) ctx.line(why);
                }
                Map<String, Object> data = data(d, rollout, fresh, blocked);
                if (rollout.done()) return StepResult.ok(rollout.message(), data);
                String blocking = blocked.isEmpty() ? "" : "; " + String.join("; ", blocked);
                if (rollout.failed()) return StepResult.failed(rollout.message() + blocking, data);
                if (System.nanoTime() >= deadline) {
                    return StepResult.failed("Deployment " + ns + "/" + c.deployment() + (c.timeout().isZero() ? " has not rolled out"
                            : " did not roll out within " + Durations.format(c.timeout())) + ": " + rollout.message() + blocking, data);
                }
                signal.await(c.interval());
                d = deployment.get();
            }
        } catch (KubernetesClientException e) {
            Kube.rethrowIfInterrupted(e);
            return Kube.failed(e);
        } finally {
            signal.close();
        }
    }

    private static Map<String, Object> data(Deployment d, Rollout rollout, ReplicaSet fresh, List<String> blocked) {
        DeploymentStatus s = d.getStatus() != null ? d.getStatus() : new DeploymentStatus();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("complete", rollout.done());
        data.put("observed", rollout.message());
        data.put("replicaSet", fresh == null ? null : fresh.getMetadata().getName());
        data.put("replicas", count(s.getReplicas()));
        data.put("updatedReplicas", count(s.getUpdatedReplicas()));
        data.put("availableReplicas", count(s.getAvailableReplicas()));
        data.put("blocked", blocked);
        return data;
    }

    /**
     * The Deployment's new ReplicaSet as its controller finds it: the oldest of those it controls
     * whose pod template is the Deployment's, the pod-template-hash label aside; null before it exists.
     */
    static ReplicaSet newReplicaSet(KubernetesClient k, Deployment d) {
        Object wanted = template(k, d.getSpec().getTemplate());
        return k.apps().replicaSets().inNamespace(d.getMetadata().getNamespace()).list().getItems().stream()
                .filter(rs -> controlledBy(rs.getMetadata().getOwnerReferences(), d.getMetadata().getUid()))
                .filter(rs -> wanted.equals(template(k, rs.getSpec().getTemplate())))
                .min(Comparator.comparing((ReplicaSet rs) -> String.valueOf(rs.getMetadata().getCreationTimestamp()))
                        .thenComparing(rs -> rs.getMetadata().getName()))
                .orElse(null);
    }

    @SuppressWarnings("unchecked")
    private static Object template(KubernetesClient k, PodTemplateSpec template) {
        Map<String, Object> copy = k.getKubernetesSerialization().convertValue(template, Map.class);
        if (copy.get("metadata") instanceof Map<?, ?> meta && meta.get("labels") instanceof Map<?, ?> labels) {
            Map<String, Object> withoutHash = new LinkedHashMap<>((Map<String, Object>) labels);
            withoutHash.remove(POD_TEMPLATE_HASH);
            ((Map<String, Object>) meta).put("labels", withoutHash);
        }
        return copy;
    }

    private static boolean controlledBy(List<OwnerReference> owners, String uid) {
        return owners != null && owners.stream().anyMatch(o -> Boolean.TRUE.equals(o.getController()) && Objects.equals(uid, o.getUid()));
    }

    /** What keeps the new ReplicaSet's pods from running or being ready, one line per pod that says why. */
    private static List<String> blocked(KubernetesClient k, ReplicaSet rs) {
        String ns = rs.getMetadata().getNamespace();
        List<Pod> pods = new ArrayList<>(k.pods().inNamespace(ns).withLabels(rs.getSpec().getSelector().getMatchLabels()).list().getItems());
        pods.removeIf(p -> !controlledBy(p.getMetadata().getOwnerReferences(), rs.getMetadata().getUid()));
        pods.sort(Comparator.comparing(p -> p.getMetadata().getName()));
        List<String> out = new ArrayList<>();
        for (Pod p : pods) {
            String pod = p.getMetadata().getName();
            PodStates.Crash crash = PodStates.crash(p);
            if (crash != null) {
                out.add(crash.describe());
                continue;
            }
            String why = PodStates.pendingReason(p);
            if (why != null) {
                List<String> events = PodStates.warnings(k, ns, pod);
                out.add("pod " + pod + " of the new ReplicaSet " + rs.getMetadata().getName() + ": " + why
                        + (events.isEmpty() ? "" : "; event " + String.join("; event ", events)));
                continue;
            }
            PodCondition notReady = notReady(p);
            if ("Running".equals(p.getStatus() == null ? null : p.getStatus().getPhase()) && notReady != null) {
                out.add("pod " + pod + " of the new ReplicaSet " + rs.getMetadata().getName() + " is Running, not Ready"
                        + (notReady.getReason() != null ? ": " + notReady.getReason() : "")
                        + (notReady.getMessage() != null ? " (" + notReady.getMessage() + ")" : ""));
            }
        }
        return out;
    }

    private static PodCondition notReady(Pod p) {
        if (p.getStatus() == null || p.getStatus().getConditions() == null) return null;
        return p.getStatus().getConditions().stream().filter(x -> "Ready".equals(x.getType()) && "False".equals(x.getStatus()))
                .findFirst().orElse(null);
    }
}
