package dev.lockstep.steps.kube;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Sets conditions on an object's status subresource and emits Events about it, as a
 * controller does: a condition keeps its lastTransitionTime unless its status changes, and
 * carries as observedGeneration the generation the writer acted on (read before it acted, so
 * a spec changed since is never claimed), else the object's current one. Shared by
 * {@code k8s.status} and {@code k8s.job}'s {@code reportTo}.
 */
final class StatusWriter {
    /** One condition, as in metav1.Condition. */
    record Condition(String type, String status, String reason, String message) {
        Condition {
            if (type == null || type.isBlank()) throw new IllegalArgumentException("a condition needs a type");
            if (!List.of("True", "False", "Unknown").contains(status)) {
                throw new IllegalArgumentException("condition " + type + ": status must be True, False or Unknown, got '" + status + "'");
            }
            if (reason != null && !reason.matches("[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?")) {
                throw new IllegalArgumentException("condition " + type + ": reason must be a CamelCase word such as MigrationComplete, got '" + reason + "'");
            }
        }

        static Condition of(Map<String, String> m) {
            return new Condition(m.get("type"), m.get("status"), m.get("reason"), m.get("message"));
        }
    }

    /** One Event, as core/v1 Event. */
    record Note(String type, String reason, String message) {
        Note {
            if (!List.of("Normal", "Warning").contains(type)) throw new IllegalArgumentException("an event's type must be Normal or Warning, got '" + type + "'");
            if (reason == null || reason.isBlank()) throw new IllegalArgumentException("an event needs a reason");
        }

        static Note of(Map<String, String> m) {
            return new Note(m.getOrDefault("type", "Normal"), m.get("reason"), m.get("message"));
        }
    }

    /** The object written to: its kind and name, and its namespace when it has one. */
    record Target(String apiVersion, String kind, String name, String namespace) {
        String describe() {
            return kind + " " + (namespace != null ? namespace + "/" : "") + name;
        }
    }

    private StatusWriter() {}

    /**
     * Merges {@code conditions} into the object's status (retrying on a concurrent update) and emits {@code events};
     * {@code acted} is the generation whose spec the writer acted on (null: the object's current one).
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> write(KubernetesClient k, Target t, List<Condition> conditions, List<Note> events, Consumer<String> line,
                                     Long acted) {
        var objects = Kube.objects(k, t.apiVersion(), t.kind(), t.namespace());
        GenericKubernetesResource object = null;
        Map<String, Object> states = new LinkedHashMap<>();
        for (int attempt = 1; ; attempt++) {
            object = objects.withName(t.name()).get();
            if (object == null) throw new IllegalStateException("there is no " + t.describe());
            if (conditions.isEmpty()) break;
            Map<String, Object> status = object.getAdditionalProperties().get("status") instanceof Map<?, ?> s
                    ? new LinkedHashMap<>((Map<String, Object>) s) : new LinkedHashMap<>();
            List<Map<String, Object>> list = new ArrayList<>();
            if (status.get("conditions") instanceof List<?> old) for (Object o : old) list.add(new LinkedHashMap<>((Map<String, Object>) o));
            String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            Long generation = acted != null ? acted : object.getMetadata().getGeneration();
            for (Condition c : conditions) {
                Map<String, Object> entry = list.stream().filter(m -> c.type().equals(m.get("type"))).findFirst().orElse(null);
                if (entry == null) {
                    entry = new LinkedHashMap<>();
                    list.add(entry);
                }
                if (!c.status().equals(entry.get("status")) || entry.get("lastTransitionTime") == null) entry.put("lastTransitionTime", now);
                entry.put("type", c.type());
                entry.put("status", c.status());
                entry.put("reason", c.reason() != null ? c.reason() : c.status().equals("True") ? c.type() : "Not" + c.type());
                entry.put("message", c.message() != null ? c.message() : "");
                if (generation != null) entry.put("observedGeneration", generation);
            }
            status.put("conditions", list);
            if (generation != null) status.put("observedGeneration", generation);
            object.getAdditionalProperties().put("status", status);
            try {
                objects.resource(object).subresource("status").update();
                break;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 5) throw e;
            }
        }
        for (Condition c : conditions) {
            states.put(c.type(), c.status());
            line.accept(t.describe() + ": " + c.type() + "=" + c.status() + (c.reason() != null ? " (" + c.reason() + ")" : "")
                    + (c.message() != null ? " " + c.message() : ""));
        }
        for (Note n : events) {
            emit(k, t, object, n);
            line.accept("event " + n.type() + " " + n.reason() + (n.message() != null ? ": " + n.message() : "") + " on " + t.describe());
        }
        return states;
    }

    private static void emit(KubernetesClient k, Target t, GenericKubernetesResource object, Note n) {
        String ns = t.namespace() != null ? t.namespace() : "default";
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String suffix = HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(8).putLong(ThreadLocalRandom.current().nextLong()).array());
        k.v1().events().inNamespace(ns).resource(new EventBuilder()
                .withNewMetadata().withName(t.name() + "." + suffix).withNamespace(ns).endMetadata()
                .withNewInvolvedObject().withApiVersion(t.apiVersion()).withKind(t.kind()).withName(t.name()).withNamespace(t.namespace())
                .withUid(object.getMetadata().getUid()).withResourceVersion(object.getMetadata().getResourceVersion()).endInvolvedObject()
                .withType(n.type()).withReason(n.reason()).withMessage(Objects.requireNonNullElse(n.message(), ""))
                .withNewSource().withComponent("lockstep").endSource().withReportingComponent("lockstep")
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build()).create();
    }
}
