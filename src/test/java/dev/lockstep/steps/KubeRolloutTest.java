package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.KubeCluster;
import dev.lockstep.LockstepCli;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * k8s.rollout against a real API server and the real deployment controller (kwok plays the node):
 * a Deployment's rollout as {@code kubectl rollout status} decides it. Issue 21, finding 5.
 */
@Tag("kube")
class KubeRolloutTest {
    /** A Deployment labelled so is one whose status the API server refuses to change (see {@link #holdStatus}). */
    private static final String HOLD_STATUS_LABEL = "lockstep.dev/test-hold-status";

    @TempDir
    Path tmp;

    private LockstepCli cli() {
        return new LockstepCli(tmp.resolve("state"));
    }

    @Test
    void availableComesFromTheOldReplicaSetWhileTheRolloutWaitsOnANewPodThatCannotPullItsImageAndSaysSo() throws Exception {
        String ns = KubeCluster.newNamespace("rollout-pull");
        create(ns, web("registry.example/web:1.0", false, null));
        LockstepCli cli = cli();
        LockstepCli.Result first = cli.run(KubeJobTest.args("rollout.yaml", ns));
        assertEquals(0, first.exit(), first.all());
        assertTrue(first.out().contains("deployment \"web\" successfully rolled out"), first.out());

        release(ns, "registry.example/web:2.0", true);
        await("the new ReplicaSet's pod to wait in ImagePullBackOff", () -> pulling(ns));
        await("the deployment controller to observe generation 2", () -> observed(ns));

        LockstepCli.Result look = cli.run(KubeJobTest.args("rollout-look.yaml", ns));
        // The finding: the old ReplicaSet keeps the Deployment Available, so k8s.wait passes on a rollout that cannot finish.
        assertTrue(look.out().contains("Deployment web: Available=True"), look.out());
        assertEquals(4, look.exit(), "the rollout check does not hold: " + look.all());
        assertTrue(look.all().contains("waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination"), look.all());
        assertTrue(look.all().contains(": ImagePullBackOff (Back-off pulling image \"registry.example/web:2.0\"); "
                + "event Failed: Failed to pull image \"registry.example/web:2.0\": not found"), look.all());

        // As a step it waits, saying at once what blocks the new pods, and passes once a release can roll out.
        CompletableFuture<LockstepCli.Result> waiting = CompletableFuture.supplyAsync(() -> cli.run(KubeJobTest.args("rollout.yaml", ns, "--new")));
        AwsFixtures.awaitOutput(cli.stateDir(), "ImagePullBackOff (Back-off pulling image \"registry.example/web:2.0\")");
        release(ns, "registry.example/web:2.1", false);
        LockstepCli.Result fixed = waiting.get(3, TimeUnit.MINUTES);
        assertEquals(0, fixed.exit(), fixed.all());
        assertTrue(fixed.out().contains("deployment \"web\" successfully rolled out"), fixed.out());
        try (KubernetesClient k = KubeCluster.client()) {
            assertEquals(List.of("registry.example/web:2.1"), k.pods().inNamespace(ns).list().getItems().stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .map(p -> p.getSpec().getContainers().get(0).getImage()).toList(), "only the new pods are left");
        }
    }

