package dev.lockstep.steps.kube;

import dev.lockstep.runbook.Value;
import dev.lockstep.step.Key;
import dev.lockstep.step.Reconciliation;
import dev.lockstep.step.ResultShape;
import dev.lockstep.step.StepContext;
import dev.lockstep.step.StepResult;
import dev.lockstep.step.StepType;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code k8s.job}: runs a Job to completion. The Job's name carries a hash of its spec, so the
 * same spec never runs twice: a Complete Job of that name is adopted as success; a Failed one
 * fails the step again, and is deleted and run anew only when the operator retries the step; a
 * changed spec is another name, so another Job (the rule of an operator that re-runs a
 * migration only when its spec changes). The name is journaled before the Job is created, so
 * a resumed step re-attaches to it. The pods' logs (every retry and restart) go to the log
 * pane, where {@code logs.haltOn}, {@code until} and {@code require} apply; the Job's
 * conditions decide: Complete succeeds, Failed fails with its reason (BackoffLimitExceeded,
 * DeadlineExceeded), the container's exit code and termination message. A pod stuck Pending
 * (an image that cannot be pulled, no node that fits) is reported with the event that says
 * why, and fails the step after {@code pendingTimeout}. The rollback deletes the Job and its pods.
 *
 * <pre>
 * - id: migrate
 *   uses: k8s.job
 *   with: { file: k8s/migration-job.yaml }
 *   logs: { haltOn: [MISMATCH], until: "Migration completed successfully" }
 * </pre>
 */
public final class KubeJobStep implements StepType<KubeJobStep.Config> {
    static final String JOB = "job";
    /** The Job whose failure this step has reported: finding it again means the operator retried. */
    static final String REPORTED_FAILURE = "reportedFailure";
    static final String HASH_LABEL = "lockstep.dev/spec-hash";
    private static final Duration DELETE_LIMIT = Duration.ofMinutes(5);

    public record Config(
            @Key("a YAML file holding the Job, relative to the runbook (values may hold ${{ }})") String file,
            @Key("the Job, inline (apiVersion batch/v1, kind Job)") Value job,
            @Key("the namespace (default: the Job's own, else the context's)") String namespace,
            @Key("how long a pod may stay Pending for a reason (image pull, unschedulable) before the step fails (default 5m)")
            Duration pendingTimeout,
            @Key("how often to look at the Job when no watch event comes (default 2s)") Duration interval,
            @Key("an object ({ apiVersion, kind, name }) whose status conditions mirror the Job, as an operator's do: Progressing"
                    + " while it runs, then Ready, or Degraded with the reason; with an Event at each change") Map<String, String> reportTo,
            @Key("an object ({ apiVersion, kind, name }) in the Job's namespace that owns the Job, as an operator's resource owns"
                    + " the Jobs it makes: deleting it deletes them") Map<String, String> ownedBy,
            @Key("delete the Job and its pods when the step halts, times out, or gives up on a Job that cannot start its pod"
                    + " (default true: it would go on unobserved); false leaves it, and the step says so") Boolean stopJob) {
        public Config {
            if ((file == null) == (job == null)) throw new IllegalArgumentException("give exactly one of file: FILE or job: { … }");
            if (job != null) {
                Manifests.checkInline(job, "job");
                if (!(job instanceof Value.Mapping m) || !(m.get("kind") instanceof Value.Scalar k) || !"Job".equals(k.value())) {
                    throw new IllegalArgumentException("job: expected one object of kind Job");
                }
            }
            pendingTimeout = pendingTimeout == null ? Duration.ofMinutes(5) : pendingTimeout;
            interval = interval == null ? Duration.ofSeconds(2) : interval;
            stopJob = stopJob == null || stopJob;
            if (reportTo != null) Kube.checkReference("reportTo", reportTo, List.of("apiVersion", "kind", "name", "namespace"));
            // Kubernetes owners are in their dependents' namespace: an owner elsewhere is not one.
            if (ownedBy != null) Kube.checkReference("ownedBy", ownedBy, List.of("apiVersion", "kind", "name"));
        }
    }

