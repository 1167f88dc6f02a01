package dev.lockstep.steps.kube;

import dev.lockstep.spi.Json;
import dev.lockstep.spi.Key;
import dev.lockstep.spi.Reconciliation;
import dev.lockstep.spi.ResultShape;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.StepType;
import dev.lockstep.spi.Value;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.ServerSideApplicable;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@code k8s.apply}: server-side apply of Kubernetes objects, from files beside the runbook or
 * inline, values resolved one by one. Dry-run applies them with {@code dryRun=All} and shows
 * what would change, field by field (a Secret's values never). Before each object is applied,
 * what was there is journaled (nothing, or the object without its status; a Secret without its
 * values, which are never written down), so the rollback deletes what the step created and
 * puts back what it changed; a Secret that existed is left as applied, and the rollback says so.
 *
 * <pre>
 * - id: service-account
 *   uses: k8s.apply
 *   with: { files: [k8s/service-account.yaml] }
 * </pre>
 */
public final class KubeApplyStep implements StepType<KubeApplyStep.Config> {
    /** External ids "before:apiVersion/kind/namespace/name" hold what was there before the step first applied it. */
    static final String BEFORE = "before:";
    private static final List<String> NOISE = List.of("metadata.resourceVersion", "metadata.uid", "metadata.creationTimestamp",
            "metadata.managedFields", "metadata.generation", "metadata.selfLink", "status");
    private static final int MAX_DIFF_LINES = 60;

    public record Config(
            @Key("YAML files of objects, relative to the runbook (--- between documents; values may hold ${{ }})") List<String> files,
            @Key("objects, inline: one mapping or a list") Value manifests,
            @Key("the namespace of objects that name none (default: the context's)") String namespace,
            @Key("take over fields another manager owns (default false: such a conflict fails the step)") Boolean force,
            @Key("the field manager recorded by the API server (default lockstep)") String fieldManager) {
        public Config {
            files = files == null ? List.of() : files;
            if (files.isEmpty() == (manifests == null)) throw new IllegalArgumentException("give files: [FILE, …] or manifests: …, one of them");
            if (manifests != null) Manifests.checkInline(manifests, "manifests");
            force = Boolean.TRUE.equals(force);
            fieldManager = fieldManager == null ? "lockstep" : fieldManager;
        }
    }

    @Override
    public String name() {
        return "k8s.apply";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "server-side apply of `files` (beside the runbook, `---` between documents, `${{ }}` resolved value "
                + "by value) or inline `manifests`; `plan` applies with dryRun=All and shows each object created or its"
                + " fields changed (never a Secret's values); what was there before is journaled (a Secret without its "
                + "values), so the rollback deletes what it created and puts back what it changed (an existing Secret "
                + "is left as applied, and said so); `force` takes over fields another manager owns";
    }

    @Override
    public String example() {
        return """
                - id: service-account
                  uses: k8s.apply
                  with: { files: [k8s/service-account.yaml] }
                """;
    }

    /** A container's shell script (sh -c) inline or in a file named literally takes no ${{ }}: values go in its env. */
    @Override
    public void checkFiles(Value.Mapping with, java.nio.file.Path folder, dev.lockstep.spi.Problems problems) {
        Manifests.checkScripts(with, "manifests", "files", folder, problems);
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("objects", ResultShape.listOf(ResultShape.VALUE), "created", ResultShape.listOf(ResultShape.VALUE),
                "changed", ResultShape.listOf(ResultShape.VALUE));
    }

    @Override
    public boolean undoesItself() {
        return true;
    }

    /** Applying the same objects again is harmless, and what was there first stays journaled. */
    @Override
    public Reconciliation reconcile(Config c, Map<String, String> externalIds, boolean idempotent) {
        return Reconciliation.RERUN;
    }

    @Override
    public List<String> plan(Config c) {
        List<String> lines = new ArrayList<>();
        if (!c.files().isEmpty()) lines.add("server-side apply of " + String.join(", ", c.files()));
        else lines.add("server-side apply of " + (c.manifests() instanceof Value.Sequence s ? s.items().size() : 1) + " inline object(s)");
        lines.add("field manager " + c.fieldManager() + (c.force() ? ", taking over conflicting fields" : ""));
        return lines;
    }

    /** Applies with dryRun=All and shows, per object, whether it would be created or which fields would change. */
    @Override
    public List<String> preview(Config c, StepContext ctx) throws Exception {
        List<String> lines = new ArrayList<>();
        try {
            KubeSession session = KubeSession.of(ctx.settings());
            for (Manifests.Manifest m : manifests(c, ctx)) {
                String ns = namespace(m, c, session);
                Resource<GenericKubernetesResource> r = resource(session.client(), m, ns);
                GenericKubernetesResource before = r.get();
                GenericKubernetesResource after = apply(r.dryRun(), c);
                String what = m.kind() + " " + where(m, ns);
                if (before == null) {
                    lines.add("create " + what);
                    continue;
                }
                KubernetesSerialization json = session.client().getKubernetesSerialization();
                List<String> diff = diff(flatten(json, before), flatten(json, after), "Secret".equals(m.kind()));
                if (diff.isEmpty()) {
                    lines.add("unchanged " + what);
                } else {
                    lines.add("change " + what + ":");
                    diff.stream().limit(MAX_DIFF_LINES).forEach(d -> lines.add("  " + d));
                    if (diff.size() > MAX_DIFF_LINES) lines.add("  … and " + (diff.size() - MAX_DIFF_LINES) + " more");
                }
            }
        } catch (KubernetesClientException e) {
            lines.add("cannot preview: " + Kube.message(e));
        }
        return lines;
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws Exception {
        List<String> objects = new ArrayList<>();
        List<String> created = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        try {
            KubeSession session = KubeSession.of(ctx.settings());
            for (Manifests.Manifest m : manifests(c, ctx)) {
                String ns = namespace(m, c, session);
                Resource<GenericKubernetesResource> r = resource(session.client(), m, ns);
                GenericKubernetesResource before = r.get();
                String key = BEFORE + m.apiVersion() + "/" + m.kind() + "/" + (ns == null ? "" : ns) + "/" + m.name();
                if (!ctx.externalIds().containsKey(key)) ctx.recordExternalId(key, Json.write(prior(session.client().getKubernetesSerialization(), before, m.kind())));
                GenericKubernetesResource after = apply(r, c);
                String what = m.kind() + " " + where(m, ns);
                objects.add(m.kind() + "/" + m.name());
                if (before == null) {
                    created.add(m.kind() + "/" + m.name());
                    ctx.line("created " + what);
                } else if (!Objects.equals(before.getMetadata().getResourceVersion(), after.getMetadata().getResourceVersion())) {
                    changed.add(m.kind() + "/" + m.name());
                    ctx.line("configured " + what);
                } else {
                    ctx.line("unchanged " + what);
                }
            }
        } catch (KubernetesClientException e) {
            Kube.rethrowIfInterrupted(e);
            return Kube.failed(e);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("objects", objects);
        data.put("created", created);
        data.put("changed", changed);
        return StepResult.ok("applied " + objects.size() + " object(s): " + created.size() + " created, " + changed.size() + " changed", data);
    }

    /** Deletes what the step created and puts back what it changed, last applied first. */
    @Override
    public List<String> planRollback(Config c) {
        return List.of("delete each object of " + (c.files().isEmpty() ? "the inline manifests" : String.join(", ", c.files()))
                        + " that this step created, and put back each one it changed as it was (journaled before the apply)",
                "an existing Secret is left as applied: its values are never journaled");
    }

    @Override
    @SuppressWarnings("unchecked")
    public StepResult rollback(Config c, StepContext ctx) throws Exception {
        List<Map.Entry<String, String>> recorded = new ArrayList<>(ctx.externalIds().entrySet().stream()
                .filter(e -> e.getKey().startsWith(BEFORE)).toList());
        Collections.reverse(recorded);
        List<String> left = new ArrayList<>();
        try {
            KubernetesClient k = KubeSession.of(ctx.settings()).client();
            for (Map.Entry<String, String> e : recorded) {
                String[] id = e.getKey().substring(BEFORE.length()).split("/");
                // apiVersion may hold a slash (batch/v1): the last three parts are kind, namespace, name.
                String name = id[id.length - 1];
                String ns = id[id.length - 2].isEmpty() ? null : id[id.length - 2];
                String kind = id[id.length - 3];
                String apiVersion = String.join("/", java.util.Arrays.copyOf(id, id.length - 3));
                Map<String, Object> prior = (Map<String, Object>) Json.parse(e.getValue());
                var objects = Kube.objects(k, apiVersion, kind, ns);
                String what = kind + " " + (ns != null ? ns + "/" : "") + name;
                if (!Boolean.TRUE.equals(prior.get("existed"))) {
                    objects.withName(name).delete();
                    ctx.line("deleted " + what + " (the step created it)");
                } else if (prior.get("object") == null) {
                    left.add(what);
                    ctx.line("left " + what + " as applied: it existed before, and a Secret's values are never journaled, so they cannot be put back");
                } else {
                    GenericKubernetesResource old = k.getKubernetesSerialization().convertValue(prior.get("object"), GenericKubernetesResource.class);
                    GenericKubernetesResource now = objects.withName(name).get();
                    if (now == null) {
                        objects.resource(old).create();
                    } else {
                        old.getMetadata().setResourceVersion(now.getMetadata().getResourceVersion());
                        objects.resource(old).update();
                    }
                    ctx.line("restored " + what + " as it was before the step");
                }
            }
        } catch (KubernetesClientException e) {
            Kube.rethrowIfInterrupted(e);
            return Kube.failed(e);
        }
        return StepResult.ok("undid " + recorded.size() + " object(s)" + (left.isEmpty() ? "" : "; left as applied: " + String.join(", ", left)),
                Map.of());
    }

    private static List<Manifests.Manifest> manifests(Config c, StepContext ctx) {
        if (c.manifests() != null) return Manifests.inline(c.manifests());
        List<Manifests.Manifest> all = new ArrayList<>();
        for (String f : c.files()) all.addAll(Manifests.file(ctx.workDir(), f, ctx));
        return all;
    }

    private static String namespace(Manifests.Manifest m, Config c, KubeSession session) {
        return m.namespace() != null ? m.namespace() : session.namespace(c.namespace());
    }

    private static String where(Manifests.Manifest m, String ns) {
        return (ns != null ? ns + "/" : "") + m.name();
    }

    private static Resource<GenericKubernetesResource> resource(KubernetesClient k, Manifests.Manifest m, String ns) {
        GenericKubernetesResource object = k.getKubernetesSerialization().convertValue(m.object(), GenericKubernetesResource.class);
        return Kube.objects(k, m.apiVersion(), m.kind(), ns).resource(object);
    }

    private static GenericKubernetesResource apply(ServerSideApplicable<GenericKubernetesResource> r, Config c) {
        ServerSideApplicable<GenericKubernetesResource> a = r.fieldManager(c.fieldManager());
        if (c.force()) a = a.forceConflicts();
        return a.serverSideApply();
    }

    /** What was there: nothing, or the object without what the server adds; a Secret without its values. */
    private static Map<String, Object> prior(KubernetesSerialization json, GenericKubernetesResource before, String kind) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("existed", before != null);
        if (before == null || "Secret".equals(kind)) {
            out.put("object", null);
            return out;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) Json.parse(json.asJson(before));
        object.remove("status");
        if (object.get("metadata") instanceof Map<?, ?> meta) {
            for (String k : List.of("resourceVersion", "uid", "creationTimestamp", "managedFields", "generation", "selfLink")) meta.remove(k);
        }
        out.put("object", object);
        return out;
    }

    /** Leaf values by path ("spec.replicas", "data.url"), without what the server keeps for itself. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> flatten(KubernetesSerialization json, GenericKubernetesResource r) {
        Map<String, String> out = new TreeMap<>();
        flatten("", Json.parse(json.asJson(r)), out);
        out.keySet().removeIf(p -> NOISE.stream().anyMatch(n -> p.equals(n) || p.startsWith(n + ".")));
        return out;
    }

    private static void flatten(String path, Object v, Map<String, String> out) {
        if (v instanceof Map<?, ?> m) {
            m.forEach((k, x) -> flatten(path.isEmpty() ? String.valueOf(k) : path + "." + k, x, out));
        } else if (v instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) flatten(path + "." + i, l.get(i), out);
        } else {
            out.put(path, String.valueOf(v));
        }
    }

    /** "+ path: value", "- path: value", "~ path: old → new"; a Secret's values are never shown. */
    static List<String> diff(Map<String, String> before, Map<String, String> after, boolean secret) {
        List<String> out = new ArrayList<>();
        java.util.Set<String> paths = new java.util.TreeSet<>(before.keySet());
        paths.addAll(after.keySet());
        for (String p : paths) {
            String a = before.get(p);
            String b = after.get(p);
            if (Objects.equals(a, b)) continue;
            boolean hidden = secret && (p.startsWith("data.") || p.startsWith("stringData."));
            if (a == null) out.add("+ " + p + (hidden ? " (a secret value)" : ": " + b));
            else if (b == null) out.add("- " + p + (hidden ? "" : ": " + a));
            else out.add("~ " + p + (hidden ? " (a secret value changes)" : ": " + a + " → " + b));
        }
        return out;
    }
}