    @Test
    void aRolloutPastItsProgressDeadlineFailsWithTheReasonAndThePodThatBlocksIt() throws Exception {
        String ns = KubeCluster.newNamespace("rollout-deadline");
        create(ns, web("registry.example/web:1.0", true, 1));
        await("the new ReplicaSet's pod to wait in ImagePullBackOff", () -> pulling(ns));
        LockstepCli.Result r = cli().run(KubeJobTest.args("rollout.yaml", ns));
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.all().lines().anyMatch(l -> l.contains("deployment \"web\" exceeded its progress deadline (ReplicaSet \"web-")
                && l.contains("has timed out progressing.)") && l.contains(": ImagePullBackOff (Back-off pulling image")), r.all());
        assertFalse(r.all().contains("did not roll out within"), "the deadline fails the step, not the step's timeout: " + r.all());
    }

    @Test
    void aSpecUpdateItsControllerHasNotObservedYetIsWaitedForThoughTheOldStatusLooksComplete() throws Exception {
        String ns = KubeCluster.newNamespace("rollout-observe");
        create(ns, web("registry.example/web:1.0", false, null));
        LockstepCli cli = cli();
        LockstepCli.Result first = cli.run(KubeJobTest.args("rollout.yaml", ns));
        assertEquals(0, first.exit(), first.all());

        String policy = holdStatus(ns);
        try {
            release(ns, "registry.example/web:1.1", false);
            CompletableFuture<LockstepCli.Result> waiting = CompletableFuture.supplyAsync(() -> cli.run(KubeJobTest.args("rollout.yaml", ns, "--new")));
            // The status still reads 1 of 1 updated and available, for generation 1: not the rollout of generation 2.
            AwsFixtures.awaitOutput(cli.stateDir(), "waiting for deployment spec update to be observed (generation 2, observed 1)");
            try (KubernetesClient k = KubeCluster.client()) {
                k.apps().deployments().inNamespace(ns).withName("web").edit(d -> new DeploymentBuilder(d).editMetadata()
                        .removeFromLabels(HOLD_STATUS_LABEL).endMetadata().build());
            }
            LockstepCli.Result observed = waiting.get(3, TimeUnit.MINUTES);
            assertEquals(0, observed.exit(), observed.all());
            assertTrue(observed.out().contains("deployment \"web\" successfully rolled out"), observed.out());
        } finally {
            try (KubernetesClient k = KubeCluster.client()) {
                k.genericKubernetesResources("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding").withName(policy).delete();
                k.genericKubernetesResources("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy").withName(policy).delete();
            }
        }
    }

    /** The Deployment web: one replica, rolling update (kubectl's defaults); its pods cannot pull their image when {@code pullFails}. */
    private static Deployment web(String image, boolean pullFails, Integer progressDeadlineSeconds) {
        return new DeploymentBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withReplicas(1).withProgressDeadlineSeconds(progressDeadlineSeconds)
                .withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().withLabels(podLabels(pullFails)).endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage(image).endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    private static Map<String, String> podLabels(boolean pullFails) {
        Map<String, String> labels = new LinkedHashMap<>(Map.of("app", "web"));
        if (pullFails) labels.put(KubeCluster.IMAGE_PULL_BACKOFF_LABEL, "true");
        return labels;
    }

    private static void create(String ns, Deployment d) {
        try (KubernetesClient k = KubeCluster.client()) {
            k.apps().deployments().inNamespace(ns).resource(d).create();
        }
    }

    /** A new release of web, as an operator's apply makes it: a new pod template, so a new ReplicaSet. */
    private static void release(String ns, String image, boolean pullFails) {
        try (KubernetesClient k = KubeCluster.client()) {
            k.apps().deployments().inNamespace(ns).withName("web").edit(d -> new DeploymentBuilder(d).editSpec().editTemplate()
                    .editMetadata().withLabels(podLabels(pullFails)).endMetadata()
                    .editSpec().editFirstContainer().withImage(image).endContainer().endSpec().endTemplate().endSpec().build());
        }
    }

    private static boolean pulling(String ns) {
        try (KubernetesClient k = KubeCluster.client()) {
            for (Pod p : k.pods().inNamespace(ns).withLabel(KubeCluster.IMAGE_PULL_BACKOFF_LABEL, "true").list().getItems()) {
                if (p.getStatus() != null && p.getStatus().getContainerStatuses() != null && p.getStatus().getContainerStatuses().stream()
                        .anyMatch(cs -> cs.getState().getWaiting() != null && "ImagePullBackOff".equals(cs.getState().getWaiting().getReason()))) {
                    return true;
                }
            }
            return false;
        }
    }

    private static boolean observed(String ns) {
        try (KubernetesClient k = KubeCluster.client()) {
            Deployment d = k.apps().deployments().inNamespace(ns).withName("web").get();
            return d.getStatus() != null && d.getStatus().getObservedGeneration() != null
                    && d.getStatus().getObservedGeneration() >= d.getMetadata().getGeneration();
        }
    }

    /**
     * Keeps the deployment controller from writing web's status, as a controller that has not caught up
     * yet: a ValidatingAdmissionPolicy refuses status updates of Deployments with {@link #HOLD_STATUS_LABEL}
     * in {@code ns}, and web gets that label. Returns once the API server enforces it; the policy's name.
     */
    private static String holdStatus(String ns) throws InterruptedException {
        String name = "lockstep-test-hold-status-" + ns;
        try (KubernetesClient k = KubeCluster.client()) {
            k.resource(policy(name)).create();
            k.resource(binding(name, ns)).create();
            k.apps().deployments().inNamespace(ns).withName("web").edit(d -> new DeploymentBuilder(d).editMetadata()
                    .addToLabels(HOLD_STATUS_LABEL, "true").endMetadata().build());
            await("the API server to enforce " + name, () -> {
                Deployment d = k.apps().deployments().inNamespace(ns).withName("web").get();
                try {
                    k.apps().deployments().inNamespace(ns).resource(d).dryRun().updateStatus();
                    return false;
                } catch (KubernetesClientException refused) {
                    return refused.getCode() == 422 || refused.getCode() == 403;
                }
            });
        }
        return name;
    }

    private static GenericKubernetesResource policy(String name) {
        GenericKubernetesResource p = new GenericKubernetesResource();
        p.setApiVersion("admissionregistration.k8s.io/v1");
        p.setKind("ValidatingAdmissionPolicy");
        p.setMetadata(new ObjectMetaBuilder().withName(name).build());
        p.setAdditionalProperties(Map.of("spec", Map.of(
                "failurePolicy", "Fail",
                "matchConstraints", Map.of(
                        "resourceRules", List.of(Map.of("apiGroups", List.of("apps"), "apiVersions", List.of("v1"),
                                "operations", List.of("UPDATE"), "resources", List.of("deployments/status"))),
                        "objectSelector", Map.of("matchLabels", Map.of(HOLD_STATUS_LABEL, "true"))),
                "validations", List.of(Map.of("expression", "false", "message", "the test holds this Deployment's status")))));
        return p;
    }

    private static GenericKubernetesResource binding(String name, String ns) {
        GenericKubernetesResource b = new GenericKubernetesResource();
        b.setApiVersion("admissionregistration.k8s.io/v1");
        b.setKind("ValidatingAdmissionPolicyBinding");
        b.setMetadata(new ObjectMetaBuilder().withName(name).build());
        b.setAdditionalProperties(Map.of("spec", Map.of("policyName", name, "validationActions", List.of("Deny"),
                "matchResources", Map.of("namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", ns))))));
        return b;
    }

    /** Waits until {@code condition} holds, at most two minutes (the cluster shares a loaded machine). */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("gave up waiting for " + what);
            Thread.sleep(200);
        }
    }
}
