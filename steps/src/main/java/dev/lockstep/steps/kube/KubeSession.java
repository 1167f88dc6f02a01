package dev.lockstep.steps.kube;

import dev.lockstep.spi.Json;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.Settings;
import dev.lockstep.spi.UserFiles;
import dev.lockstep.spi.Value;
import dev.lockstep.spi.YamlReader;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where Kubernetes steps act, and their client. The place is found as kubectl finds it —
 * {@code --kubeconfig}, else the files of {@code $KUBECONFIG} merged as kubectl merges them, else
 * {@code ~/.kube/config}, else the pod's service account when lockstep runs inside a cluster;
 * {@code --context} else the kubeconfig's current context; {@code --namespace} else the
 * context's namespace, else {@code default} — and checked against what the runbook's
 * {@code context.kubernetes} allows, with both shown when they differ.
 *
 * <p>That place is written once as a kubeconfig of its own (the one context, its cluster and
 * user, the namespace set; private to the user, removed when lockstep exits). The Java client
 * is built from it and shell steps get it as {@code KUBECONFIG}, so {@code kubectl} and
 * {@code helm} in a script act on exactly the cluster, credentials and namespace the steps do.
 * The client is made when a step first needs it, never at start-up.
 */
public final class KubeSession {
    private static final Map<Settings, KubeSession> SESSIONS = new ConcurrentHashMap<>();
    private static final String SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

    /** The resolved place: context name, API server, namespace, where it came from, and its own kubeconfig file. */
    public record Place(String context, String server, String namespace, String source, Path kubeconfig) {
        public String describe() {
            return context + " " + server + " namespace " + namespace;
        }
    }

    private final Settings settings;
    private volatile Place place;
    private volatile KubernetesClient client;

    private KubeSession(Settings settings) {
        this.settings = settings;
    }

    public static KubeSession of(Settings settings) {
        return SESSIONS.computeIfAbsent(settings, KubeSession::new);
    }

    /**
     * Where the steps act; throws {@link IllegalStateException} naming both places when that is
     * not where the runbook may act, or saying what was tried when no cluster can be found.
     */
    public Place place() {
        Place known = place;
        if (known != null) return known;
        synchronized (this) {
            if (place == null) place = guard(resolve());
            return place;
        }
    }

    /** The client for the place (checked first); shared by the steps of a run. */
    public KubernetesClient client() {
        KubernetesClient known = client;
        if (known != null) return known;
        synchronized (this) {
            if (client == null) {
                Place p = place();
                try {
                    Config config = Config.fromKubeconfig(UserFiles.readString(p.kubeconfig(), 1 << 20));
                    client = new KubernetesClientBuilder().withConfig(config).build();
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read " + p.kubeconfig() + ": " + e.getMessage(), e);
                }
            }
            return client;
        }
    }

    /** The namespace a step acts in: its own, else the place's. */
    public String namespace(String given) {
        return given != null && !given.isBlank() ? given : place().namespace();
    }

    private Place guard(Place p) {
        String context = settings.option(KubeContext.EXPECTED_CONTEXT);
        String server = settings.option(KubeContext.EXPECTED_SERVER);
        String namespace = settings.option(KubeContext.EXPECTED_NAMESPACE);
        boolean wrong = (context != null && !context.equals(p.context()))
                || (server != null && !sameServer(server, p.server()))
                || (namespace != null && !namespace.equals(p.namespace()));
        if (wrong) {
            throw new IllegalStateException("refusing to act: the runbook is for Kubernetes "
                    + (context != null ? "context " + context : "any context") + ", "
                    + (server != null ? "server " + server : "any server") + ", "
                    + (namespace != null ? "namespace " + namespace : "any namespace")
                    + ", but " + p.source() + " points at context " + p.context() + ", server " + p.server()
                    + ", namespace " + p.namespace());
        }
        return p;
    }

    private static boolean sameServer(String a, String b) {
        return a.replaceAll("/+$", "").equalsIgnoreCase(b.replaceAll("/+$", ""));
    }