    @Override
    public String name() {
        return "k8s.job";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "run a Job (`file` or inline `job`) to completion. Its name is `metadata.name` plus a hash of its "
                + "spec: a **Complete** Job of that name is adopted, not run again; a Failed one fails the step again "
                + "and is deleted and re-run only when the step is retried; a changed spec is a new Job. The name is "
                + "journaled before the Job is created, so resume re-attaches. Its pods' logs (every retry and restart)"
                + " feed `haltOn`/`until`/`require` (`until` does not end it: the Job decides). Complete succeeds; "
                + "Failed fails with the reason (BackoffLimitExceeded, DeadlineExceeded), the exit code and termination"
                + " message; a container in CrashLoopBackOff is shown at once with its last exit code, which the failure"
                + " keeps; a pod Pending for a reason (ImagePullBackOff, Unschedulable) is shown with its Warning "
                + "events and fails the step after `pendingTimeout` (5m), as does a Job the API server creates no pod for "
                + "(FailedCreate: a quota, a missing service account). A halt, a timeout or a pod given up on deletes the "
                + "Job with its pods (`stopJob: false` leaves it). `reportTo: { apiVersion, kind, name }` "
                + "mirrors the Job onto that object's status as an operator does (Progressing, then Ready or Degraded, "
                + "with Events); `ownedBy` (same shape, same namespace) makes that object the Job's owner, so deleting "
                + "it deletes the Job. Every container's log counts (init containers and sidecars too), and the "
                + "container that failed is the one reported. `plan` asks the API server for a dry-run create and says "
                + "whether the Job would be adopted. Rollback deletes the Job and its pods";
    }

    @Override
    public String example() {
        return """
                - id: migrate
                  uses: k8s.job
                  with: { file: k8s/migration-job.yaml }
                  logs: { haltOn: [MISMATCH], until: "Migration completed successfully" }
                """;
    }

    /** A container's shell script (sh -c) inline or in a file named literally takes no ${{ }}: values go in its env. */
    @Override
    public void checkFiles(Value.Mapping with, java.nio.file.Path folder, dev.lockstep.runbook.Problems problems) {
        Manifests.checkScripts(with, "job", "file", folder, problems);
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("job", ResultShape.VALUE, "namespace", ResultShape.VALUE, "status", ResultShape.VALUE,
                "reason", ResultShape.VALUE, "message", ResultShape.VALUE, "exitCode", ResultShape.VALUE,
                "terminationMessage", ResultShape.VALUE, "adopted", ResultShape.VALUE, "pods", ResultShape.listOf(ResultShape.VALUE));
    }

    @Override
    public boolean runsPastUntil() {
        return true;
    }

    @Override
    public boolean undoesItself() {
        return true;
    }

    /** A Job already created is re-attached to (its name is in the journal), never created twice. */
    @Override
    public Reconciliation reconcile(Config c, Map<String, String> externalIds, boolean idempotent) {
        return Reconciliation.RERUN;
    }

    @Override
    public List<String> plan(Config c) {
        List<String> lines = new ArrayList<>();
        lines.add("run the Job " + (c.file() != null ? "in " + c.file() : "given inline") + " to completion, named by the hash of its spec"
                + " (a Complete Job with that spec is adopted, not run again)");
        if (c.namespace() != null) lines.add("namespace " + c.namespace());
        if (c.ownedBy() != null) lines.add("owned by " + c.ownedBy().get("kind") + " " + c.ownedBy().get("name") + ": deleting it deletes the Job");
        lines.add("follow its pods' logs; fail on Failed (reason, exit code) or a pod Pending longer than "
                + dev.lockstep.runbook.Durations.format(c.pendingTimeout()));
        return lines;
    }

