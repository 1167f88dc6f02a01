package dev.lockstep.steps.kube;

import dev.lockstep.runbook.Value;
import dev.lockstep.step.Key;
import dev.lockstep.step.Reconciliation;
import dev.lockstep.step.ResultShape;
import dev.lockstep.step.StepContext;
import dev.lockstep.step.StepResult;
import dev.lockstep.step.StepType;
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
 * when one is missing, the object is reported Degraded and not Ready with the requirement's
 * reason (SecretNotFound), with a Warning event, and the step fails, as the operator does.
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
            @Key("objects in its namespace that must exist first: { apiVersion, kind, name, reason }; when one is missing the"
                    + " object is set Degraded=True and Ready=False with that reason (default KIND + NotFound), a Warning event"
                    + " says so, and the step fails") List<Map<String, String>> requires) {
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

    /** An object that must exist, and the reason the status gives when it does not. */
    record Required(String apiVersion, String kind, String name, String reason) {
        static Required of(Map<String, String> m) {
            Kube.checkReference("requires", m, List.of("apiVersion", "kind", "name", "reason"));
            Required r = new Required(m.get("apiVersion"), m.get("kind"), m.get("name"), m.getOrDefault("reason", m.get("kind") + "NotFound"));
            new StatusWriter.Condition("Degraded", "True", r.reason(), null);
            return r;
        }

        String describe() {
            return kind + " " + name;
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
                + " changes only with the status. `requires: [{ apiVersion, kind, name, reason }]` looks for objects "
                + "first: one missing sets Degraded=True and Ready=False with its reason (SecretNotFound), emits a "
                + "Warning event, and fails the step";
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
            for (Required r : c.required()) {
                boolean there = Kube.objects(session.client(), r.apiVersion(), r.kind(), ns).withName(r.name()).get() != null;
                lines.add(r.describe() + (there ? " is there" : " is missing now: a run would report Degraded (" + r.reason()
                        + ") and stop at this step"));
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
            for (Required r : c.required()) {
                if (Kube.objects(session.client(), r.apiVersion(), r.kind(), t.namespace()).withName(r.name()).get() != null) continue;
                String missing = r.describe() + " not found";
                StatusWriter.write(session.client(), t, List.of(new StatusWriter.Condition("Degraded", "True", r.reason(), missing),
                                new StatusWriter.Condition("Ready", "False", r.reason(), missing)),
                        List.of(new StatusWriter.Note("Warning", r.reason(), missing)), ctx::line);
                return StepResult.failed(missing + ": " + t.describe() + " reported Degraded (" + r.reason() + ")", Map.of());
            }
            List<StatusWriter.Condition> conditions = new ArrayList<>(c.conditions().stream().map(StatusWriter.Condition::of).toList());
            if (!c.requires().isEmpty() && conditions.stream().noneMatch(x -> x.type().equals("Degraded"))) {
                // What a missing requirement set before is over.
                conditions.add(new StatusWriter.Condition("Degraded", "False", "RequirementsMet", "every required object is there"));
            }
            Map<String, Object> states = StatusWriter.write(session.client(), t, conditions,
                    c.events().stream().map(StatusWriter.Note::of).toList(), ctx::line);
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
