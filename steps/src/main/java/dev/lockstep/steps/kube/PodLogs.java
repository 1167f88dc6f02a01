package dev.lockstep.steps.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The logs of a Job's pods, every container instance once, in order: a container that is
 * running is followed; one that has finished is read whole; one that restarted has its previous
 * instance read too. Every container counts, init containers and sidecars too: the migration is
 * not always the first (a database proxy often is), and its lines are the ones haltOn must see. A followed stream is closed when its container (or the Job) ends, and what
 * it had not delivered yet is read then, so no line is lost and none is shown twice.
 */
final class PodLogs implements AutoCloseable {
    private final KubernetesClient k;
    private final String namespace;
    private final Consumer<String> sink;
    /** By pod, container and restart count: one container instance. */
    private final Map<String, Stream> streams = new LinkedHashMap<>();
    /** By pod and container: the restart count last seen. */
    private final Map<String, Integer> restartsOf = new HashMap<>();

    PodLogs(KubernetesClient k, String namespace, Consumer<String> sink) {
        this.k = k;
        this.namespace = namespace;
        this.sink = sink;
    }

    /** Called with each pod as it is seen: starts, finishes or catches up its streams. */
    void see(Pod pod) {
        // Init containers first, in their order, then the others: the order in which they run.
        List<Container> containers = new ArrayList<>();
        if (pod.getSpec().getInitContainers() != null) containers.addAll(pod.getSpec().getInitContainers());
        containers.addAll(pod.getSpec().getContainers());
        Map<String, ContainerStatus> statuses = new HashMap<>();
        if (pod.getStatus() != null) {
            for (List<ContainerStatus> list : Arrays.asList(pod.getStatus().getInitContainerStatuses(), pod.getStatus().getContainerStatuses())) {
                if (list != null) list.forEach(s -> statuses.put(s.getName(), s));
            }
        }
        for (Container c : containers) {
            String source = "pod " + pod.getMetadata().getName() + (containers.size() > 1 ? " container " + c.getName() : "");
            see(pod.getMetadata().getName(), c.getName(), source, statuses.get(c.getName()));
        }
    }

    private void see(String pod, String container, String source, ContainerStatus cs) {
        if (cs == null || cs.getState() == null) return;
        int restarts = cs.getRestartCount() == null ? 0 : cs.getRestartCount();
        restartsOf.put(pod + "#" + container, restarts);
        for (int earlier = 0; earlier < restarts; earlier++) {
            int index = earlier;
            streams.computeIfAbsent(pod + "#" + container + "#" + index, k -> new Stream(pod, container, source, index)).finish(restarts);
        }
        boolean running = cs.getState().getRunning() != null;
        boolean terminated = cs.getState().getTerminated() != null;
        if (!running && !terminated) return;
        String key = pod + "#" + container + "#" + restarts;
        Stream s = streams.get(key);
        if (s == null) {
            s = new Stream(pod, container, source, restarts);
            streams.put(key, s);
            if (running) s.follow();
        }
        if (terminated) s.finish(restarts);
    }

    /** The Job ended: every stream is closed and caught up. */
    @Override
    public void close() {
        streams.values().forEach(s -> s.finish(restartsOf.getOrDefault(s.pod + "#" + s.container, s.index)));
    }

    private static final int READ_ATTEMPTS = 4;
    private static final long READ_PAUSE_MS = 500;

    /** Waits before the log is asked for again; false when the step is being stopped. */
    private static boolean pause() {
        try {
            Thread.sleep(READ_PAUSE_MS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** One container instance's log. */
    private final class Stream {
        private final String pod;
        private final String container;
        /** How the stream is named in what the operator reads: the pod, and the container when it has several. */
        private final String source;
        /** Which instance: the container's restart count while it ran. */
        private final int index;
        private int shown;
        private LogWatch watch;
        private Thread reader;
        private boolean finished;

        Stream(String pod, String container, String source, int index) {
            this.pod = pod;
            this.container = container;
            this.source = source;
            this.index = index;
        }

        private ContainerResource resource() {
            return k.pods().inNamespace(namespace).withName(pod).inContainer(container);
        }

        void follow() {
            sink.accept("following the logs of " + source);
            try {
                watch = resource().watchLog();
            } catch (KubernetesClientException e) {
                sink.accept("cannot follow the logs of " + source + ": " + Kube.message(e));
                return;
            }
            LogWatch w = watch;
            reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(w.getOutput(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) emit(line);
                } catch (IOException | RuntimeException e) {
                    // The stream was closed: finish() reads what it had not delivered.
                }
            }, "logs-" + pod + "-" + container);
            reader.setDaemon(true);
            reader.start();
        }

        private synchronized boolean emit(String line) {
            if (finished) return false;
            shown++;
            sink.accept(line);
            return true;
        }

        /**
         * Stops following, then shows the lines the stream had not delivered. The node keeps a
         * container's running instance and the one before it: which this one is now depends on
         * how often the container has restarted since ({@code restarts}); older ones are gone.
         */
        void finish(int restarts) {
            if (finished) return;
            boolean previous = index == restarts - 1;
            if (index < restarts - 1) {
                synchronized (this) {
                    finished = true;
                }
                sink.accept("the logs of " + source + " before restart " + (index + 1) + " are gone: a node keeps only the last two");
                if (watch != null) watch.close();
                return;
            }
            if (watch != null) {
                watch.close();
                try {
                    reader.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String all = null;
            // A node may not serve a container's log the moment it ends: asked again, shortly, before saying so.
            for (int attempt = 1; ; attempt++) {
                try {
                    all = previous ? resource().terminated().getLog() : resource().getLog();
                    break;
                } catch (KubernetesClientException e) {
                    // Not there yet (400) or the node's trouble (5xx) may pass; no permission or no pod will not.
                    boolean passing = e.getCode() == 400 || e.getCode() >= 500;
                    if (passing && attempt < READ_ATTEMPTS && pause()) continue;
                    synchronized (this) {
                        finished = true;
                    }
                    sink.accept("cannot read the logs of " + source + (previous ? " (previous instance)" : "") + ": " + Kube.message(e));
                    return;
                }
            }
            synchronized (this) {
                if (watch == null) sink.accept("logs of " + source + (previous ? " (previous instance)" : ""));
                String[] lines = all == null || all.isEmpty() ? new String[0] : all.split("\n", -1);
                int count = lines.length > 0 && lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
                for (int i = shown; i < count; i++) sink.accept(lines[i]);
                shown = Math.max(shown, count);
                finished = true;
            }
        }
    }
}
