package dev.lockstep.steps.kube;

import dev.lockstep.spi.Json;
import dev.lockstep.spi.StepResult;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** What the Kubernetes step types share: error messages, the spec hash, and waking up on a watch event. */
final class Kube {
    private Kube() {}

    /** A step failure from an API error: the server's code and message, never a stack trace. */
    static StepResult failed(KubernetesClientException e) {
        return StepResult.failed(message(e), Map.of());
    }

    static String message(KubernetesClientException e) {
        if (e.getStatus() != null && e.getStatus().getMessage() != null) {
            return "Kubernetes API " + e.getCode() + " " + (e.getStatus().getReason() != null ? e.getStatus().getReason() + ": " : "")
                    + e.getStatus().getMessage();
        }
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        return "Kubernetes API: " + (e.getCode() > 0 ? e.getCode() + " " : "") + e.getMessage()
                + (root != e && root.getMessage() != null ? " (" + root.getMessage() + ")" : "");
    }

    /** The client reports an interrupted call as its own exception: turn it back into an interruption. */
    static void rethrowIfInterrupted(RuntimeException e) throws InterruptedException {
        if (Thread.currentThread().isInterrupted() || e.getCause() instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            throw new InterruptedException("stopped");
        }
    }

    /** The first 10 hex digits of the SHA-256 of a value in canonical JSON (keys sorted): equal specs, equal hashes. */
    static String hash(Object value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Json.write(canonical(value)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object canonical(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), canonical(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object x : l) out.add(canonical(x));
            return out;
        }
        return v;
    }

    /**
     * Objects of one kind, in {@code namespace} when the kind lives in namespaces (the API
     * server's discovery says), cluster-wide otherwise.
     */
    static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> objects(
            KubernetesClient k, String apiVersion, String kind, String namespace) {
        APIResourceList list = k.getApiResources(apiVersion);
        if (list == null) throw new IllegalArgumentException("the API server serves no " + apiVersion);
        APIResource found = list.getResources().stream().filter(r -> kind.equals(r.getKind()) && !r.getName().contains("/"))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("the API server has no kind " + kind + " in " + apiVersion));
        var all = k.genericKubernetesResources(apiVersion, kind);
        return Boolean.TRUE.equals(found.getNamespaced()) ? all.inNamespace(namespace) : all;
    }

    /**
     * Checks an object reference a step is given ({ apiVersion, kind, name } and the {@code allowed}
     * others) when the runbook loads: the three are required, other keys refused by name.
     */
    static void checkReference(String key, Map<String, String> ref, List<String> allowed) {
        for (String k : ref.keySet()) {
            if (!allowed.contains(k)) throw new IllegalArgumentException(key + ": unknown key '" + k + "': expected " + String.join(", ", allowed));
        }
        for (String k : List.of("apiVersion", "kind", "name")) {
            if (ref.get(k) == null) throw new IllegalArgumentException(key + "." + k + " is required");
        }
    }

    /** A name of at most 63 characters: the base cut short so that its suffix always fits. */
    static String name(String base, String suffix) {
        int room = 63 - suffix.length() - 1;
        String b = base.length() > room ? base.substring(0, room).replaceAll("-+$", "") : base;
        return b + "-" + suffix;
    }

    /** Wakes a polling loop as soon as a watch reports a change, so it need not poll often. */
    static final class Signal implements Watcher<Object> {
        private final Semaphore changes = new Semaphore(0);
        private final List<Watch> watches = new ArrayList<>();

        @SuppressWarnings({"unchecked", "rawtypes"})
        <T> Watcher<T> watcher() {
            return (Watcher) this;
        }

        void add(Watch w) {
            watches.add(w);
        }

        @Override
        public void eventReceived(Action action, Object resource) {
            changes.release();
        }

        @Override
        public void onClose(WatcherException cause) {
            changes.release();
        }

        /** Waits for a change or at most {@code interval}. */
        void await(Duration interval) throws InterruptedException {
            changes.tryAcquire(Math.max(1, interval.toMillis()), TimeUnit.MILLISECONDS);
            changes.drainPermits();
        }

        void close() {
            for (Watch w : watches) {
                try {
                    w.close();
                } catch (RuntimeException e) {
                    // Closing a watch whose connection already broke: nothing to do.
                }
            }
        }
    }
}
