package dev.lockstep.steps.kube;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code k8s.status}: sets conditions on an object's status subresource (a custom resource such
 * as a DBUpgrade) and emits Events about it, so a runbook can report as an operator does
 * (Accepted, Progressing, Ready, Degraded). A condition's lastTransitionTime changes only
 * when its status does. Objects it {@code requires} (a connection Secret) are looked for first:
 * when one is missing, or a Secret lacks the key it must have in its data, the object is reported
 * Degraded and not Ready with the requirement's reason (SecretNotFound), with a Warning event, and
 * the step fails, as the operator does. A requirement's name and key may be read from the object
 * itself ({@code nameFrom}, {@code keyFrom}: the Secret its spec names). The object is read once,
 * first: the conditions speak of that generation (observedGeneration), never of a later one.
 *
 * <pre>
 * - id: accepted
 *   uses: k8s.status
 *   with:
 *     apiVersion: dbupgrade.subbug.learning/v1alpha1
 *     kind: DBUpgrade
 *     name: "${{ params.name }}"
 *     conditions: [{ type: Accepted, status: "True", reason: SpecValid }]
 *     events: [{ type: Normal, reason: Accepted, message: "Spec accepted" }]
 * </pre>
 */
public final class KubeStatusStep implements StepType<KubeStatusStep.Config> {
    public record Config(
            @Key(value = "the object's apiVersion", required = true) String apiVersion,
            @Key(value = "the object's kind", required = true) String kind,
            @Key(value = "the object's name", required = true) String name,
            @Key("its namespace (default: the context's)") String namespace,
            @Key("conditions to set: { type, status: \"True\"|\"False\"|\"Unknown\", reason, message }") List<Map<String, String>> conditions,
            @Key("events to emit about it: { type: Normal|Warning, reason, message }") List<Map<String, String>> events,
            @Key("objects in its namespace that must exist first: { apiVersion, kind, name, key, reason }; a Secret's `key`"
                    + " must be in its data; `nameFrom`/`keyFrom` instead read the name/key at a path of the object"
                    + " (spec.database.connection.urlSecretRef.name); when one is missing the object is set Degraded=True and"
                    + " Ready=False with that reason (default KIND + NotFound), a Warning event says so, and the step fails")
            List<Map<String, String>> requires) {
        public Config {
            conditions = conditions == null ? List.of() : conditions;
            events = events == null ? List.of() : events;
            requires = requires == null ? List.of() : requires;
            if (conditions.isEmpty() && events.isEmpty()) throw new IllegalArgumentException("give conditions, events, or both");
            conditions.forEach(StatusWriter.Condition::of);
            events.forEach(StatusWriter.Note::of);
            requires.forEach(Required::of);
        }

        List<Required> required() {
            return requires.stream().map(Required::of).toList();
        }
    }

    /**
     * An object that must exist (and, for a Secret, a key in its data), and the reason the status gives when it does
     * not; its name and key are given, or read from the object reported on.
     */
    record Required(String apiVersion, String kind, String name, FieldPath nameFrom, String key, FieldPath keyFrom, String reason) {
        private static final List<String> KEYS = List.of("apiVersion", "kind", "name", "nameFrom", "key", "keyFrom", "reason");

        static Required of(Map<String, String> m) {
            for (String k : m.keySet()) {
                if (!KEYS.contains(k)) throw new IllegalArgumentException("requires: unknown key '" + k + "': expected " + String.join(", ", KEYS));
            }
            for (String k : List.of("apiVersion", "kind")) {
                if (m.get(k) == null) throw new IllegalArgumentException("requires." + k + " is required");
            }
            if ((m.get("name") == null) == (m.get("nameFrom") == null)) throw new IllegalArgumentException("requires: give name or nameFrom");
            if (m.get("key") != null && m.get("keyFrom") != null) throw new IllegalArgumentException("requires: give key or keyFrom, not both");
            boolean keyed = m.get("key") != null || m.get("keyFrom") != null;
            if (keyed && !("v1".equals(m.get("apiVersion")) && "Secret".equals(m.get("kind")))) {
                throw new IllegalArgumentException("requires: key and keyFrom are for a Secret (apiVersion v1, kind Secret)");
            }
            Required r = new Required(m.get("apiVersion"), m.get("kind"), m.get("name"),
                    m.get("nameFrom") == null ? null : FieldPath.parse(m.get("nameFrom")), m.get("key"),
                    m.get("keyFrom") == null ? null : FieldPath.parse(m.get("keyFrom")), m.getOrDefault("reason", m.get("kind") + "NotFound"));
            new StatusWriter.Condition("Degraded", "True", r.reason(), null);
            return r;
        }

        String describe() {
            return kind + " " + (name != null ? name : "named by " + nameFrom) + (key != null ? " with key " + key
                    : keyFrom != null ? " with the key named by " + keyFrom : "");
        }

        /** Why it is not met, looked at now in {@code object}'s namespace, or null when it is. */
        String unmet(KubernetesClient k, GenericKubernetesResource object, String ns) {
            String what = object.getKind() + " " + object.getMetadata().getName();
            Object named = name != null ? name : nameFrom.get(object.getAdditionalProperties());
            if (!(named instanceof String n) || n.isEmpty()) return what + " names no " + kind + " at " + nameFrom;
            Object keyNamed = key != null ? key : keyFrom != null ? keyFrom.get(object.getAdditionalProperties()) : null;
            if (keyFrom != null && !(keyNamed instanceof String kn && !kn.isEmpty())) return what + " names no key of " + kind + " " + n + " at " + keyFrom;
            GenericKubernetesResource found = Kube.objects(k, apiVersion, kind, ns).withName(n).get();
            if (found == null) return kind + " " + n + " not found";
            // A Secret's stringData is write-only: what a pod can read is in data.
            if (keyNamed != null && !(found.getAdditionalProperties().get("data") instanceof Map<?, ?> data && data.containsKey(keyNamed))) {
                return kind + " " + n + " has no key " + keyNamed + " in its data";
            }
            return null;
        }
    }

