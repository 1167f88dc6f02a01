package dev.lockstep.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lockstep.KubeCluster;
import dev.lockstep.LockstepCli;
import dev.lockstep.LockstepProcess;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** k8s.job against a real API server, controller-manager and scheduler (kwok plays the node). */
@Tag("kube")
@Tag("process")
class KubeJobTest {
    static final String DIR = "src/test/resources/runbooks/kube/";

    @TempDir
    Path tmp;

    private LockstepCli cli() {
        return new LockstepCli(tmp.resolve("state"));
    }

    /** Runs a runbook in a namespace of its own, with the test cluster's admin kubeconfig. */
    static String[] args(String runbook, String ns, String... more) {
        List<String> a = new ArrayList<>(List.of("run", DIR + runbook, "--no-tui", "--kubeconfig", KubeCluster.kubeconfig().toString(),
                "--namespace", ns));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    static List<Job> jobs(String ns) {
        try (KubernetesClient k = KubeCluster.client()) {
            return k.batch().v1().jobs().inNamespace(ns).list().getItems();
        }
    }

    static String runId(LockstepCli.Result r) {
        return r.out().lines().filter(l -> l.startsWith("run id: ")).findFirst().orElseThrow(() -> new AssertionError(r.all())).substring(8);
    }

    @Test
    void aJobRunsToCompleteItsLogsAreShownAndTheSameSpecIsAdoptedNotRunAgain() {
        String ns = KubeCluster.newNamespace("job-ok");
        KubeCluster.serveLogs(ns, "INFO running upgrade 0e12 -> add_sqs\nMigration completed successfully\n");
        LockstepCli cli = cli();
        LockstepCli.Result r = cli.run(args("job.yaml", ns));
        assertEquals(0, r.exit(), r.all());
        List<Job> jobs = jobs(ns);
        assertEquals(1, jobs.size());
        String name = jobs.get(0).getMetadata().getName();
        assertTrue(name.matches("db-migration-[0-9a-f]{10}"), name);
        assertTrue(r.out().contains("created job " + ns + "/" + name), r.out());
        assertTrue(r.out().contains("INFO running upgrade 0e12 -> add_sqs"), "the pod's log is shown: " + r.out());
        assertTrue(r.out().contains("job " + ns + "/" + name + " Complete"), r.out());
        assertTrue(r.out().contains("outputs: job=" + name + ", status=Complete") || r.out().contains("job=" + name), r.out());

        LockstepCli.Result again = cli.run(args("job.yaml", ns));
        assertEquals(0, again.exit(), again.all());
        assertTrue(again.out().contains("is already Complete with this spec: adopted, not run again"), again.out());
        assertEquals(1, jobs(ns).size(), "the same spec never runs twice");

        LockstepCli.Result changed = cli.run(args("job.yaml", ns, "-p", "image=registry.example/app:2.0"));
        assertEquals(0, changed.exit(), changed.all());
        assertEquals(2, jobs(ns).size(), "a changed spec is a new Job");
        assertFalse(changed.out().contains("adopted"), changed.out());
    }

    @Test
    void aFailedJobFailsTheStepWithItsReasonAndExitCodeAndRunsAgainOnlyWhenRetried() {
        String ns = KubeCluster.newNamespace("job-fail");
        LockstepCli cli = cli();
        LockstepCli.Result r = cli.run(args("job.yaml", ns, "-p", "job=k8s/job-fail.yaml"));
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.all().lines().anyMatch(l -> l.contains("step migrate failed: job db-migration-") && l.contains("Failed: BackoffLimitExceeded")
                && l.contains("exited 3 (Error)")), "the failure names the Job's reason and the exit code: " + r.all());
        String failedJob = jobs(ns).get(0).getMetadata().getUid();

        LockstepCli.Result again = cli.run(args("job.yaml", ns, "-p", "job=k8s/job-fail.yaml", "--new"));
        assertEquals(1, again.exit(), again.all());
        assertTrue(again.out().contains("already Failed; it is not run again unless the step is retried"), again.out());
        assertTrue(again.out().contains("Failed: BackoffLimitExceeded"), again.out());
        assertEquals(failedJob, jobs(ns).get(0).getMetadata().getUid(), "a new run does not run a failed spec again by itself");

        LockstepCli.Result retried = cli.run("resume", "--no-tui", "--retry", "migrate", "--kubeconfig", KubeCluster.kubeconfig().toString(),
                "--namespace", ns);
        assertEquals(1, retried.exit(), retried.all());
        assertTrue(retried.out().contains("the step was retried: deleting the failed job"), retried.out());
        assertEquals(1, jobs(ns).size());
        assertFalse(failedJob.equals(jobs(ns).get(0).getMetadata().getUid()), "the retry ran a new Job of the same name");
    }