    private Place resolve() {
        List<Path> files = kubeconfigFiles();
        if (!files.isEmpty()) return fromKubeconfigs(files);
        Map<String, String> env = settings.env();
        Path sa = Path.of(SERVICE_ACCOUNT);
        if (env.get("KUBERNETES_SERVICE_HOST") != null && Files.isReadable(sa.resolve("token"))) return inCluster(env, sa);
        throw new IllegalStateException("no Kubernetes cluster to act on: no --kubeconfig, no $KUBECONFIG, no "
                + home().resolve(".kube/config") + ", and not inside a cluster (no $KUBERNETES_SERVICE_HOST and service account token)");
    }

    private List<Path> kubeconfigFiles() {
        String option = settings.option(KubeContext.KUBECONFIG);
        if (option != null) {
            Path p = Path.of(option);
            if (!Files.isRegularFile(p)) throw new IllegalStateException("--kubeconfig " + option + ": no such file");
            return List.of(p);
        }
        String list = settings.env().get("KUBECONFIG");
        if (list != null && !list.isBlank()) {
            // As kubectl: files of the list that do not exist are passed over.
            List<Path> files = new ArrayList<>();
            for (String f : list.split(java.io.File.pathSeparator)) {
                if (!f.isBlank() && Files.isRegularFile(Path.of(f)) && !files.contains(Path.of(f))) files.add(Path.of(f));
            }
            if (files.isEmpty()) throw new IllegalStateException("$KUBECONFIG names no file that exists: " + list);
            return files;
        }
        Path home = home().resolve(".kube/config");
        return Files.isRegularFile(home) ? List.of(home) : List.of();
    }

    private Path home() {
        String home = settings.env().get("HOME");
        return Path.of(home != null ? home : System.getProperty("user.home"));
    }

    /**
     * The place the kubeconfig files name, merged as kubectl merges {@code $KUBECONFIG}: the
     * first file to set current-context sets it, the first to define a context, cluster or user
     * of a name defines it, and a relative path is relative to the file it is written in.
     */
    private Place fromKubeconfigs(List<Path> files) {
        Kubeconfigs merged = new Kubeconfigs(files.size() == 1 ? "kubeconfig " + files.get(0)
                : "$KUBECONFIG (" + String.join(java.io.File.pathSeparator, files.stream().map(Path::toString).toList()) + ")");
        for (Path file : files) merged.add(file);
        String name = first(settings.option(KubeContext.CONTEXT), merged.currentContext);
        if (name == null) throw new IllegalStateException(merged.source + " has no current-context: pass --context");
        Kubeconfigs.Entry context = merged.named("contexts", name, "context");
        String source = merged.source;
        Kubeconfigs.Entry cluster = merged.named("clusters", text(context.value().get("cluster"), "context " + name + ": cluster", source), "cluster");
        Kubeconfigs.Entry user = context.value().get("user") == null ? null
                : merged.named("users", text(context.value().get("user"), "context " + name + ": user", source), "user");
        String server = text(cluster.value().get("server"), "cluster " + context.value().get("cluster") + ": server", source);
        if (server == null) throw new IllegalStateException(merged.source + ": cluster " + context.value().get("cluster") + " has no server");
        String namespace = first(settings.option(KubeContext.NAMESPACE), text(context.value().get("namespace"), "context " + name + ": namespace", source),
                "default");
        Map<String, Object> ownCluster = absolute(cluster.value(), cluster.dir(), "certificate-authority");
        Map<String, Object> ownUser = user == null ? Map.of() : absolute(user.value(), user.dir(), "client-certificate", "client-key", "tokenFile");
        if (user != null && ownUser.get("exec") instanceof Map<?, ?> exec && exec.get("command") instanceof String command
                && command.contains("/")) {
            // As kubectl: a credential plugin named by a path is found from the kubeconfig that names it.
            Map<String, Object> ownExec = new LinkedHashMap<>();
            exec.forEach((k, v) -> ownExec.put(String.valueOf(k), v));
            ownExec.put("command", user.dir().resolve(command).toString());
            ownUser.put("exec", ownExec);
        }
        return new Place(name, server, namespace, merged.source, write(name, ownCluster, ownUser, namespace));
    }

    /** Kubeconfig files read in order, each name kept from the first file that defines it. */
    private static final class Kubeconfigs {
        /** A context, cluster or user, and the folder of the file it was read from. */
        record Entry(Map<String, Object> value, Path dir) {}

        final String source;
        String currentContext;
        private final Map<String, Map<String, Entry>> lists = new LinkedHashMap<>();

