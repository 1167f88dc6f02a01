package dev.lockstep;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Kubernetes test cluster behaves like a real one where lockstep's Kubernetes steps look. */
@Tag("kube")
class KubeClusterTest {
    /** Deadlines only: nothing here is timed, the machines are shared and slow. */
    private static final long WAIT_MINUTES = 2;

    @Test
    void theKubeconfigTokenAndCaReachTheRealApiServer() throws Exception {
        try (KubernetesClient k = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(KubeCluster.kubeconfig()))).build()) {
            assertEquals(KubeCluster.KUBE_VERSION, k.getKubernetesVersion().getGitVersion());
            assertEquals(KubeCluster.server(), k.getMasterUrl().toString().replaceAll("/$", ""));
        }
        HttpClient http = HttpClient.newBuilder().sslContext(sslTrusting(KubeCluster.caCert())).build();
        HttpResponse<String> version = http.send(HttpRequest.newBuilder(URI.create(KubeCluster.server() + "/version"))
                .header("Authorization", "Bearer " + KubeCluster.token()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, version.statusCode(), version.body());
        assertTrue(version.body().contains("\"gitVersion\": \"" + KubeCluster.KUBE_VERSION + "\""), version.body());
    }

    @Test
    void aJobWhosePodSucceedsIsComplete() {
        String ns = KubeCluster.newNamespace("job-ok");
        try (KubernetesClient k = KubeCluster.client()) {
            k.batch().v1().jobs().inNamespace(ns).resource(job("migrate", Map.of(), Map.of())).create();
            Job job = finished(k, ns, "migrate");
            assertEquals(Optional.of("True"), condition(job, "Complete").map(JobCondition::getStatus), job.getStatus().toString());
            assertEquals(1, job.getStatus().getSucceeded());
            Pod pod = onlyPod(k, ns, "migrate");
            assertEquals("Succeeded", pod.getStatus().getPhase());
            assertEquals(KubeCluster.NODE, pod.getSpec().getNodeName());
            assertEquals(0, terminated(pod).getExitCode());
        }
    }

    @Test
    void aJobWhosePodExitsWithCode3Fails() {
        String ns = KubeCluster.newNamespace("job-fail");
        try (KubernetesClient k = KubeCluster.client()) {
            k.batch().v1().jobs().inNamespace(ns).resource(job("migrate",
                    Map.of(KubeCluster.FAIL_LABEL, "true"),
                    Map.of(KubeCluster.EXIT_CODE_ANNOTATION, "3", KubeCluster.FAIL_REASON_ANNOTATION, "Error"))).create();
            Job job = finished(k, ns, "migrate");
            JobCondition failed = condition(job, "Failed").orElseThrow(() -> new AssertionError("not Failed: " + job.getStatus()));
            assertEquals("True", failed.getStatus());
            assertEquals("BackoffLimitExceeded", failed.getReason());
            assertFalse(condition(job, "Complete").isPresent(), job.getStatus().toString());
            Pod pod = onlyPod(k, ns, "migrate");
            assertEquals("Failed", pod.getStatus().getPhase());
            assertEquals(3, terminated(pod).getExitCode());
            assertEquals("Error", terminated(pod).getReason());
        }
    }

    @Test
    void logsServedForANamespaceOrAPodAreReadThroughThePodsLogApi() {
        String ns = KubeCluster.newNamespace("job-logs");
        String text = "copying 3 tables\nusers: 10 rows, 10 rows\nMigration completed successfully\n";
        KubeCluster.serveLogs(ns, text);
        try (KubernetesClient k = KubeCluster.client()) {
            k.batch().v1().jobs().inNamespace(ns).resource(job("migrate", Map.of(), Map.of())).create();
            finished(k, ns, "migrate");
            String pod = onlyPod(k, ns, "migrate").getMetadata().getName();
            assertEquals(text, k.pods().inNamespace(ns).withName(pod).getLog());
            assertEquals("Migration completed successfully\n", k.pods().inNamespace(ns).withName(pod).tailingLines(1).getLog());

            KubeCluster.servePodLogs(ns, "relay", "listening on :8080\n");
            k.pods().inNamespace(ns).resource(pod("relay", Map.of())).create();
            k.pods().inNamespace(ns).withName("relay").waitUntilCondition(
                    p -> p != null && "Running".equals(p.getStatus().getPhase()), WAIT_MINUTES, TimeUnit.MINUTES);
            assertEquals("listening on :8080\n", k.pods().inNamespace(ns).withName("relay").getLog());
        }
    }

    @Test
    void aHeldPodStaysRunningWhileItsFollowedLogsGrowAndCompletesWhenReleased() throws Exception {
        String ns = KubeCluster.newNamespace("job-hold");
        Path log = KubeCluster.serveLogs(ns, "migrating\n");
        try (KubernetesClient k = KubeCluster.client()) {
            k.batch().v1().jobs().inNamespace(ns).resource(job("migrate", Map.of(KubeCluster.HOLD_LABEL, "true"), Map.of())).create();
            String pod = awaitPod(k, ns, "migrate", p -> "Running".equals(p.getStatus().getPhase())).getMetadata().getName();
            try (LogWatch follow = k.pods().inNamespace(ns).withName(pod).watchLog()) {
                BufferedReader lines = new BufferedReader(new InputStreamReader(follow.getOutput(), StandardCharsets.UTF_8));
                assertEquals("migrating", nextLine(lines));
                KubeCluster.appendLogs(log, "MISMATCH users: 10 != 9\n");
                assertEquals("MISMATCH users: 10 != 9", nextLine(lines));
            }
            Job active = k.batch().v1().jobs().inNamespace(ns).withName("migrate").get();
            assertEquals(1, active.getStatus().getActive(), active.getStatus().toString());
            assertTrue(active.getStatus().getConditions() == null || active.getStatus().getConditions().isEmpty(), active.getStatus().toString());

            k.pods().inNamespace(ns).withName(pod).edit(p -> new PodBuilder(p).editMetadata().removeFromLabels(KubeCluster.HOLD_LABEL).endMetadata().build());
            Job job = finished(k, ns, "migrate");
            assertEquals(Optional.of("True"), condition(job, "Complete").map(JobCondition::getStatus), job.getStatus().toString());
        }
    }

    @Test
    void aPodNoNodeMatchesStaysPendingWithTheSchedulersEvent() {
        String ns = KubeCluster.newNamespace("pending-unschedulable");
        try (KubernetesClient k = KubeCluster.client()) {
            k.pods().inNamespace(ns).resource(new PodBuilder(pod("migrate", Map.of())).editSpec()
                    .withNodeSelector(Map.of("disktype", "ssd")).endSpec().build()).create();
            Event event = awaitEvent(k, ns, "migrate", "FailedScheduling");
            assertEquals("Warning", event.getType());
            assertTrue(event.getMessage().contains("didn't match Pod's node affinity/selector"), event.getMessage());
            Pod pod = k.pods().inNamespace(ns).withName("migrate").get();
            assertEquals("Pending", pod.getStatus().getPhase());
            PodCondition scheduled = pod.getStatus().getConditions().stream()
                    .filter(c -> c.getType().equals("PodScheduled")).findFirst().orElseThrow();
            assertEquals("False", scheduled.getStatus());
            assertEquals("Unschedulable", scheduled.getReason());
        }
    }

    @Test
    void aPodWhoseImageCannotBePulledStaysPendingWithTheEventNamingTheImage() {
        String ns = KubeCluster.newNamespace("pending-image");
        try (KubernetesClient k = KubeCluster.client()) {
            k.pods().inNamespace(ns).resource(pod("migrate", Map.of(KubeCluster.IMAGE_PULL_BACKOFF_LABEL, "true"))).create();
            Event event = awaitEvent(k, ns, "migrate", "Failed");
            assertEquals("Warning", event.getType());
            assertEquals("Failed to pull image \"registry.example/app:1.0\": not found", event.getMessage());
            Pod pod = awaitPod(k, ns, p -> p.getMetadata().getName().equals("migrate") && waiting(p) != null);
            assertEquals("Pending", pod.getStatus().getPhase());
            assertEquals("ImagePullBackOff", waiting(pod).getReason());
            assertEquals("Back-off pulling image \"registry.example/app:1.0\"", waiting(pod).getMessage());
        }
    }

    @Test
    void aLimitedUserIsRefusedAndAViewerMayOnlyRead() throws Exception {
        String ns = KubeCluster.newNamespace("rbac");
        Path limitedConfig = KubeCluster.kubeconfig(KubeCluster.LIMITED, "prod", ns);
        Config config = Config.fromKubeconfig(Files.readString(limitedConfig));
        assertEquals("prod", config.getCurrentContext().getName());
        assertEquals(ns, config.getNamespace());
        try (KubernetesClient limited = new KubernetesClientBuilder().withConfig(config).build();
             KubernetesClient viewer = KubeCluster.client(KubeCluster.VIEWER)) {
            KubernetesClientException refused = assertThrows(KubernetesClientException.class, () -> limited.pods().list());
            assertEquals(403, refused.getCode());
            assertTrue(refused.getMessage().contains("User \"limited\" cannot list resource \"pods\""), refused.getMessage());

            assertTrue(viewer.pods().inNamespace(ns).list().getItems().isEmpty());
            KubernetesClientException cannotCreate = assertThrows(KubernetesClientException.class,
                    () -> viewer.batch().v1().jobs().inNamespace(ns).resource(job("migrate", Map.of(), Map.of())).create());
            assertEquals(403, cannotCreate.getCode());
        }
    }

    private static Job job(String name, Map<String, String> podLabels, Map<String, String> podAnnotations) {
        return new JobBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withBackoffLimit(0)
                .withNewTemplate().withNewMetadata().withLabels(podLabels).withAnnotations(podAnnotations).endMetadata()
                .withSpec(pod(name, Map.of()).getSpec())
                .endTemplate().endSpec().build();
    }

    private static Pod pod(String name, Map<String, String> labels) {
        return new PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("migrate").withImage("registry.example/app:1.0").withCommand("./migrate").endContainer()
                .endSpec().build();
    }

    /** Waits until the Job is Complete or Failed. */
    private static Job finished(KubernetesClient k, String ns, String name) {
        return k.batch().v1().jobs().inNamespace(ns).withName(name).waitUntilCondition(
                j -> j != null && (condition(j, "Complete").isPresent() || condition(j, "Failed").isPresent()),
                WAIT_MINUTES, TimeUnit.MINUTES);
    }

    private static Optional<JobCondition> condition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) return Optional.empty();
        return job.getStatus().getConditions().stream().filter(c -> c.getType().equals(type) && c.getStatus().equals("True")).findFirst();
    }

    private static Pod onlyPod(KubernetesClient k, String ns, String job) {
        List<Pod> pods = k.pods().inNamespace(ns).withLabel("job-name", job).list().getItems();
        assertEquals(1, pods.size(), "pods of job " + job + ": " + pods);
        return pods.get(0);
    }

    private static Pod awaitPod(KubernetesClient k, String ns, String job, Predicate<Pod> condition) {
        return awaitPod(k, ns, p -> job.equals(p.getMetadata().getLabels().get("job-name")) && condition.test(p));
    }

    private static Pod awaitPod(KubernetesClient k, String ns, Predicate<Pod> condition) {
        return await("a pod in " + ns, () -> k.pods().inNamespace(ns).list().getItems().stream()
                .filter(p -> p.getStatus() != null && condition.test(p)).findFirst());
    }

    private static Event awaitEvent(KubernetesClient k, String ns, String pod, String reason) {
        return await("event " + reason + " of pod " + pod, () -> k.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).findFirst());
    }

    private static <T> T await(String what, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(WAIT_MINUTES);
        while (true) {
            Optional<T> found = probe.get();
            if (found.isPresent()) return found.get();
            if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + WAIT_MINUTES + " minutes waiting for " + what);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static ContainerStateTerminated terminated(Pod pod) {
        return pod.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    }

    private static ContainerStateWaiting waiting(Pod pod) {
        var statuses = pod.getStatus().getContainerStatuses();
        return statuses == null || statuses.isEmpty() ? null : statuses.get(0).getState().getWaiting();
    }

    private static String nextLine(BufferedReader lines) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return lines.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).get(WAIT_MINUTES, TimeUnit.MINUTES);
    }

    private static SSLContext sslTrusting(Path caCert) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caCert)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}