    @Test
    void aJobPastItsDeadlineFailsWithDeadlineExceeded() {
        String ns = KubeCluster.newNamespace("job-deadline");
        LockstepCli.Result r = cli().run(args("job.yaml", ns, "-p", "job=k8s/job-deadline.yaml"));
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.all().lines().anyMatch(l -> l.contains("step migrate failed: job db-migration-") && l.contains("Failed: DeadlineExceeded")),
                "the failure names the Job's reason: " + r.all());
    }

    /** A Secret the pod reads, missing or without the key in its data: the pod could never start, so no Job is made. */
    @Test
    void aJobWhoseSecretOrKeyIsMissingIsNotCreated() {
        String ns = KubeCluster.newNamespace("job-secret");
        LockstepCli cli = cli();
        LockstepCli.Result none = cli.run(args("job.yaml", ns, "-p", "job=k8s/job-secret.yaml"));
        assertEquals(1, none.exit(), none.all());
        assertTrue(none.out().contains("Secret db-connection not found: no Job was created"), none.out());
        assertTrue(jobs(ns).isEmpty(), "no Job without its Secret");
        try (KubernetesClient k = KubeCluster.client()) {
            k.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("db-connection").endMetadata()
                    .addToStringData("uri", "postgres://db/app").build()).create();
        }
        LockstepCli.Result noKey = cli.run(args("job.yaml", ns, "-p", "job=k8s/job-secret.yaml", "--new"));
        assertEquals(1, noKey.exit(), noKey.all());
        assertTrue(noKey.out().contains("Secret db-connection has no key url in its data: no Job was created"), noKey.out());
        assertTrue(jobs(ns).isEmpty(), "no Job without the key");
    }

    @Test
    void aPodThatCannotPullItsImageIsReportedWithItsEventAndFailsTheStep() {
        String ns = KubeCluster.newNamespace("job-pull");
        LockstepCli.Result r = cli().run(args("job.yaml", ns, "-p", "job=k8s/job-pull.yaml"));
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("is Pending: ImagePullBackOff (Back-off pulling image \"registry.example/app:1.0\")"), r.out());
        assertTrue(r.out().contains("event Failed: Failed to pull image \"registry.example/app:1.0\": not found"), r.out());
        assertTrue(r.out().contains("stayed Pending for 3s"), r.out());
    }

    /**
     * Issue 21: a container the kubelet cannot start (its image cannot be pulled, the ConfigMap its environment
     * names is missing) is said as soon as it is seen, with the kubelet's event; the step gives up after its
     * own bound (pendingTimeout, 3s here), not the step's timeout, naming both, and deletes the Job as a halt does.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "ErrImagePull|k8s/job-errimagepull.yaml|event Failed: Failed to pull image \"registry.example/app:9.9\": not found",
            "CreateContainerConfigError|k8s/job-config-error.yaml|event Failed: Error: configmap \"migration-settings\" not found"})
    void aContainerThatCannotStartIsSaidAtOnceAndItsJobDeletedAfterItsOwnBound(String reason, String manifest, String event) {
        String ns = KubeCluster.newNamespace("job-" + reason.toLowerCase());
        LockstepCli.Result r = cli().run(args("job.yaml", ns, "-p", "job=" + manifest));
        assertEquals(1, r.exit(), r.all());
        int said = r.out().indexOf("is Pending: " + reason + " (");
        assertTrue(said >= 0 && r.out().indexOf(event) > said, "said with its event: " + r.out());
        int gaveUp = r.all().indexOf("step migrate failed: pod db-migration-");
        assertTrue(gaveUp > said, "said before the step gave up: " + r.all());
        String failure = r.all().substring(gaveUp).lines().findFirst().orElseThrow();
        assertTrue(failure.contains("stayed Pending for 3s: " + reason) && failure.contains(event) && failure.contains("deleted job db-migration-"),
                failure);
        assertTrue(jobs(ns).isEmpty(), "the Job does not start its pod later, unobserved");
    }

    @Test
    void aPodNoNodeFitsIsReportedWithTheSchedulersEvent() {
        String ns = KubeCluster.newNamespace("job-unsched");
        LockstepCli.Result r = cli().run(args("job.yaml", ns, "-p", "job=k8s/job-unschedulable.yaml"));
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("is Pending: Unschedulable"), r.out());
        assertTrue(r.out().contains("event FailedScheduling: 0/1 nodes are available"), r.out());
    }

    /** haltOn applies to every container's log: here the migration's, which is neither the init container nor the first. */
    @Test
    void everyContainersLogIsShownAndAMismatchInTheMigrationContainerHalts() {
        String ns = KubeCluster.newNamespace("job-sidecar");
        KubeCluster.serveContainerLogs(ns, Map.of("wait-for-db", "database is up\n", "db-proxy", "proxy listening on 5432\n",
                "migrate", "users: source=10 dest=9 MISMATCH\n"));
        LockstepCli.Result r = cli().run(args("job.yaml", ns, "-p", "job=k8s/job-sidecar.yaml"));
        assertEquals(3, r.exit(), "the migration container's MISMATCH halts the run: " + r.all());
        assertTrue(r.out().contains("database is up") && r.out().contains("proxy listening on 5432"), r.out());
        assertTrue(r.out().contains("container migrate"), "a pod of several containers names the one a line comes from: " + r.out());

        String failing = KubeCluster.newNamespace("job-sidecar-fail");
        LockstepCli.Result failed = cli().run(args("job.yaml", failing, "-p", "job=k8s/job-sidecar-fail.yaml", "--new"));
        assertEquals(1, failed.exit(), failed.all());
        assertTrue(failed.out().contains("container migrate exited 3 (Error)"),
                "the container that failed is the one reported, not the proxy listed first: " + failed.out());
    }

    @Test
    void aMismatchInARunningPodsLogHaltsTheRun() throws Exception {
        String ns = KubeCluster.newNamespace("job-halt");
        Path log = KubeCluster.serveLogs(ns, "copying users\n");
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = CompletableFuture.supplyAsync(() -> cli.run(args("job.yaml", ns, "-p", "job=k8s/job-hold.yaml")));
        AwsFixtures.awaitOutput(cli.stateDir(), "copying users");
        KubeCluster.appendLogs(log, "users: source=10 dest=9 MISMATCH\n");
        LockstepCli.Result r = run.get(2, TimeUnit.MINUTES);
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.out().contains("HALTED step migrate"), r.out());
        assertTrue(r.out().contains("users: source=10 dest=9 MISMATCH"), r.out());
    }

    @Test
    void untilKeepsTheJobsResultAndRequireHaltsWhenItsLineNeverCame() {
        String ns = KubeCluster.newNamespace("job-until");
        KubeCluster.serveLogs(ns, "users: 10 rows [OK]\nMigration completed successfully\n");
        LockstepCli.Result r = cli().run(args("job-until.yaml", ns));
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("matched=Migration completed successfully"), r.out());

        String other = KubeCluster.newNamespace("job-require");
        KubeCluster.serveLogs(other, "Migration completed successfully\n");
        LockstepCli.Result missing = cli().run(args("job-until.yaml", other, "--new"));
        assertEquals(3, missing.exit(), missing.all());
        assertTrue(missing.out().contains("required output never appeared"), missing.out());
    }

    @Test
    void theRollbackDeletesTheJobAndItsPods() {
        String ns = KubeCluster.newNamespace("job-rollback");
        LockstepCli cli = cli();
        LockstepCli.Result r = cli.run(args("job.yaml", ns));
        assertEquals(0, r.exit(), r.all());
        LockstepCli.Result rb = cli.run("rollback", runId(r), "--no-tui", "--yes", "--confirm-run", runId(r), "--kubeconfig", KubeCluster.kubeconfig().toString(),
                "--namespace", ns);
        assertEquals(0, rb.exit(), rb.all());
        assertTrue(rb.out().contains("and its pods are gone"), rb.out());
        assertTrue(jobs(ns).isEmpty());
        try (KubernetesClient k = KubeCluster.client()) {
            assertTrue(k.pods().inNamespace(ns).list().getItems().isEmpty());
        }
    }

    @Test
    void aResumedStepReattachesToTheJobItCreatedAfterKill9() throws Exception {
        String ns = KubeCluster.newNamespace("job-crash");
        Path state = tmp.resolve("proc-state");
        Path log = killWhileTheJobRuns(ns, state);
        String resumed = resumeAndFinish(ns, log, state, "--kubeconfig", KubeCluster.kubeconfig().toString(), "--namespace", ns);
        assertEquals(1, jobs(ns).size(), "no second Job was created");
        assertTrue(resumed.contains("re-attaching to job " + ns + "/db-migration-"), resumed);
    }

    /**
     * Issue 21, finding 1: a run started with --namespace, killed while its Job runs, and resumed as from a
     * new shell (the kubeconfig from the environment, no --namespace) acts where it was started: it
     * re-attaches to its Job instead of creating a second one in the kubeconfig's namespace. Another
     * namespace on the command line is refused, naming both, before anything is recorded.
     */
    @Test
    void aResumeWithoutTheNamespaceActsWhereTheRunStartedAndAnotherNamespaceIsRefused() throws Exception {
        String ns = KubeCluster.newNamespace("job-place");
        Path state = tmp.resolve("place-state");
        Path log = killWhileTheJobRuns(ns, state);
        int elsewhereBefore = jobs("default").size();

        String other = KubeCluster.newNamespace("job-place-other");
        Path refusedLog = tmp.resolve("place-refused.log");
        // A process, bounded: a lockstep that moved the run would wait on a held pod in the other namespace.
        Process refused = LockstepProcess.start(refusedLog, "resume", "--no-tui", "--state-dir", state.toString(),
                "--kubeconfig", KubeCluster.kubeconfig().toString(), "--namespace", other);
        if (!refused.waitFor(2, TimeUnit.MINUTES)) {
            refused.destroyForcibly().waitFor();
            throw new AssertionError("the resume in another namespace was not refused: " + Files.readString(refusedLog));
        }
        assertEquals(13, refused.exitValue(), Files.readString(refusedLog));
        assertTrue(Files.readString(refusedLog).contains("acts on --namespace " + ns
                + " (recorded with the run), but this command would act on --namespace " + other), Files.readString(refusedLog));
        assertTrue(jobs(other).isEmpty(), "nothing was created in the other namespace");

        resumeAndFinish(ns, log, state, "--kubeconfig", KubeCluster.kubeconfig().toString());
        assertEquals(1, jobs(ns).size(), "no second Job in the run's namespace");
        assertEquals(elsewhereBefore, jobs("default").size(), "no Job in the kubeconfig's own namespace");
    }

    /** Starts job.yaml with a held pod in {@code ns} as a process, kills it (-9) while the Job runs; returns the pod log to append to. */
    private Path killWhileTheJobRuns(String ns, Path state) throws Exception {
        Path log = KubeCluster.serveLogs(ns, "migrating\n");
        Process p = LockstepProcess.start(tmp.resolve(ns + "-first.log"),
                args("job.yaml", ns, "-p", "job=k8s/job-hold.yaml", "--state-dir", state.toString()));
        AwsFixtures.awaitOutput(state, "migrating");
        p.destroyForcibly().waitFor();
        assertEquals(1, jobs(ns).size());
        return log;
    }

    /** Resumes as a process with {@code options}, lets the held pod finish once it re-attached, and returns what the resume printed. */
    private String resumeAndFinish(String ns, Path log, Path state, String... options) throws Exception {
        Path second = tmp.resolve(ns + "-resume.log");
        List<String> command = new ArrayList<>(List.of("resume", "--no-tui", "--state-dir", state.toString()));
        command.addAll(List.of(options));
        CompletableFuture<Integer> resume = CompletableFuture.supplyAsync(() -> {
            try {
                return LockstepProcess.run(second, command.toArray(String[]::new));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        AwsFixtures.awaitOutput(state, "re-attaching to job");
        KubeCluster.appendLogs(log, "Migration completed successfully\n");
        release(ns);
        assertEquals(0, resume.get(2, TimeUnit.MINUTES), Files.readString(second));
        return Files.readString(second);
    }

    /**
     * Issue 21, finding 2: seed 001's Job (restartPolicy OnFailure, backoffLimit 3) failing as a kubelet
     * reports it: the pod Running, its container waiting in CrashLoopBackOff, the exit code in lastState.
     * The crash is said at once, and the step's failure keeps the exit code and the reason.
     */
    @Test
    void aCrashLoopIsSaidAtOnceAndTheFailureKeepsItsExitCode() throws Exception {
        String ns = KubeCluster.newNamespace("job-crashloop");
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = CompletableFuture.supplyAsync(() -> cli.run(args("job.yaml", ns, "-p",
                "job=k8s/job-crashloop.yaml")));
        AwsFixtures.awaitOutput(cli.stateDir(), "Running");
        try (KubernetesClient k = KubeCluster.client()) {
            Pod pod = k.pods().inNamespace(ns).list().getItems().get(0);
            pod.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName("migrate").withImage("registry.example/app:1.0")
                    .withImageID("").withReady(false).withStarted(false).withRestartCount(3)
                    .withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                    .withMessage("back-off 40s restarting failed container=migrate").endWaiting().endState()
                    .withNewLastState().withNewTerminated().withExitCode(3).withReason("Error").withStartedAt(pod.getStatus().getStartTime())
                    .withFinishedAt(pod.getStatus().getStartTime()).endTerminated().endLastState().build()));
            k.pods().inNamespace(ns).resource(pod).updateStatus();
        }
        LockstepCli.Result r = run.get(2, TimeUnit.MINUTES);
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("container migrate CrashLoopBackOff: last exit 3 (Error), restarted 3 times"), r.out());
        assertTrue(r.all().lines().anyMatch(l -> l.contains("Failed: BackoffLimitExceeded") && l.contains("last exit 3 (Error)")),
                "the failure keeps the exit code: " + r.all());
    }

    /**
     * Issue 21, finding 3: pods the API server refuses (here a ResourceQuota of 0 pods) leave a Warning
     * FailedCreate event on the Job and no pod: said at once, and the step gives up after its
     * pendingTimeout (3s here) instead of waiting for its own timeout, deleting the Job (finding 10).
     */
    @Test
    void aJobWhosePodsAreRefusedIsSaidAtOnceAndGivenUpOnInBoundedTime() {
        String ns = KubeCluster.newNamespace("job-quota");
        try (KubernetesClient k = KubeCluster.client()) {
            k.resourceQuotas().inNamespace(ns).resource(new ResourceQuotaBuilder().withNewMetadata().withName("no-pods").endMetadata()
                    .withNewSpec().addToHard("pods", new Quantity("0")).endSpec().build()).create();
        }
        LockstepCli.Result r = cli().run(args("job.yaml", ns));
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("cannot create its pod: event FailedCreate: "), r.out());
        assertTrue(r.out().contains("exceeded quota: no-pods"), r.out());
        assertTrue(r.out().contains("created no pod in 3s"), r.out());
        assertTrue(jobs(ns).isEmpty(), "the Job is deleted: it would create its pod, unobserved, once the quota allows");
    }

    /**
     * Issue 21, findings 8 and 10: a halt on the Job's own output, and a pod that stays Pending past its
     * limit, stop the Job (deleted with its pods, as the rollback does) and say so; the halt's reason is
     * the line, not an API error from the interrupted watch.
     */
    @Test
    void aHaltAndAPendingTimeoutStopTheJob() throws Exception {
        String ns = KubeCluster.newNamespace("job-halt-stop");
        Path log = KubeCluster.serveLogs(ns, "checking heads\n");
        LockstepCli cli = cli();
        CompletableFuture<LockstepCli.Result> run = CompletableFuture.supplyAsync(() -> cli.run(args("job.yaml", ns, "-p", "job=k8s/job-hold.yaml")));
        AwsFixtures.awaitOutput(cli.stateDir(), "checking heads");
        KubeCluster.appendLogs(log, "heads: source=2 dest=1 MISMATCH\n");
        LockstepCli.Result r = run.get(2, TimeUnit.MINUTES);
        assertEquals(3, r.exit(), r.all());
        assertTrue(r.all().contains("deleted job db-migration-"), r.all());
        assertFalse(r.all().contains("Kubernetes API"), r.all());
        assertTrue(jobs(ns).isEmpty(), "the halted Job does not go on");

        String pending = KubeCluster.newNamespace("job-pending-stop");
        LockstepCli.Result p = cli.run(args("job.yaml", pending, "-p", "job=k8s/job-pull.yaml", "--new"));
        assertEquals(1, p.exit(), p.all());
        assertTrue(p.out().contains("stayed Pending for 3s"), p.out());
        assertTrue(p.all().contains("deleted job db-migration-"), p.all());
        assertTrue(jobs(pending).isEmpty(), "a Job whose pod could start later does not run unobserved");
    }

    /** Lets held pods finish: the hold label comes off each. */
    static void release(String ns) {
        try (KubernetesClient k = KubeCluster.client()) {
            for (Pod p : k.pods().inNamespace(ns).list().getItems()) {
                k.pods().inNamespace(ns).withName(p.getMetadata().getName()).edit(x -> new PodBuilder(x).editMetadata()
                        .removeFromLabels(KubeCluster.HOLD_LABEL).endMetadata().build());
            }
        }
    }

}
