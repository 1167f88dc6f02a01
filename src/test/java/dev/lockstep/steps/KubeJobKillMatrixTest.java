package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.KubeCluster;
import dev.lockstep.LockstepProcess;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 21: lockstep killed (as by kill -9) at every point where a {@code k8s.job} step talks to the
 * API server, then resumed with the run's --namespace and without it (the run's recorded place is
 * used): the run succeeds, and exactly one Job exists for the spec, in the run's namespace, none in
 * the kubeconfig's own. The exact points come from the $LOCKSTEP_TEST_HALT_AT hook (engine CrashPoint). Then two
 * ways a Job's state moves on while lockstep is dead: removed by its TTL once Complete, and a retry's Job failing.
 */
@Tag("kube")
@Tag("process")
class KubeJobKillMatrixTest {
    private static final String RUNBOOK = KubeJobTest.DIR + "job-matrix.yaml";
    private static final String PULL_LABEL = KubeCluster.IMAGE_PULL_BACKOFF_LABEL;
    /** The label k8s.job puts on its Jobs: the hash of the spec. */
    private static final String HASH_LABEL = "lockstep.dev/spec-hash";

    /** Where the first process halts; whether the Job exists there; whether its pod is held Pending first. */
    enum Point {
        /** step_started journaled, nothing created yet. */
        STARTED("STEP_STARTED:migrate", false, false),
        /** The Job's name journaled (lockstep journals it before it creates the Job), the Job not created. */
        ID_JOURNALED("STEP_EXTERNAL_ID:migrate", false, false),
        /** The create call returned; the Job's uid not journaled yet. */
        CREATED("line:created job", true, false),
        /** The Job's pod is Pending (ImagePullBackOff). */
        POD_PENDING("line:is Pending: ImagePullBackOff", true, true),
        /** The pod runs: its log is being followed. */
        POD_RUNNING("line:migrating", true, false),
        /** The Job is Complete and lockstep saw it, step_succeeded not journaled yet. */
        COMPLETED("line: Complete", true, false);

        final String haltAt;
        final boolean jobExists;
        final boolean pending;

        Point(String haltAt, boolean jobExists, boolean pending) {
            this.haltAt = haltAt;
            this.jobExists = jobExists;
            this.pending = pending;
        }
    }

    @TempDir
    Path tmp;

    static Stream<Arguments> cells() {
        return Stream.of(Point.values()).flatMap(p -> Stream.of(Arguments.of(p, true), Arguments.of(p, false)));
    }

    @ParameterizedTest(name = "killed at {0}, resumed with --namespace: {1}")
    @MethodSource("cells")
    void exactlyOneJobAfterKillAndResume(Point point, boolean withNamespace) throws Exception {
        String ns = KubeCluster.newNamespace("matrix-" + point.name().toLowerCase().replace('_', '-'));
        killAt(point, ns, "k8s/job-matrix.yaml");

        List<Job> before = KubeJobTest.jobs(ns);
        assertEquals(point.jobExists ? 1 : 0, before.size(), "the Jobs when lockstep was killed at " + point + ": " + before);

        resume(ns, withNamespace, point.jobExists ? "re-attaching to job " + ns + "/db-migration-" : "created job " + ns + "/db-migration-");

        List<Job> after = KubeJobTest.jobs(ns);
        assertEquals(1, after.size(), "exactly one Job for the spec after kill at " + point + " and resume: " + after);
        Job job = after.get(0);
        assertTrue(job.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Complete") && c.getStatus().equals("True")),
                "the Job ran to completion: " + job.getStatus());
        if (point.jobExists) {
            assertEquals(before.get(0).getMetadata().getUid(), job.getMetadata().getUid(), "the resume re-attached to the Job, not a new one");
        }
        String hash = job.getMetadata().getLabels().get(HASH_LABEL);
        try (KubernetesClient k = KubeCluster.client()) {
            assertEquals(0, k.batch().v1().jobs().inNamespace("default").withLabel(HASH_LABEL, hash).list().getItems().size(),
                    "no Job of this spec in the kubeconfig's namespace");
        }
    }