    @Override
    public String name() {
        return "k8s.status";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String summary() {
        return "set `conditions` ({ type, status, reason, message }) on an object's status subresource (a custom "
                + "resource) and emit `events` ({ type: Normal/Warning, reason, message }) about it; lastTransitionTime"
                + " changes only with the status. `requires: [{ apiVersion, kind, name, key, reason }]` looks for objects "
                + "first (a Secret's `key` must be in its data; `nameFrom`/`keyFrom` read the name and key at a path of the "
                + "object, the Secret its spec names): one missing sets Degraded=True and Ready=False with its reason "
                + "(SecretNotFound), emits a Warning event, and fails the step. The object is read once, first: "
                + "observedGeneration is the generation read, never a later one";
    }

    @Override
    public String example() {
        return """
                - id: accepted
                  uses: k8s.status
                  with:
                    apiVersion: dbupgrade.subbug.learning/v1alpha1
                    kind: DBUpgrade
                    name: "${{ params.name }}"
                    conditions: [{ type: Accepted, status: "True", reason: SpecValid }]
                    events: [{ type: Normal, reason: Accepted, message: "Spec accepted" }]
                """;
    }

    @Override
    public ResultShape result(Value.Mapping with) {
        return ResultShape.object("conditions", ResultShape.mapOf(ResultShape.VALUE), "events", ResultShape.VALUE);
    }

    /** Setting the same conditions again changes nothing; an event may be emitted twice, which is harmless. */
    @Override
    public Reconciliation reconcile(Config c, Map<String, String> externalIds, boolean idempotent) {
        return Reconciliation.RERUN;
    }

    @Override
    public List<String> plan(Config c) {
        List<String> lines = new ArrayList<>();
        String what = c.kind() + " " + (c.namespace() != null ? c.namespace() + "/" : "") + c.name();
        c.required().forEach(r -> lines.add("require " + r.describe() + " (missing: Degraded=True ("
                + r.reason() + ") on " + what + ", and the step fails)"));
        c.conditions().forEach(m -> lines.add("set " + m.get("type") + "=" + m.get("status") + (m.get("reason") != null ? " (" + m.get("reason") + ")" : "")
                + " on " + what));
        c.events().forEach(m -> lines.add("emit event " + m.getOrDefault("type", "Normal") + " " + m.get("reason") + " on " + what));
        return lines;
    }

    /** What a run would set, and, looked at now (read-only), which required objects are missing. */
    @Override
    public List<String> preview(Config c, StepContext ctx) throws Exception {
        List<String> lines = new ArrayList<>(plan(c));
        try {
            KubeSession session = KubeSession.of(ctx.settings());
            String ns = session.namespace(c.namespace());
            GenericKubernetesResource object = Kube.objects(session.client(), c.apiVersion(), c.kind(), ns).withName(c.name()).get();
            if (object == null && !c.required().isEmpty()) {
                lines.add(c.kind() + " " + c.name() + " is not there now: its requirements cannot be looked at");
                return lines;
            }
            for (Required r : c.required()) {
                String missing = r.unmet(session.client(), object, ns);
                lines.add(r.describe() + (missing == null ? " is there" : ": " + missing + " now: a run would report Degraded ("
                        + r.reason() + ") and stop at this step"));
            }
        } catch (KubernetesClientException e) {
            Kube.rethrowIfInterrupted(e);
            lines.add("cannot look at the required objects now: " + Kube.message(e));
        }
        return lines;
    }

    @Override
    public StepResult execute(Config c, StepContext ctx) throws Exception {
        try {
            KubeSession session = KubeSession.of(ctx.settings());
            StatusWriter.Target t = new StatusWriter.Target(c.apiVersion(), c.kind(), c.name(), session.namespace(c.namespace()));
            GenericKubernetesResource object = Kube.objects(session.client(), c.apiVersion(), c.kind(), t.namespace()).withName(c.name()).get();
            if (object == null) return StepResult.failed("there is no " + t.describe(), Map.of());
            Long generation = object.getMetadata().getGeneration();
            for (Required r : c.required()) {
                String missing = r.unmet(session.client(), object, t.namespace());
                if (missing == null) continue;
                StatusWriter.write(session.client(), t, List.of(new StatusWriter.Condition("Degraded", "True", r.reason(), missing),
                                new StatusWriter.Condition("Ready", "False", r.reason(), missing)),
                        List.of(new StatusWriter.Note("Warning", r.reason(), missing)), ctx::line, generation);
                return StepResult.failed(missing + ": " + t.describe() + " reported Degraded (" + r.reason() + ")", Map.of());
            }
            List<StatusWriter.Condition> conditions = new ArrayList<>(c.conditions().stream().map(StatusWriter.Condition::of).toList());
            if (!c.requires().isEmpty() && conditions.stream().noneMatch(x -> x.type().equals("Degraded"))) {
                // What a missing requirement set before is over.
                conditions.add(new StatusWriter.Condition("Degraded", "False", "RequirementsMet", "every required object is there"));
            }
            Map<String, Object> states = StatusWriter.write(session.client(), t, conditions,
                    c.events().stream().map(StatusWriter.Note::of).toList(), ctx::line, generation);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("conditions", states);
            data.put("events", c.events().size());
            return StepResult.ok("set " + states.size() + " condition(s), emitted " + c.events().size() + " event(s) on " + t.describe(), data);
        } catch (KubernetesClientException e) {
            Kube.rethrowIfInterrupted(e);
            return Kube.failed(e);
        }
    }
}