    /** Builds the Job, asks the API server to validate its creation (server-side dry run), and says what a run would do. */
    @Override
    public List<String> preview(Config c, StepContext ctx) throws Exception {
        try {
            KubeSession session = KubeSession.of(ctx.settings());
            Job job = job(c, ctx, session);
            String ns = job.getMetadata().getNamespace();
            String name = job.getMetadata().getName();
            List<String> lines = new ArrayList<>();
            Job existing = session.client().batch().v1().jobs().inNamespace(ns).withName(name).get();
            if (existing != null && condition(existing, "Complete").isPresent()) {
                lines.add("Job " + ns + "/" + name + " is already Complete with this spec: it would be adopted, not run again");
            } else if (existing != null && condition(existing, "Failed").isPresent()) {
                lines.add("Job " + ns + "/" + name + " with this spec already Failed (" + condition(existing, "Failed").get().getReason()
                        + "): a run fails again unless the step is retried");
            } else if (existing != null) {
                lines.add("Job " + ns + "/" + name + " with this spec is running: a run would follow it");
            } else {
                session.client().batch().v1().jobs().inNamespace(ns).resource(job).dryRun().create();
                lines.add("create Job " + ns + "/" + name + " (accepted by the API server in a dry run)");
            }
            lines.addAll(describe(job));
            return lines;
        } catch (KubernetesClientException e) {
            return List.of("cannot preview: " + Kube.message(e));
        }
    }

    private static List<String> describe(Job job) {
        List<String> lines = new ArrayList<>();
        var spec = job.getSpec();
        job.getSpec().getTemplate().getSpec().getContainers().forEach(ct -> lines.add("container " + ct.getName() + ": image "
                + ct.getImage() + (ct.getCommand() != null && !ct.getCommand().isEmpty() ? ", command " + ct.getCommand() : "")
                + (ct.getArgs() != null && !ct.getArgs().isEmpty() ? ", args " + ct.getArgs() : "")));
        lines.add("backoffLimit " + (spec.getBackoffLimit() == null ? "6 (Kubernetes' default)" : spec.getBackoffLimit())
                + (spec.getActiveDeadlineSeconds() != null ? ", activeDeadlineSeconds " + spec.getActiveDeadlineSeconds() : ""));
        return lines;
    }

    /** The Job to run: its manifest, resolved, in its namespace, named by its spec's hash. */
    private static Job job(Config c, StepContext ctx, KubeSession session) {
        Manifests.Manifest m = c.file() != null ? single(Manifests.file(ctx.workDir(), c.file(), ctx), c.file()) : Manifests.inline(c.job()).get(0);
        if (!"Job".equals(m.kind()) || !String.valueOf(m.apiVersion()).startsWith("batch/")) {
            throw new IllegalArgumentException(m.at() + ": expected a Job (apiVersion batch/v1, kind Job), got " + m.apiVersion() + " " + m.kind());
        }
        if (c.namespace() != null && m.namespace() != null && !c.namespace().equals(m.namespace())) {
            throw new IllegalArgumentException(m.at() + ": the Job says namespace " + m.namespace() + " and the step " + c.namespace());
        }
        String ns = m.namespace() != null ? m.namespace() : session.namespace(c.namespace());
        String hash = Kube.hash(m.object().get("spec"));
        Map<String, Object> meta = m.metadata();
        meta.put("name", Kube.name(m.name(), hash));
        meta.put("namespace", ns);
        @SuppressWarnings("unchecked")
        Map<String, Object> labels = meta.get("labels") instanceof Map<?, ?> l ? new LinkedHashMap<>((Map<String, Object>) l) : new LinkedHashMap<>();
        labels.put(HASH_LABEL, hash);
        meta.put("labels", labels);
        return session.client().getKubernetesSerialization().convertValue(m.object(), Job.class);
    }

