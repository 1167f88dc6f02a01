package dev.lockstep.steps.kube;

import dev.lockstep.spi.Key;
import dev.lockstep.spi.Reconciliation;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretEnvSource;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code k8s.job}: runs a Job to completion. The Job's name carries a hash of its spec, so the
 * same spec never runs twice: a Complete Job of that name is adopted as success; a Failed one
 * fails the step again, and is deleted and run anew only when the operator retries the step; a
 * changed spec is another name, so another Job (the rule of an operator that re-runs a
 * migration only when its spec changes). The name is journaled before the Job is created, so
 * a resumed step re-attaches to it; a Job it ran or adopted that is gone since (its ttlSecondsAfterFinished)
 * is judged by its events, not created again. The pods' logs (every retry and restart) go to the log
 * pane, where {@code logs.haltOn}, {@code until} and {@code require} apply; the Job's
 * conditions decide: Complete succeeds, Failed fails with its reason (BackoffLimitExceeded,
 * DeadlineExceeded), the container's exit code and termination message. A pod stuck Pending
 * (an image that cannot be pulled, no node that fits) is reported with the event that says
 * why, and fails the step after {@code pendingTimeout}. The rollback deletes the Job and its pods.
 *
 * <p>With {@code from} and {@code fields}, the Job is an object's spec (a DBUpgrade's), read once
 * at the step's start: its fields are set into the manifest (which gives the rest, and defaults
 * for what the spec leaves out), and the whole spec is part of the hash, so a changed spec is a
 * new Job and an unchanged one is adopted. What {@code reportTo} is told then speaks of the
 * generation read (observedGeneration), never of one changed since, whose spec did not run.
 * Before the Job is created, every Secret its containers read (secretKeyRef, envFrom) must be
 * there with the key in its data: if not, nothing is created and {@code reportTo} is Degraded
 * (SecretNotFound), as a pod could not start.
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
    /** The uid of the Job this step created or adopted, journaled once it exists: the Job gone later was removed, not never made. */
    static final String JOB_UID = "jobUid";
    /** The reasons the job controller gives a Failed Job, in its condition and its Warning event. */
    private static final Set<String> FAILURE_REASONS = Set.of("BackoffLimitExceeded", "DeadlineExceeded", "PodFailurePolicy",
            "FailedIndexes", "MaxFailedIndexesExceeded");
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
            @Key("an object ({ apiVersion, kind, name }) in the Job's namespace whose spec the Job is built from (with `fields`),"
                    + " read once when the step starts; its whole spec is in the Job's hash") Map<String, String> from,
            @Key("with `from`: { JOB_FIELD: OBJECT_FIELD }, dotted paths, `[NAME]` picking a container or env variable by name:"
                    + " spec.template.spec.containers[migrate].image: spec.migrations.image. A field the object leaves out keeps"
                    + " the manifest's value; the step fails when neither has one") Map<String, String> fields,
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
            if ((from == null) != (fields == null)) throw new IllegalArgumentException("give from: { apiVersion, kind, name } and fields: together");
            if (from != null) {
                Kube.checkReference("from", from, List.of("apiVersion", "kind", "name"));
                for (Map.Entry<String, String> f : fields.entrySet()) {
                    if (!FieldPath.parse(f.getKey()).startsWith("spec")) throw new IllegalArgumentException("fields: '" + f.getKey() + "' is not in the Job's spec");
                    FieldPath.parse(f.getValue());
                }
            }
        }

        /** The object the Job's outcome is reported to is the one its spec came from: the generation read is the one to report. */
        boolean reportsToItsSource() {
            return from != null && reportTo != null && reportTo.get("namespace") == null && from.get("apiVersion").equals(reportTo.get("apiVersion"))
                    && from.get("kind").equals(reportTo.get("kind")) && from.get("name").equals(reportTo.get("name"));
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
                + "journaled before the Job is created, so resume re-attaches; a Job it ran or adopted that is gone since "
                + "(`ttlSecondsAfterFinished`) is judged by its events, never created again unless the step is retried. Its pods' logs (every retry and restart)"
                + " feed `haltOn`/`until`/`require` (`until` does not end it: the Job decides). Complete succeeds; "
                + "Failed fails with the reason (BackoffLimitExceeded, DeadlineExceeded), the exit code and termination"
                + " message; a container in CrashLoopBackOff is shown at once with its last exit code, which the failure"
                + " keeps; a pod Pending for a reason (ImagePullBackOff, Unschedulable) is shown with its Warning "
                + "events and fails the step after `pendingTimeout` (5m), as does a Job the API server creates no pod for "
                + "(FailedCreate: a quota, a missing service account). A halt, a timeout or a pod given up on deletes the "
                + "Job with its pods (`stopJob: false` leaves it). `reportTo: { apiVersion, kind, name }` "
                + "mirrors the Job onto that object's status as an operator does (Progressing, then Ready or Degraded, "
                + "with Events); `ownedBy` (same shape, same namespace) makes that object the Job's owner, so deleting "
                + "it deletes the Job. `from: { apiVersion, kind, name }` with `fields: { JOB_FIELD: OBJECT_FIELD }` builds the "
                + "Job from that object's spec, read once at the start (`[NAME]` picks a container or env variable: "
                + "`spec.template.spec.containers[migrate].image: spec.migrations.image`); a field it leaves out keeps the "
                + "manifest's value; the whole spec is in the hash, and `reportTo` the same object stamps observedGeneration "
                + "with the generation read, never a later one. A Secret a container reads (secretKeyRef, envFrom; not "
                + "optional) that is missing or lacks the key in its data fails the step before the Job is created, with "
                + "`reportTo` Degraded (SecretNotFound). Every container's log counts (init containers and sidecars too), and the "
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
    public void checkFiles(Value.Mapping with, java.nio.file.Path folder, dev.lockstep.spi.Problems problems) {
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
        if (c.from() != null) {
            lines.add("built from " + c.from().get("kind") + " " + c.from().get("name") + "'s spec as read when the step starts (its whole spec"
                    + " is in the hash: a changed spec is a new Job)" + (c.reportsToItsSource() ? "; its status speaks of that generation" : ""));
            c.fields().forEach((into, read) -> lines.add("  " + into + " <- " + read));
        }
        lines.add("every Secret its containers read must be there, with the key in its data, before the Job is created");
        if (c.ownedBy() != null) lines.add("owned by " + c.ownedBy().get("kind") + " " + c.ownedBy().get("name") + ": deleting it deletes the Job");
        lines.add("follow its pods' logs; fail on Failed (reason, exit code) or a pod Pending longer than "
                + dev.lockstep.spi.Durations.format(c.pendingTimeout()));
        return lines;
    }

    /** Builds the Job, asks the API server to validate its creation (server-side dry run), and says what a run would do. */
    @Override
    public List<String> preview(Config c, StepContext ctx) throws Exception {
        try {
            KubeSession session = KubeSession.of(ctx.settings());
            Job job;
            try {
                job = job(c, ctx, session).job();
            } catch (InvalidSpec e) {
                return List.of(e.getMessage() + ": a run would report Degraded (InvalidSpec) and create no Job");
            }
            String ns = job.getMetadata().getNamespace();
            String name = job.getMetadata().getName();
            List<String> lines = new ArrayList<>();
            Job existing = session.client().batch().v1().jobs().inNamespace(ns).withName(name).get();
            String noSecret = existing == null ? missingSecret(session.client(), job) : null;
            if (existing != null && condition(existing, "Complete").isPresent()) {
                lines.add("Job " + ns + "/" + name + " is already Complete with this spec: it would be adopted, not run again");
            } else if (existing != null && condition(existing, "Failed").isPresent()) {
                lines.add("Job " + ns + "/" + name + " with this spec already Failed (" + condition(existing, "Failed").get().getReason()
                        + "): a run fails again unless the step is retried");
            } else if (existing != null) {
                lines.add("Job " + ns + "/" + name + " with this spec is running: a run would follow it");
            } else if (noSecret != null) {
                lines.add(noSecret + " now: a run would create no Job"
                        + (c.reportTo() != null ? " and report Degraded (SecretNotFound)" : ""));
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

    /** The Job to run, and the generation of the object whose spec it was built from (null without {@code from}). */
    record Wanted(Job job, Long generation) {}

    /** An object's spec that cannot make the Job: a field neither it nor the manifest gives. */
    static final class InvalidSpec extends IllegalArgumentException {
        final Long generation;

        InvalidSpec(String message, Long generation) {
            super(message);
            this.generation = generation;
        }
    }

    /** The Job to run: its manifest, resolved, with the fields of {@code from}'s spec, in its namespace, named by its hash. */
    @SuppressWarnings("unchecked")
    private static Wanted job(Config c, StepContext ctx, KubeSession session) {
        Manifests.Manifest m = c.file() != null ? single(Manifests.file(ctx.workDir(), c.file(), ctx), c.file()) : Manifests.inline(c.job()).get(0);
        if (!"Job".equals(m.kind()) || !String.valueOf(m.apiVersion()).startsWith("batch/")) {
            throw new IllegalArgumentException(m.at() + ": expected a Job (apiVersion batch/v1, kind Job), got " + m.apiVersion() + " " + m.kind());
        }
        if (c.namespace() != null && m.namespace() != null && !c.namespace().equals(m.namespace())) {
            throw new IllegalArgumentException(m.at() + ": the Job says namespace " + m.namespace() + " and the step " + c.namespace());
        }
        String ns = m.namespace() != null ? m.namespace() : session.namespace(c.namespace());
        Map<String, Object> job = m.object();
        Object hashed = job.get("spec");
        Long generation = null;
        if (c.from() != null) {
            GenericKubernetesResource source = Kube.objects(session.client(), c.from().get("apiVersion"), c.from().get("kind"), ns)
                    .withName(c.from().get("name")).get();
            String what = c.from().get("kind") + " " + ns + "/" + c.from().get("name");
            if (source == null) throw new IllegalArgumentException("there is no " + what + " to build the Job from");
            generation = source.getMetadata().getGeneration();
            for (Map.Entry<String, String> f : c.fields().entrySet()) {
                FieldPath into = FieldPath.parse(f.getKey());
                FieldPath read = FieldPath.parse(f.getValue());
                Object value = read.get(source.getAdditionalProperties());
                if (value != null) {
                    into.put(job, value);
                } else if (into.get(job) == null) {
                    throw new InvalidSpec(what + " has no " + read + " (for the Job's " + into + "), and the manifest gives none", generation);
                }
            }
            // The whole spec, as its operator hashes it: a change the fields do not carry still makes a new Job.
            hashed = Map.of("job", job.get("spec"), "from", Objects.requireNonNullElse(source.getAdditionalProperties().get("spec"), Map.of()));
        }
        String hash = Kube.hash(hashed);
        Map<String, Object> meta = m.metadata();
        meta.put("name", Kube.name(m.name(), hash));
        meta.put("namespace", ns);
        @SuppressWarnings("unchecked")
        Map<String, Object> labels = meta.get("labels") instanceof Map<?, ?> l ? new LinkedHashMap<>((Map<String, Object>) l) : new LinkedHashMap<>();
        labels.put(HASH_LABEL, hash);
        meta.put("labels", labels);
        return new Wanted(session.client().getKubernetesSerialization().convertValue(job, Job.class), generation);
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
            Wanted built;
            try {
                built = job(c, ctx, session);
            } catch (InvalidSpec e) {
                report(c, ctx, session, c.reportsToItsSource() ? e.generation : null, List.of(
                        new StatusWriter.Condition("Degraded", "True", "InvalidSpec", e.getMessage()),
                        new StatusWriter.Condition("Ready", "False", "InvalidSpec", e.getMessage())),
                        new StatusWriter.Note("Warning", "InvalidSpec", e.getMessage()));
                return StepResult.failed(e.getMessage() + ": no Job was created", Map.of());
            }
            Job wanted = built.job();
            Long acted = c.reportsToItsSource() ? built.generation() : null;
            String ns = wanted.getMetadata().getNamespace();
            String name = wanted.getMetadata().getName();
            String id = ns + "/" + name;
            var jobs = k.batch().v1().jobs().inNamespace(ns);
            Job existing = jobs.withName(name).get();
            boolean adopted = false;
            boolean failedBefore = false;
            if (existing != null && id.equals(ctx.externalIds().get(JOB)) && !id.equals(ctx.externalIds().get(REPORTED_FAILURE))) {
                ctx.note("re-attaching to job " + id);
            } else if (existing != null && condition(existing, "Complete").isPresent()) {
                ctx.recordExternalId(JOB, id);
                ctx.recordExternalId(JOB_UID, existing.getMetadata().getUid());
                ctx.note("job " + id + " is already Complete with this spec: adopted, not run again");
                adopted = true;
            } else if (existing != null && condition(existing, "Failed").isPresent()) {
                if (!id.equals(ctx.externalIds().get(REPORTED_FAILURE))) {
                    ctx.recordExternalId(JOB, id);
                    ctx.recordExternalId(REPORTED_FAILURE, id);
                    ctx.note("job " + id + " with this spec already Failed; it is not run again unless the step is retried");
                    failedBefore = true;
                } else {
                    ctx.note("the step was retried: deleting the failed job " + id + " to run it again");
                    delete(k, ns, name, ctx);
                    existing = null;
                }
            } else if (existing != null) {
                ctx.recordExternalId(JOB, id);
                ctx.recordExternalId(JOB_UID, existing.getMetadata().getUid());
                ctx.note("job " + id + " with this spec is already running: following it");
            }
            // The Job this step created or adopted is gone (removed after it finished, by its ttlSecondsAfterFinished, or deleted):
            // creating it again would run it twice, so how it ended is read from its events, unless the step was retried.
            boolean gone = existing == null && id.equals(ctx.externalIds().get(JOB)) && ctx.externalIds().get(JOB_UID) != null
                    && !id.equals(ctx.externalIds().get(REPORTED_FAILURE));
            if (gone) ctx.note("job " + id + ", which this step ran, is gone: how it ended is read from its events");
            if (existing == null && !gone) {
                if (c.ownedBy() != null) {
                    String missing = own(k, wanted, c.ownedBy());
                    if (missing != null) return StepResult.failed(missing, Map.of());
                }
                String noSecret = missingSecret(k, wanted);
                if (noSecret != null) {
                    report(c, ctx, session, acted, List.of(new StatusWriter.Condition("Degraded", "True", "SecretNotFound", noSecret),
                            new StatusWriter.Condition("Ready", "False", "SecretNotFound", noSecret)),
                            new StatusWriter.Note("Warning", "SecretNotFound", noSecret));
                    return StepResult.failed(noSecret + ": no Job was created", Map.of());
                }
                ctx.recordExternalId(JOB, id);
                Job created = jobs.resource(wanted).create();
                ctx.note("created job " + id);
                ctx.recordExternalId(JOB_UID, created.getMetadata().getUid());
                // The retry has its Job: a resume from here re-attaches to it, and does not take the failure for a new retry.
                if (id.equals(ctx.externalIds().get(REPORTED_FAILURE))) ctx.recordExternalId(REPORTED_FAILURE, "");
                report(c, ctx, session, acted, List.of(
                        new StatusWriter.Condition("Progressing", "True", "MigrationInProgress", "Job " + name + " is running"),
                        new StatusWriter.Condition("Ready", "False", "JobRunning", "Job " + name + " is running")),
                        new StatusWriter.Note("Normal", "JobCreated", "Created migration Job " + name));
            }
            StepResult r = failedBefore ? verdict(k, existing, ctx, false, null)
                    : adopted ? verdict(k, jobs.withName(name).get(), ctx, true, null) : follow(c, ctx, k, ns, name);
            if (!r.ok()) {
                ctx.recordExternalId(REPORTED_FAILURE, id);
                report(c, ctx, session, acted, List.of(
                        new StatusWriter.Condition("Ready", "False", "JobFailed", r.summary()),
                        new StatusWriter.Condition("Progressing", "False", "Idle", ""),
                        new StatusWriter.Condition("Degraded", "True", "MigrationFailed", r.summary())),
                        new StatusWriter.Note("Warning", "JobFailed", "Migration failed: " + r.data().getOrDefault("reason", r.summary())));
            } else {
                report(c, ctx, session, acted, List.of(
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

    /**
     * Why a container of the Job could not start for want of a Secret it reads (not marked optional), or null:
     * the Secret is missing or lacks the key in its data (stringData is write-only).
     */
    private static String missingSecret(KubernetesClient k, Job job) {
        String ns = job.getMetadata().getNamespace();
        var pod = job.getSpec().getTemplate().getSpec();
        List<Container> containers = new ArrayList<>(pod.getInitContainers() == null ? List.of() : pod.getInitContainers());
        containers.addAll(pod.getContainers());
        Map<String, Secret> seen = new HashMap<>();
        for (Container ct : containers) {
            for (EnvVar e : ct.getEnv() == null ? List.<EnvVar>of() : ct.getEnv()) {
                SecretKeySelector ref = e.getValueFrom() == null ? null : e.getValueFrom().getSecretKeyRef();
                if (ref == null || Boolean.TRUE.equals(ref.getOptional())) continue;
                Secret secret = seen.computeIfAbsent(ref.getName(), n -> k.secrets().inNamespace(ns).withName(n).get());
                if (secret == null) return "Secret " + ref.getName() + " not found";
                if (secret.getData() == null || !secret.getData().containsKey(ref.getKey())) {
                    return "Secret " + ref.getName() + " has no key " + ref.getKey() + " in its data";
                }
            }
            for (EnvFromSource from : ct.getEnvFrom() == null ? List.<EnvFromSource>of() : ct.getEnvFrom()) {
                SecretEnvSource ref = from.getSecretRef();
                if (ref == null || Boolean.TRUE.equals(ref.getOptional())) continue;
                if (seen.computeIfAbsent(ref.getName(), n -> k.secrets().inNamespace(ns).withName(n).get()) == null) {
                    return "Secret " + ref.getName() + " not found";
                }
            }
        }
        return null;
    }

    /** Mirrors the Job's state onto {@code reportTo}, when the step has one; {@code acted}: the generation whose spec ran. */
    private static void report(Config c, StepContext ctx, KubeSession session, Long acted, List<StatusWriter.Condition> conditions,
                               StatusWriter.Note event) {
        if (c.reportTo() == null) return;
        StatusWriter.Target t = new StatusWriter.Target(c.reportTo().get("apiVersion"), c.reportTo().get("kind"), c.reportTo().get("name"),
                session.namespace(c.reportTo().get("namespace")));
        StatusWriter.write(session.client(), t, conditions, event == null ? List.of() : List.of(event), ctx::line, acted);
    }

    /** Watches the Job and its pods until the Job is Complete or Failed, streaming logs and reporting Pending pods. */
    private StepResult follow(Config c, StepContext ctx, KubernetesClient k, String ns, String name) throws InterruptedException {
        Kube.Signal signal = new Kube.Signal();
        String uid = ctx.externalIds().get(JOB_UID);
        Object lock = new Object();
        PodLogs logs = new PodLogs(k, ns, line -> {
            synchronized (lock) {
                ctx.line(line);
            }
        });
        Map<String, String> phases = new HashMap<>();
        Map<String, Long> pendingSince = new HashMap<>();
        Set<String> said = new LinkedHashSet<>();
        PodStates.Crash lastCrash = null;
        long noPodSince = System.nanoTime();
        try {
            signal.add(k.batch().v1().jobs().inNamespace(ns).withName(name).watch(signal.watcher()));
            signal.add(k.pods().inNamespace(ns).withLabel("job-name", name).watch(signal.watcher()));
            while (true) {
                Job job = k.batch().v1().jobs().inNamespace(ns).withName(name).get();
                if (job == null) return gone(k, ns, name, uid, ctx);
                uid = job.getMetadata().getUid();
                List<Pod> pods = pods(k, ns, name);
                if (pods.isEmpty() && condition(job, "Complete").isEmpty() && condition(job, "Failed").isEmpty()) {
                    // The API server refused the Job's pods (a quota, a missing service account, pod security): said on the Job.
                    List<String> events = PodStates.warnings(k, ns, name);
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
                                    + dev.lockstep.spi.Durations.format(c.pendingTimeout()) + ": event " + String.join("; event ", events), data);
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
                    PodStates.Crash crash = PodStates.crash(p);
                    if (crash != null) {
                        lastCrash = crash;
                        if (said.add(crash.describe())) {
                            synchronized (lock) {
                                ctx.note(crash.describe());
                            }
                        }
                    }
                    if ("Pending".equals(phase)) {
                        String why = PodStates.pendingReason(p);
                        if (why == null) continue;
                        long since = pendingSince.computeIfAbsent(pod, x -> System.nanoTime());
                        List<String> events = PodStates.warnings(k, ns, pod);
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
                                    + dev.lockstep.spi.Durations.format(c.pendingTimeout())
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

    /**
     * How a Job that is gone ended, as the job controller's events about it say (an API server keeps events an hour by
     * default): Completed succeeds, a failure reason fails with it; with neither, the step cannot tell, and fails without
     * running the Job again (a retry does).
     */
    private static StepResult gone(KubernetesClient k, String ns, String name, String uid, StepContext ctx) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (String key : List.of("job", "namespace", "status", "reason", "message", "exitCode", "terminationMessage")) data.put(key, null);
        data.putAll(Map.of("job", name, "namespace", ns, "adopted", false, "pods", List.of()));
        List<Event> events = uid == null ? List.of() : k.v1().events().inNamespace(ns).withField("involvedObject.uid", uid).list().getItems();
        for (Event e : events) {
            if ("Completed".equals(e.getReason())) {
                data.put("status", "Complete");
                ctx.note("job " + ns + "/" + name + " Complete, as its event says (the Job itself is gone)");
                return StepResult.ok("job " + name + " Complete (by its event; the Job itself is gone)", data);
            }
            if (FAILURE_REASONS.contains(e.getReason())) {
                data.putAll(Map.of("status", "Failed", "reason", e.getReason(), "message", String.valueOf(e.getMessage())));
                return StepResult.failed("job " + name + " Failed: " + e.getReason() + " (" + e.getMessage() + "), as its event says (the Job"
                        + " itself is gone); it is not run again unless the step is retried", data);
            }
        }
        return StepResult.failed("job " + ns + "/" + name + " is gone (deleted, or removed after it finished by its ttlSecondsAfterFinished)"
                + " and no event says how it ended; it is not run again unless the step is retried", data);
    }

    /** How a finished Job ends the step; {@code crash} is the last crash seen while it ran (its pod may be gone by now). */
    private static StepResult verdict(KubernetesClient k, Job job, StepContext ctx, boolean adopted, PodStates.Crash crash) {
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
            container = "; pod " + last.getMetadata().getName() + (PodStates.statuses(last).size() > 1 ? " container " + failedContainer.getName() : "")
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
        List<ContainerStatus> ended = PodStates.statuses(p).stream()
                .filter(cs -> cs.getState() != null && cs.getState().getTerminated() != null && !sidecars.contains(cs.getName())).toList();
        Optional<ContainerStatus> failed = ended.stream().filter(cs -> !Integer.valueOf(0).equals(cs.getState().getTerminated().getExitCode()))
                .min(Comparator.comparing(cs -> cs.getState().getTerminated().getFinishedAt(), Comparator.nullsLast(Comparator.naturalOrder())));
        if (failed.isPresent()) return failed.get();
        List<ContainerStatus> main = p.getStatus() == null || p.getStatus().getContainerStatuses() == null ? List.of()
                : p.getStatus().getContainerStatuses();
        return main.stream().filter(ended::contains).findFirst().orElse(null);
    }

    private static String exitText(Pod p) {
        ContainerStatus cs = ended(p);
        if (cs == null) return "";
        ContainerStateTerminated t = cs.getState().getTerminated();
        return " (" + (PodStates.statuses(p).size() > 1 ? "container " + cs.getName() + " " : "") + "exit " + t.getExitCode()
                + (t.getReason() != null ? ", " + t.getReason() : "") + ")";
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
                        + dev.lockstep.spi.Durations.format(DELETE_LIMIT) + " after they were deleted");
            }
            Thread.sleep(200);
        }
        ctx.note("job " + ns + "/" + name + " and its pods are gone");
        return pods;
    }
}