        Kubeconfigs(String source) {
            this.source = source;
        }

        @SuppressWarnings("unchecked")
        void add(Path file) {
            Value read;
            try {
                read = YamlReader.read(file);
            } catch (LockstepException e) {
                throw new IllegalStateException("kubeconfig " + e.getMessage(), e);
            }
            // An empty file is an empty configuration, as kubectl reads it.
            if (read == null || read.plain() == null) return;
            if (!(read instanceof Value.Mapping)) throw new IllegalStateException("kubeconfig " + file + " holds no configuration");
            Map<String, Object> config = (Map<String, Object>) read.plain();
            if (currentContext == null) currentContext = first(text(config.get("current-context"), "current-context", "kubeconfig " + file));
            Path dir = file.toAbsolutePath().getParent();
            for (String[] kind : new String[][] {{"contexts", "context"}, {"clusters", "cluster"}, {"users", "user"}}) {
                Map<String, Entry> named = lists.computeIfAbsent(kind[0], k -> new LinkedHashMap<>());
                if (!(config.get(kind[0]) instanceof List<?> items)) continue;
                for (Object item : items) {
                    if (item instanceof Map<?, ?> m && m.get("name") != null && m.get(kind[1]) instanceof Map<?, ?> value) {
                        named.putIfAbsent(String.valueOf(m.get("name")), new Entry((Map<String, Object>) value, dir));
                    }
                }
            }
        }

        Entry named(String list, String name, String field) {
            Map<String, Entry> named = lists.getOrDefault(list, Map.of());
            Entry found = name == null ? null : named.get(name);
            if (found != null) return found;
            throw new IllegalStateException(source + " has no " + field + " named " + name
                    + (named.isEmpty() ? "" : " (it has " + String.join(", ", named.keySet()) + ")"));
        }
    }

    private Place inCluster(Map<String, String> env, Path sa) {
        String host = env.get("KUBERNETES_SERVICE_HOST");
        String port = first(env.get("KUBERNETES_SERVICE_PORT"), "443");
        String server = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        String namespace = settings.option(KubeContext.NAMESPACE);
        if (namespace == null) {
            try {
                namespace = Files.readString(sa.resolve("namespace")).strip();
            } catch (IOException e) {
                namespace = "default";
            }
        }
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put("server", server);
        cluster.put("certificate-authority", sa.resolve("ca.crt").toString());
        Map<String, Object> user = Map.of("tokenFile", sa.resolve("token").toString());
        return new Place("in-cluster", server, namespace, "the pod's service account", write("in-cluster", cluster, user, namespace));
    }

    /** Writes the place as a kubeconfig of its own (JSON is YAML), readable only by this user. */
    private static Path write(String context, Map<String, Object> cluster, Map<String, Object> user, String namespace) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("apiVersion", "v1");
        out.put("kind", "Config");
        out.put("clusters", List.of(Map.of("name", context, "cluster", cluster)));
        out.put("users", List.of(Map.of("name", context, "user", user)));
        out.put("contexts", List.of(Map.of("name", context, "context",
                Map.of("cluster", context, "user", context, "namespace", namespace))));
        out.put("current-context", context);
        try {
            Path dir = Files.createTempDirectory("lockstep-kube-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path file = Files.createFile(dir.resolve("kubeconfig"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, Json.write(out));
            dir.toFile().deleteOnExit();
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the kubeconfig for shell steps: " + e.getMessage(), e);
        }
    }

    /** A copy whose file paths no longer depend on where the kubeconfig was. */
    private static Map<String, Object> absolute(Map<String, Object> entry, Path dir, String... keys) {
        Map<String, Object> out = new LinkedHashMap<>(entry);
        for (String k : keys) {
            if (out.get(k) instanceof String p && !p.isBlank()) out.put(k, dir.resolve(p).toString());
        }
        return out;
    }

    /** A kubeconfig field that must be text, or null when absent; anything else is named as the mistake it is. */
    private static String text(Object value, String what, String where) {
        if (value == null || value instanceof String) return (String) value;
        throw new IllegalStateException(where + ": " + what + ": expected a name, got " + value);
    }

    private static String first(String... values) {
        for (String v : values) if (v != null && !v.isBlank()) return v;
        return null;
    }
}