    private static Manifests.Manifest single(List<Manifests.Manifest> all, String file) {
        if (all.size() != 1) throw new IllegalArgumentException(file + ": expected one Job, found " + all.size() + " objects");
        return all.get(0);
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws Exception {
        try {
            KubeSession session = KubeSession.of(ctx.settings());
            KubernetesClient k = session.client();
            Job wanted = job(c, ctx, session);
            String ns = wanted.getMetadata().getNamespace();
            String name = wanted.getMetadata().getName();
            String id = ns + "/" + name;
            var jobs = k.batch().v1().jobs().inNamespace(ns);
            Job existing = jobs.withName(name).get();
            boolean adopted = false;
            if (existing != null && id.equals(ctx.externalIds().get(JOB)) && !id.equals(ctx.externalIds().get(REPORTED_FAILURE))) {
                ctx.note("re-attaching to job " + id);
            } else if (existing != null && condition(existing, "Complete").isPresent()) {
                ctx.recordExternalId(JOB, id);
                ctx.note("job " + id + " is already Complete with this spec: adopted, not run again");
                adopted = true;
            } else if (existing != null && condition(existing, "Failed").isPresent()) {
                if (!id.equals(ctx.externalIds().get(REPORTED_FAILURE))) {
                    ctx.recordExternalId(JOB, id);
                    ctx.recordExternalId(REPORTED_FAILURE, id);
                    ctx.note("job " + id + " with this spec already Failed; it is not run again unless the step is retried");
                    return verdict(k, existing, ctx, false, null);
                }
                ctx.note("the step was retried: deleting the failed job " + id + " to run it again");
                delete(k, ns, name, ctx);
                existing = null;
            } else if (existing != null) {
                ctx.recordExternalId(JOB, id);
                ctx.note("job " + id + " with this spec is already running: following it");
            }
            if (existing == null) {
                if (c.ownedBy() != null) {
                    String missing = own(k, wanted, c.ownedBy());
                    if (missing != null) return StepResult.failed(missing, Map.of());
                }
                ctx.recordExternalId(JOB, id);
                jobs.resource(wanted).create();
                ctx.note("created job " + id);
                report(c, ctx, session, List.of(
                        new StatusWriter.Condition("Progressing", "True", "MigrationInProgress", "Job " + name + " is running"),
                        new StatusWriter.Condition("Ready", "False", "JobRunning", "Job " + name + " is running")),
                        new StatusWriter.Note("Normal", "JobCreated", "Created migration Job " + name));
            }
            StepResult r = adopted ? verdict(k, jobs.withName(name).get(), ctx, true, null) : follow(c, ctx, k, ns, name);
            if (!r.ok()) {
                ctx.recordExternalId(REPORTED_FAILURE, id);
                report(c, ctx, session, List.of(
                        new StatusWriter.Condition("Ready", "False", "JobFailed", r.summary()),
                        new StatusWriter.Condition("Progressing", "False", "Idle", ""),
                        new StatusWriter.Condition("Degraded", "True", "MigrationFailed", r.summary())),
                        new StatusWriter.Note("Warning", "JobFailed", "Migration failed: " + r.data().getOrDefault("reason", r.summary())));
            } else {
                report(c, ctx, session, List.of(
                        new StatusWriter.Condition("Ready", "True", "MigrationComplete", "Job " + name + " Complete"),
                        new StatusWriter.Condition("Progressing", "False", "Idle", ""),
                        new StatusWriter.Condition("Degraded", "False", "MigrationComplete", "")),
                        adopted ? null : new StatusWriter.Note("Normal", "JobSucceeded", "Migration completed successfully"));
            }
            return r;
        } catch (KubernetesClientException e) {
            Kube.rethrowIfInterrupted(e);
            return Kube.failed(e);
        }
    }

    /** A container that keeps crashing as the kubelet reports it: waiting to restart, its last run's exit in lastState. */
    record Crash(String pod, String container, Integer exitCode, String reason, int restarts, String waiting) {
        String describe() {
            return "pod " + pod + " container " + container + " " + waiting + ": last exit " + exitCode
                    + (reason != null ? " (" + reason + ")" : "") + ", restarted " + restarts + " time" + (restarts == 1 ? "" : "s");
        }
    }

    /**
     * Makes {@code owner} the Job's controlling owner, so that Kubernetes' garbage collector deletes
     * the Job with it. Returns why it cannot, or null.
     */
    private static String own(KubernetesClient k, Job job, Map<String, String> owner) {
        String ns = job.getMetadata().getNamespace();
        GenericKubernetesResource found = k.genericKubernetesResources(owner.get("apiVersion"), owner.get("kind"))
                .inNamespace(ns).withName(owner.get("name")).get();
        if (found == null) {
            return "the Job's owner " + owner.get("kind") + " " + ns + "/" + owner.get("name") + " does not exist: no Job was created";
        }
        List<OwnerReference> refs = new ArrayList<>();
        if (job.getMetadata().getOwnerReferences() != null) refs.addAll(job.getMetadata().getOwnerReferences());
        // Controlling and blocking its owner's deletion until it is gone, as an operator's Jobs are;
        // where OwnerReferencesPermissionEnforcement is on, that needs update on the owner's finalizers.
        refs.add(new OwnerReferenceBuilder().withApiVersion(owner.get("apiVersion")).withKind(owner.get("kind"))
                .withName(owner.get("name")).withUid(found.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build());
        job.getMetadata().setOwnerReferences(refs);
        return null;
    }

    /** Mirrors the Job's state onto {@code reportTo}, when the step has one. */
    private static void report(Config c, StepContext ctx, KubeSession session, List<StatusWriter.Condition> conditions, StatusWriter.Note event) {
        if (c.reportTo() == null) return;
        StatusWriter.Target t = new StatusWriter.Target(c.reportTo().get("apiVersion"), c.reportTo().get("kind"), c.reportTo().get("name"),
                session.namespace(c.reportTo().get("namespace")));
        StatusWriter.write(session.client(), t, conditions, event == null ? List.of() : List.of(event), ctx::line);
    }

    /** Watches the Job and its pods until the Job is Complete or Failed, streaming logs and reporting Pending pods. */
    private StepResult follow(Config c, StepContext ctx, KubernetesClient k, String ns, String name) throws InterruptedException {
        Kube.Signal signal = new Kube.Signal();
        Object lock = new Object();
        PodLogs logs = new PodLogs(k, ns, line -> {
            synchronized (lock) {
                ctx.line(line);
            }
        });
        Map<String, String> phases = new HashMap<>();
        Map<String, Long> pendingSince = new HashMap<>();
        Set<String> said = new LinkedHashSet<>();
        Crash lastCrash = null;
        long noPodSince = System.nanoTime();
        try {
            signal.add(k.batch().v1().jobs().inNamespace(ns).withName(name).watch(signal.watcher()));
            signal.add(k.pods().inNamespace(ns).withLabel("job-name", name).watch(signal.watcher()));
            while (true) {
                Job job = k.batch().v1().jobs().inNamespace(ns).withName(name).get();
                if (job == null) return StepResult.failed("job " + ns + "/" + name + " was deleted while it ran", Map.of());
                List<Pod> pods = pods(k, ns, name);
                if (pods.isEmpty() && condition(job, "Complete").isEmpty() && condition(job, "Failed").isEmpty()) {
                    // The API server refused the Job's pods (a quota, a missing service account, pod security): said on the Job.
                    List<String> events = warnings(k, ns, name);
                    if (!events.isEmpty()) {
                        String text = "job " + ns + "/" + name + " cannot create its pod: event " + String.join("; event ", events);
                        if (said.add(text)) {
                            synchronized (lock) {
                                ctx.note(text);
                            }
                        }
                        if (System.nanoTime() - noPodSince > c.pendingTimeout().toNanos()) {
                            Map<String, Object> data = data(job, name, ns, pods, false);
                            data.put("status", "NoPod");
                            data.put("reason", events.get(events.size() - 1).split(":", 2)[0]);
                            data.put("message", String.join("; ", events));
                            return giveUp(c, ctx, k, ns, name, "job " + name + " created no pod in "
                                    + dev.lockstep.runbook.Durations.format(c.pendingTimeout()) + ": event " + String.join("; event ", events), data);
                        }
                    }
                } else {
                    noPodSince = System.nanoTime();
                }
                for (Pod p : pods) {
                    String pod = p.getMetadata().getName();
                    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
                    if (phase != null && !phase.equals(phases.put(pod, phase))) {
                        synchronized (lock) {
                            ctx.note("pod " + pod + " " + phase + exitText(p));
                        }
                    }
                    logs.see(p);
                    Crash crash = crash(p);
                    if (crash != null) {
                        lastCrash = crash;
                        if (said.add(crash.describe())) {
                            synchronized (lock) {
                                ctx.note(crash.describe());
                            }
                        }
                    }
                    if ("Pending".equals(phase)) {
                        String why = pendingReason(p);
                        if (why == null) continue;
                        long since = pendingSince.computeIfAbsent(pod, x -> System.nanoTime());
                        List<String> events = warnings(k, ns, pod);
                        String text = "pod " + pod + " is Pending: " + why + (events.isEmpty() ? "" : "; event " + String.join("; event ", events));
                        if (said.add(text)) {
                            synchronized (lock) {
                                ctx.note(text);
                            }
                        }
                        long pending = System.nanoTime() - since;
                        if (pending > c.pendingTimeout().toNanos() && (!events.isEmpty() || pending > 2 * c.pendingTimeout().toNanos())) {
                            Map<String, Object> data = data(job, name, ns, pods, false);
                            data.put("status", "Pending");
                            data.put("reason", why);
                            data.put("message", String.join("; ", events));
                            return giveUp(c, ctx, k, ns, name, "pod " + pod + " stayed Pending for "
                                    + dev.lockstep.runbook.Durations.format(c.pendingTimeout())
                                    + ": " + why + (events.isEmpty() ? "" : "; event " + String.join("; event ", events)), data);
                        }
                    } else {
                        pendingSince.remove(pod);
                    }
                }
                if (condition(job, "Complete").isPresent() || condition(job, "Failed").isPresent()) {
                    logs.close();
                    return verdict(k, job, ctx, false, lastCrash);
                }
                signal.await(c.interval());
            }
        } catch (InterruptedException | KubernetesClientException e) {
            String why = ctx.stopping();
            if (why == null) {
                if (e instanceof KubernetesClientException api) Kube.rethrowIfInterrupted(api);
                throw e;
            }
            // Halted by its own output, or out of time: the Job must not go on changing the database unobserved.
            Thread.interrupted();
            logs.close();
            return giveUp(c, ctx, k, ns, name, "the step " + (why.startsWith("timed out") ? why : "halts: " + why),
                    new LinkedHashMap<>(Map.of("job", name, "namespace", ns, "status", "Stopped")));
        } finally {
            signal.close();
            logs.close();
        }
    }

    /**
     * Ends the step on a Job that is still active: deletes it with its pods (as the rollback does), unless
     * the runbook says to leave it; either way the result says which.
     */
    private static StepResult giveUp(Config c, StepContext ctx, KubernetesClient k, String ns, String name, String why,
                                     Map<String, Object> data) throws InterruptedException {
        if (!c.stopJob()) {
            ctx.note("job " + ns + "/" + name + " is left as it is (stopJob: false)");
            return StepResult.failed(why + "; job " + name + " left as it is (stopJob: false)", data);
        }
        delete(k, ns, name, ctx);
        return StepResult.failed(why + "; deleted job " + name + " and its pods", data);
    }

    /** Why a container keeps restarting, when it does (CrashLoopBackOff with the last exit), or null. */
    private static Crash crash(Pod p) {
        for (ContainerStatus cs : statuses(p)) {
            ContainerStateWaiting w = cs.getState() == null ? null : cs.getState().getWaiting();
            ContainerStateTerminated last = cs.getLastState() == null ? null : cs.getLastState().getTerminated();
            if (w != null && last != null && w.getReason() != null && !"ContainerCreating".equals(w.getReason())) {
                return new Crash(p.getMetadata().getName(), cs.getName(), last.getExitCode(), last.getReason(),
                        cs.getRestartCount() == null ? 0 : cs.getRestartCount(), w.getReason());
            }
        }
        return null;
    }

    /** How a finished Job ends the step; {@code crash} is the last crash seen while it ran (its pod may be gone by now). */
    private static StepResult verdict(KubernetesClient k, Job job, StepContext ctx, boolean adopted, Crash crash) {
        String ns = job.getMetadata().getNamespace();
        String name = job.getMetadata().getName();
        List<Pod> pods = pods(k, ns, name);
        Map<String, Object> data = data(job, name, ns, pods, adopted);
        Optional<JobCondition> complete = condition(job, "Complete");
        if (complete.isPresent()) {
            data.put("status", "Complete");
            ctx.note("job " + ns + "/" + name + " Complete");
            return StepResult.ok("job " + name + (adopted ? " was already Complete (adopted)" : " Complete"), data);
        }
        JobCondition failed = condition(job, "Failed").orElseThrow();
        data.put("status", "Failed");
        data.put("reason", failed.getReason());
        data.put("message", failed.getMessage());
        Pod last = pods.stream().filter(p -> terminated(p) != null && terminated(p).getExitCode() != null && terminated(p).getExitCode() != 0)
                .max(Comparator.comparing(p -> String.valueOf(terminated(p).getFinishedAt()))).orElse(null);
        String container = "";
        if (last != null) {
            ContainerStatus failedContainer = ended(last);
            ContainerStateTerminated t = failedContainer.getState().getTerminated();
            data.put("exitCode", t.getExitCode());
            data.put("terminationMessage", t.getMessage());
            container = "; pod " + last.getMetadata().getName() + (statuses(last).size() > 1 ? " container " + failedContainer.getName() : "")
                    + " exited " + t.getExitCode()
                    + (t.getReason() != null ? " (" + t.getReason() + ")" : "") + (t.getMessage() != null && !t.getMessage().isBlank()
                    ? ": " + t.getMessage().strip() : "");
        } else if (crash != null) {
            data.put("exitCode", crash.exitCode());
            container = "; " + crash.describe();
        }
        String summary = "job " + name + " Failed: " + failed.getReason() + (failed.getMessage() != null ? " (" + failed.getMessage() + ")" : "") + container;
        ctx.note(summary);
        return StepResult.failed(summary, data);
    }

    private static Map<String, Object> data(Job job, String name, String ns, List<Pod> pods, boolean adopted) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("job", name);
        data.put("namespace", ns);
        data.put("status", null);
        data.put("reason", null);
        data.put("message", null);
        data.put("exitCode", null);
        data.put("terminationMessage", null);
        data.put("adopted", adopted);
        data.put("pods", pods.stream().map(p -> p.getMetadata().getName()).toList());
        return data;
    }

    private static List<Pod> pods(KubernetesClient k, String ns, String job) {
        List<Pod> pods = new ArrayList<>(k.pods().inNamespace(ns).withLabel("job-name", job).list().getItems());
        pods.sort(Comparator.comparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp()) + p.getMetadata().getName()));
        return pods;
    }

    static Optional<JobCondition> condition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) return Optional.empty();
        return job.getStatus().getConditions().stream().filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus())).findFirst();
    }

    private static ContainerStateTerminated terminated(Pod p) {
        ContainerStatus cs = ended(p);
        return cs == null ? null : cs.getState().getTerminated();
    }

    /**
     * How the pod ended: the container that failed first, else its first container that ended.
     * A native sidecar (an init container that restarts always, a database proxy) is stopped when
     * the pod ends, with a signal's exit code: it never is the container that failed.
     */
    private static ContainerStatus ended(Pod p) {
        Set<String> sidecars = new HashSet<>();
        if (p.getSpec() != null && p.getSpec().getInitContainers() != null) {
            p.getSpec().getInitContainers().stream().filter(c -> "Always".equals(c.getRestartPolicy())).forEach(c -> sidecars.add(c.getName()));
        }
        List<ContainerStatus> ended = statuses(p).stream()
                .filter(cs -> cs.getState() != null && cs.getState().getTerminated() != null && !sidecars.contains(cs.getName())).toList();
        Optional<ContainerStatus> failed = ended.stream().filter(cs -> !Integer.valueOf(0).equals(cs.getState().getTerminated().getExitCode()))
                .min(Comparator.comparing(cs -> cs.getState().getTerminated().getFinishedAt(), Comparator.nullsLast(Comparator.naturalOrder())));
        if (failed.isPresent()) return failed.get();
        List<ContainerStatus> main = p.getStatus() == null || p.getStatus().getContainerStatuses() == null ? List.of()
                : p.getStatus().getContainerStatuses();
        return main.stream().filter(ended::contains).findFirst().orElse(null);
    }

    /** Every container's status, init containers first: the one that matters is not always the first listed. */
    private static List<ContainerStatus> statuses(Pod p) {
        List<ContainerStatus> out = new ArrayList<>();
        if (p.getStatus() == null) return out;
        if (p.getStatus().getInitContainerStatuses() != null) out.addAll(p.getStatus().getInitContainerStatuses());
        if (p.getStatus().getContainerStatuses() != null) out.addAll(p.getStatus().getContainerStatuses());
        return out;
    }

    private static String exitText(Pod p) {
        ContainerStatus cs = ended(p);
        if (cs == null) return "";
        ContainerStateTerminated t = cs.getState().getTerminated();
        return " (" + (statuses(p).size() > 1 ? "container " + cs.getName() + " " : "") + "exit " + t.getExitCode()
                + (t.getReason() != null ? ", " + t.getReason() : "") + ")";
    }

    /** Why a Pending pod waits, when Kubernetes says: unschedulable, or a container that cannot start. */
    private static String pendingReason(Pod p) {
        if (p.getStatus() == null) return null;
        if (p.getStatus().getConditions() != null) {
            for (PodCondition c : p.getStatus().getConditions()) {
                if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()) && c.getReason() != null) {
                    return c.getReason() + (c.getMessage() != null ? " (" + c.getMessage() + ")" : "");
                }
            }
        }
        List<ContainerStatus> statuses = statuses(p);
        for (ContainerStatus cs : statuses) {
            ContainerStateWaiting w = cs.getState() == null ? null : cs.getState().getWaiting();
            if (w != null && w.getReason() != null && !"ContainerCreating".equals(w.getReason()) && !"PodInitializing".equals(w.getReason())) {
                return (statuses.size() > 1 ? "container " + cs.getName() + ": " : "") + w.getReason()
                        + (w.getMessage() != null ? " (" + w.getMessage() + ")" : "");
            }
        }
        return null;
    }

    /** The Warning events about an object (a pod, a Job), as "reason: message". */
    private static List<String> warnings(KubernetesClient k, String ns, String object) {
        List<String> out = new ArrayList<>();
        for (Event e : k.v1().events().inNamespace(ns).withField("involvedObject.name", object).list().getItems()) {
            if ("Warning".equals(e.getType())) {
                String text = e.getReason() + ": " + e.getMessage();
                if (!out.contains(text)) out.add(text);
            }
        }
        return out;
    }

    /** Deletes the Job this step created (or adopted) and its pods, and waits until they are gone. */
    @Override
    public List<String> planRollback(Config c) {
        return List.of("delete the Job this step ran or adopted (" + (c.file() != null ? c.file() : "the inline job")
                + "'s metadata.name plus the hash of its spec, journaled before it is created)"
                + (c.namespace() != null ? " in namespace " + c.namespace() : "")
                + " and its pods, and wait until they are gone");
    }

    @Override
    public StepResult rollback(Config c, StepContext ctx) throws Exception {
        String id = ctx.externalIds().get(JOB);
        if (id == null) return StepResult.ok("no job was created", Map.of());
        String ns = id.substring(0, id.indexOf('/'));
        String name = id.substring(id.indexOf('/') + 1);
        try {
            KubernetesClient k = KubeSession.of(ctx.settings()).client();
            int pods = delete(k, ns, name, ctx);
            return StepResult.ok("deleted job " + id + " and its " + pods + " pod(s)", Map.of());
        } catch (KubernetesClientException e) {
            Kube.rethrowIfInterrupted(e);
            return Kube.failed(e);
        }
    }

    /** Deletes a Job with its pods (foreground: the Job goes last) and waits until both are gone; returns how many pods it had. */
    private static int delete(KubernetesClient k, String ns, String name, StepContext ctx) throws InterruptedException {
        int pods = pods(k, ns, name).size();
        var job = k.batch().v1().jobs().inNamespace(ns).withName(name);
        if (job.get() == null) {
            ctx.note("job " + ns + "/" + name + " is already gone");
        } else {
            job.withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
            ctx.note("deleting job " + ns + "/" + name + " and its " + pods + " pod(s)");
        }
        long deadline = System.nanoTime() + DELETE_LIMIT.toNanos();
        while (job.get() != null || !pods(k, ns, name).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + ns + "/" + name + " or its pods are still there "
                        + dev.lockstep.runbook.Durations.format(DELETE_LIMIT) + " after they were deleted");
            }
            Thread.sleep(200);
        }
        ctx.note("job " + ns + "/" + name + " and its pods are gone");
        return pods;
    }
}