    /**
     * Killed once the Job is Complete, and the Job removed by its ttlSecondsAfterFinished before the resume (seed 000's
     * Job is, an hour after it finished): the resume does not create it again, and succeeds by the Job's Completed event.
     */
    @ParameterizedTest(name = "resumed with --namespace: {0}")
    @ValueSource(booleans = {true, false})
    void aCompleteJobRemovedByItsTtlBeforeTheResumeIsNotRunAgain(boolean withNamespace) throws Exception {
        String ns = KubeCluster.newNamespace("matrix-ttl");
        killAt(Point.COMPLETED, ns, "k8s/job-matrix-ttl.yaml");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!KubeJobTest.jobs(ns).isEmpty()) {
            if (System.nanoTime() > deadline) throw new AssertionError("the TTL controller did not remove the Job: " + KubeJobTest.jobs(ns));
            Thread.sleep(200);
        }
        List<String> ran = jobsThatRan(ns);
        assertEquals(1, ran.size(), "one Job ran before the kill: " + ran);

        // Whatever the resume does with the Job (judge it, or create it again), its pods are let go, so it ends.
        String out = resume(ns, withNamespace, "job " + ns + "/db-migration-");
        assertEquals(ran, jobsThatRan(ns), "no second Job was created: " + out);
        assertTrue(out.contains("is gone: how it ended is read from its events") && out.contains("Complete, as its event says"), out);
        assertTrue(KubeJobTest.jobs(ns).isEmpty(), KubeJobTest.jobs(ns).toString());
        assertTrue(jobsThatRan("default").stream().noneMatch(j -> j.startsWith(ran.get(0).split("@")[0] + "@")),
                "no Job of this spec in the kubeconfig's namespace");
    }

    /**
     * A failed Job retried by the operator, lockstep killed while the retry's Job runs, and that Job failing meanwhile:
     * the resume re-attaches and reports the retry's failure; it does not take the first failure for another retry.
     */
    @Test
    void aRetriedJobThatFailsWhileLockstepIsDeadIsNotRunAThirdTime() throws Exception {
        String ns = KubeCluster.newNamespace("matrix-retry");
        KubeCluster.serveLogs(ns, "migrating\n");
        String state = tmp.resolve("state").toString();
        String kubeconfig = KubeCluster.kubeconfig().toString();
        Path firstLog = tmp.resolve("first.log");
        Process first = LockstepProcess.start(firstLog, "run", RUNBOOK, "--no-tui", "--state-dir", state, "--kubeconfig", kubeconfig,
                "--namespace", ns, "-p", "job=k8s/job-matrix-fail.yaml");
        releaseOnceSeen(first, firstLog, "migrating", ns);
        ended(first, firstLog);
        assertEquals(1, first.exitValue(), Files.readString(firstLog));

        Path retryLog = tmp.resolve("retry.log");
        Process retry = LockstepProcess.start(retryLog, Map.of("LOCKSTEP_TEST_HALT_AT", "line:migrating"), "resume", "--no-tui",
                "--state-dir", state, "--kubeconfig", kubeconfig, "--namespace", ns, "--retry", "migrate");
        ended(retry, retryLog);
        assertEquals(137, retry.exitValue(), Files.readString(retryLog));
        assertTrue(Files.readString(retryLog).contains("the step was retried: deleting the failed job"), Files.readString(retryLog));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (KubeJobTest.jobs(ns).stream().noneMatch(j -> j.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Failed")))) {
            if (System.nanoTime() > deadline) throw new AssertionError("the retry's Job did not fail: " + KubeJobTest.jobs(ns));
            KubeJobTest.release(ns);
            Thread.sleep(200);
        }

        Path resumeLog = tmp.resolve("resume.log");
        Process resumed = LockstepProcess.start(resumeLog, "resume", "--no-tui", "--state-dir", state, "--kubeconfig", kubeconfig);
        ended(resumed, resumeLog);
        String out = Files.readString(resumeLog);
        assertEquals(1, resumed.exitValue(), out);
        assertTrue(out.contains("re-attaching to job " + ns + "/db-migration-") && out.contains("Failed: BackoffLimitExceeded"), out);
        assertEquals(2, jobsThatRan(ns).size(), "the first Job and the retry's, no third: " + jobsThatRan(ns));
    }

    /** Every Job that existed in {@code ns}, as "name@uid", by the events about Jobs there (they outlive the Jobs). */
    private static List<String> jobsThatRan(String ns) {
        try (KubernetesClient k = KubeCluster.client()) {
            return k.v1().events().inNamespace(ns).withField("involvedObject.kind", "Job").list().getItems().stream()
                    .map(e -> e.getInvolvedObject().getName() + "@" + e.getInvolvedObject().getUid()).distinct().sorted().toList();
        }
    }

    /** Runs the matrix runbook with {@code job} in {@code ns}, as a process that halts at {@code point}. */
    private void killAt(Point point, String ns, String job) throws Exception {
        KubeCluster.serveLogs(ns, "migrating\n");
        Path firstLog = tmp.resolve("first.log");
        Process first = LockstepProcess.start(firstLog, Map.of("LOCKSTEP_TEST_HALT_AT", point.haltAt), "run", RUNBOOK, "--no-tui",
                "--state-dir", tmp.resolve("state").toString(), "--kubeconfig", KubeCluster.kubeconfig().toString(), "--namespace", ns,
                "-p", "job=" + job, "-p", "pending=" + point.pending);
        // To halt once the Job is Complete, the first process must see it complete: its pod is let go once it runs.
        if (point == Point.COMPLETED) releaseOnceSeen(first, firstLog, "migrating", ns);
        ended(first, firstLog);
        assertEquals(137, first.exitValue(), "lockstep halted at " + point.haltAt + ": " + Files.readString(firstLog));
    }

    /**
     * Resumes the run as a process, with the run's --namespace or without it, lets its pods finish once it printed
     * {@code acting}, and returns what it printed; the run must succeed.
     */
    private String resume(String ns, boolean withNamespace, String acting) throws Exception {
        Path resumeLog = tmp.resolve("resume.log");
        List<String> resume = new ArrayList<>(List.of("resume", "--no-tui", "--state-dir", tmp.resolve("state").toString(),
                "--kubeconfig", KubeCluster.kubeconfig().toString()));
        if (withNamespace) resume.addAll(List.of("--namespace", ns));
        Process resumed = LockstepProcess.start(resumeLog, resume.toArray(String[]::new));
        releaseOnceSeen(resumed, resumeLog, acting, ns);
        ended(resumed, resumeLog);
        String out = Files.readString(resumeLog);
        assertEquals(0, resumed.exitValue(), out);
        return out;
    }

    /**
     * Once {@code p} has printed {@code text}, lets the namespace's pods start and finish (their pending and
     * hold labels come off) until {@code p} ends; a Job's pod appears some time after its Job, so this goes on.
     */
    private static void releaseOnceSeen(Process p, Path log, String text, String ns) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!Files.readString(log).contains(text)) {
            if (!p.isAlive()) throw new AssertionError("lockstep ended before it printed '" + text + "': " + Files.readString(log));
            if (System.nanoTime() > deadline) throw new AssertionError("lockstep never printed '" + text + "': " + Files.readString(log));
            Thread.sleep(50);
        }
        try (KubernetesClient k = KubeCluster.client()) {
            while (p.isAlive()) {
                for (Pod pod : k.pods().inNamespace(ns).list().getItems()) {
                    Map<String, String> labels = pod.getMetadata().getLabels();
                    if (!labels.containsKey(KubeCluster.HOLD_LABEL) && !labels.containsKey(PULL_LABEL)) continue;
                    try {
                        k.pods().inNamespace(ns).withName(pod.getMetadata().getName()).edit(x -> new PodBuilder(x).editMetadata()
                                .removeFromLabels(KubeCluster.HOLD_LABEL).removeFromLabels(PULL_LABEL).endMetadata().build());
                    } catch (KubernetesClientException e) {
                        // Changed (kwok played a stage) or gone since it was listed: the next round sees it again.
                    }
                }
                if (System.nanoTime() > deadline) return;
                Thread.sleep(200);
            }
        }
    }

    private static void ended(Process p, Path log) throws Exception {
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("lockstep did not end: " + Files.readString(log));
        }
    }
}
