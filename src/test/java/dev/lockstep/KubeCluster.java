package dev.lockstep;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A real Kubernetes control plane for the tests: etcd, kube-apiserver (RBAC on),
 * kube-controller-manager and kube-scheduler, with kwok playing one node, so Jobs really run,
 * complete, fail and log, without containers. The binaries are built from the Go module proxy
 * by src/test/kube/build-cluster.sh on first use (~10-15 minutes, then cached). One cluster per
 * test JVM, started on first use on free loopback ports, with a throw-away PKI and tokens, and
 * stopped when the JVM exits. If it cannot be started the tests fail with the reason and the
 * end of the failing component's log.
 *
 * <p>What pods do (kwok's stock stages plus src/test/kube/lockstep-stages.yaml):
 * <ul>
 * <li>Any pod: scheduled onto the node by the real scheduler, then Running at once; no image
 *     is pulled, nothing runs. A Job's pod then Succeeds at once (exit code 0).</li>
 * <li>{@link #FAIL_LABEL}=true and {@link #EXIT_CODE_ANNOTATION}="3": the pod fails with
 *     exit code 3 after ~1-2 s (reason {@link #FAIL_REASON_ANNOTATION}, else "containerFailed");
 *     a Job with backoffLimit 0 then becomes Failed (BackoffLimitExceeded).</li>
 * <li>{@link #HOLD_LABEL}=true: the pod stays Running until the label is removed from it.</li>
 * <li>{@link #IMAGE_PULL_BACKOFF_LABEL}=true: the pod stays Pending in ImagePullBackOff with a
 *     Warning event "Failed" naming the image.</li>
 * <li>{@link #WAITING_LABEL}=true: the pod stays Pending, its containers waiting for the reason in the annotation
 *     {@link #WAITING_LABEL}/reason (ErrImagePull, CreateContainerConfigError) with .../message, and a Warning
 *     event "Failed" saying .../event.</li>
 * <li>A nodeSelector no node matches: the pod stays Pending, unschedulable, with the
 *     scheduler's FailedScheduling event.</li>
 * </ul>
 * Logs are whatever a test gives {@link #serveLogs} or {@link #servePodLogs}.
 */
public final class KubeCluster {
    public static final String KUBE_VERSION = "v1.36.3";
    /** Static-token users: admin is in system:masters; viewer is bound to the built-in "view" role; limited has no binding. */
    public static final String ADMIN = "admin", VIEWER = "viewer", LIMITED = "limited";
    public static final String NODE = "kwok-node";
    /** kwok's stock failure stage: a Running pod with this label = "true" fails. */
    public static final String FAIL_LABEL = "pod-container-running-failed.stage.kwok.x-k8s.io";
    /** The exit code the failure stage gives the container (default 1). */
    public static final String EXIT_CODE_ANNOTATION = FAIL_LABEL + "/exit-code";
    /** The terminated container's reason; a kubelet says "Error" for a non-zero exit. */
    public static final String FAIL_REASON_ANNOTATION = FAIL_LABEL + "/reason";
    public static final String HOLD_LABEL = "pod-hold.stage.lockstep.dev";
    public static final String IMAGE_PULL_BACKOFF_LABEL = "pod-image-pull-backoff.stage.lockstep.dev";
    public static final String WAITING_LABEL = "pod-waiting.stage.lockstep.dev";

    private static final Duration START_LIMIT = Duration.ofMinutes(2);
    private static final Path SCRIPTS = Path.of("src/test/kube");
    /** Stock stages copied from kwok's source by the build script, relative to kwok/stage. */
    private static final List<String> STOCK_STAGES = List.of(
            "node/fast/node-initialize.yaml", "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
            "pod/fast/pod-ready.yaml", "pod/fast/pod-complete.yaml", "pod/fast/pod-delete.yaml",
            "pod/chaos/pod-container-running-failed.yaml");

    private static final SecureRandom RANDOM = new SecureRandom();
    private static KubeCluster cluster;
    private static AssertionError startFailure;

    private final Path dir;
    private final List<Component> components = new ArrayList<>();
    private final Map<String, String> tokens = new LinkedHashMap<>();
    private String server;
    private Path kubeconfig;

    private KubeCluster(Path dir) {
        this.dir = dir;
    }

    /** The admin kubeconfig: context "lockstep-test", namespace "default". */
    public static Path kubeconfig() {
        return started().kubeconfig;
    }

    /** Writes a new kubeconfig whose only context, named {@code context}, is {@code user} in {@code namespace}. */
    public static Path kubeconfig(String user, String context, String namespace) {
        KubeCluster c = started();
        try {
            Path file = Files.createTempFile(c.dir, "kubeconfig-" + user + "-", ".yaml");
            return Files.writeString(file, c.kubeconfigYaml(user, context, namespace));
        } catch (IOException e) {
            throw new AssertionError("could not write a kubeconfig: " + e, e);
        }
    }

    /** The API server's URL, https://127.0.0.1:PORT. */
    public static String server() {
        return started().server;
    }

    /** The admin's bearer token. */
    public static String token() {
        return token(ADMIN);
    }

    public static String token(String user) {
        String token = started().tokens.get(user);
        if (token == null) throw new IllegalArgumentException("no such user: " + user + "; there are " + started().tokens.keySet());
        return token;
    }

    /** The CA that signed the API server's certificate (PEM). */
    public static Path caCert() {
        return started().dir.resolve("pki/ca.crt");
    }

    /** A new client as the admin; close it. */
    public static KubernetesClient client() {
        return client(ADMIN);
    }

    /** A new client as {@code user}, namespace "default"; close it. */
    public static KubernetesClient client(String user) {
        token(user);
        return started().newClient(user);
    }

    private KubernetesClient newClient(String user) {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfigYaml(user, "lockstep-test", "default"))).build();
    }

    /**
     * Creates a namespace named {@code prefix} plus a random suffix and waits for its default
     * service account, without which no pod can be created in it.
     */
    public static String newNamespace(String prefix) {
        String name = prefix + "-" + HexFormat.of().formatHex(random(3));
        try (KubernetesClient client = client()) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
            client.serviceAccounts().inNamespace(name).withName("default").waitUntilCondition(sa -> sa != null, 2, TimeUnit.MINUTES);
        }
        return name;
    }

    /**
     * Makes kwok serve {@code text} as the logs of every container of every pod in
     * {@code namespace}, through the real pods/log API. Call it before the logs are read
     * (before the pod is created is safest: kwok learns of it through a watch). Returns the
     * file the logs are read from, for {@link #appendLogs}.
     */
    public static Path serveLogs(String namespace, String text) {
        return started().logs(namespace, null, text);
    }

    /** Like {@link #serveLogs}, each container with its own text, by container name. */
    public static void serveContainerLogs(String namespace, Map<String, String> byContainer) {
        started().containerLogs(namespace, byContainer);
    }

    /** Like {@link #serveLogs} for the pod named {@code pod} only; it wins over the namespace's. */
    public static Path servePodLogs(String namespace, String pod, String text) {
        return started().logs(namespace, pod, text);
    }

    /**
     * Appends lines to served logs: a follower (follow=true) sees them. kwok treats every
     * container as still running, so a followed stream never ends by itself.
     */
    public static void appendLogs(Path logFile, String text) {
        try {
            Files.writeString(logFile, criLines(text), StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new AssertionError("could not append to " + logFile + ": " + e, e);
        }
    }

    /** A Logs object (named after the pod) or, for every pod in the namespace, a ClusterLogs one. */
    private Path logs(String namespace, String pod, String text) {
        String name = pod != null ? pod : "logs-" + namespace;
        Path file = logFile(namespace + "_" + name, text);
        applyLogs(namespace, pod, name, List.of(Map.of("logsFile", file.toString())));
        return file;
    }

    private void containerLogs(String namespace, Map<String, String> byContainer) {
        List<Map<String, Object>> logs = new ArrayList<>();
        byContainer.forEach((container, text) -> logs.add(Map.of("containers", List.of(container),
                "logsFile", logFile(namespace + "_" + container, text).toString())));
        applyLogs(namespace, null, "logs-" + namespace, logs);
    }

    private Path logFile(String name, String text) {
        Path file = dir.resolve("logs").resolve(name + ".log");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, criLines(text));
        } catch (IOException e) {
            throw new AssertionError("could not write logs for kwok: " + e, e);
        }
        return file;
    }

    private void applyLogs(String namespace, String pod, String name, List<? extends Map<String, Object>> logList) {
        Map<String, Object> spec = new LinkedHashMap<>();
        if (pod == null) spec.put("selector", Map.of("matchNamespaces", List.of(namespace)));
        spec.put("logs", logList);
        GenericKubernetesResource logs = new GenericKubernetesResourceBuilder()
                .withApiVersion("kwok.x-k8s.io/v1alpha1").withKind(pod != null ? "Logs" : "ClusterLogs")
                .withNewMetadata().withName(name).withNamespace(pod != null ? namespace : null).endMetadata()
                .addToAdditionalProperties("spec", spec).build();
        try (KubernetesClient client = newClient(ADMIN)) {
            client.resource(logs).forceConflicts().serverSideApply();
        }
    }

    /** CRI log format, what a kubelet reads: "TIME stdout F TEXT" per line. */
    private static String criLines(String text) {
        if (text.isEmpty()) return "";
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        StringBuilder out = new StringBuilder();
        String now = Instant.now().toString();
        for (String line : body.split("\n", -1)) out.append(now).append(" stdout F ").append(line).append('\n');
        return out.toString();
    }

    private static synchronized KubeCluster started() {
        if (cluster != null) return cluster;
        // One attempt per JVM: the next tests fail at once with the same reason.
        if (startFailure != null) throw startFailure;
        KubeCluster c = null;
        try {
            Path bin = binaries();
            long begin = System.nanoTime();
            c = new KubeCluster(Files.createTempDirectory("lockstep-kube"));
            Runtime.getRuntime().addShutdownHook(new Thread(c::stop));
            c.start(bin);
            System.err.printf("Kubernetes test cluster %s up in %.1f s at %s%n", KUBE_VERSION, (System.nanoTime() - begin) / 1e9, c.server);
            return cluster = c;
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            if (c != null) c.stop();
            startFailure = e instanceof AssertionError a ? a : new AssertionError("the Kubernetes test cluster could not be started: " + e, e);
            throw startFailure;
        }
    }

    /** The cached binaries, built first if missing (the stamp is the build's last write). */
    private static Path binaries() throws IOException, InterruptedException {
        String cache = System.getenv("XDG_CACHE_HOME");
        Path bin = (cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("lockstep").resolve("kube-" + KUBE_VERSION).resolve("bin");
        if (Files.exists(bin.resolve(".built"))) return bin;
        Process build = new ProcessBuilder("bash", SCRIPTS.resolve("build-cluster.sh").toString()).redirectErrorStream(true).start();
        ArrayDeque<String> tail = new ArrayDeque<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(build.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (!line.startsWith("go: downloading")) System.err.println(line);
                if (tail.size() == 40) tail.removeFirst();
                tail.addLast(line);
            }
        }
        if (build.waitFor() != 0 || !Files.exists(bin.resolve(".built")))
            throw new AssertionError("building the Kubernetes binaries failed (" + SCRIPTS.resolve("build-cluster.sh") + "):\n" + String.join("\n", tail));
        return bin;
    }

    private void start(Path bin) throws IOException, InterruptedException {
        Path kwokFiles = bin.resolveSibling("kwok");
        Path pki = makePki();
        for (String user : List.of(ADMIN, VIEWER, LIMITED))
            tokens.put(user, HexFormat.of().formatHex(random(16)));
        Files.writeString(pki.resolve("tokens.csv"),
                tokens.get(ADMIN) + ",admin,admin,\"system:masters\"\n"
                        + tokens.get(VIEWER) + ",viewer,viewer\n"
                        + tokens.get(LIMITED) + ",limited,limited\n");
        watchdog();

        int etcdPort = freePort(), etcdPeerPort = freePort(), apiPort = freePort();
        String etcdUrl = "http://127.0.0.1:" + etcdPort, peerUrl = "http://127.0.0.1:" + etcdPeerPort;
        Component etcd = launch("etcd", null, bin.resolve("etcd").toString(),
                "--name=default", "--data-dir=" + dir.resolve("etcd"), "--unsafe-no-fsync", "--log-level=warn",
                "--listen-client-urls=" + etcdUrl, "--advertise-client-urls=" + etcdUrl,
                "--listen-peer-urls=" + peerUrl, "--initial-advertise-peer-urls=" + peerUrl,
                "--initial-cluster=default=" + peerUrl);
        HttpClient http = HttpClient.newBuilder().sslContext(trusting(pki.resolve("ca.crt")))
                .connectTimeout(Duration.ofSeconds(2)).build();
        await("etcd to answer on " + etcdUrl, etcd, () -> ok(http, etcdUrl + "/health", null));

        server = "https://127.0.0.1:" + apiPort;
        Component apiserver = launch("kube-apiserver", null, bin.resolve("kube-apiserver").toString(),
                "--etcd-servers=" + etcdUrl, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
                "--secure-port=" + apiPort,
                "--tls-cert-file=" + pki.resolve("server.crt"), "--tls-private-key-file=" + pki.resolve("server.key"),
                "--client-ca-file=" + pki.resolve("ca.crt"), "--token-auth-file=" + pki.resolve("tokens.csv"),
                "--authorization-mode=RBAC",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--service-account-key-file=" + pki.resolve("sa.pub"),
                "--service-account-signing-key-file=" + pki.resolve("sa.key"),
                "--service-cluster-ip-range=10.0.0.0/24",
                "--kubelet-client-certificate=" + pki.resolve("kubelet-client.crt"),
                "--kubelet-client-key=" + pki.resolve("kubelet-client.key"),
                "--kubelet-certificate-authority=" + pki.resolve("ca.crt"),
                "--kubelet-preferred-address-types=InternalIP",
                "--endpoint-reconciler-type=none", "--enable-priority-and-fairness=false", "--profiling=false");
        await("kube-apiserver to be ready on " + server, apiserver,
                () -> ok(http, server + "/readyz", tokens.get(ADMIN)));

        kubeconfig = Files.writeString(dir.resolve("kubeconfig.yaml"), kubeconfigYaml(ADMIN, "lockstep-test", "default"));
        String kc = kubeconfig.toString();
        Component controllerManager = launch("kube-controller-manager", null, bin.resolve("kube-controller-manager").toString(),
                "--kubeconfig=" + kc, "--authentication-kubeconfig=" + kc, "--authorization-kubeconfig=" + kc,
                "--bind-address=127.0.0.1", "--secure-port=" + freePort(), "--controllers=*", "--leader-elect=false",
                "--use-service-account-credentials=false",
                "--service-account-private-key-file=" + pki.resolve("sa.key"), "--root-ca-file=" + pki.resolve("ca.crt"));
        launch("kube-scheduler", null, bin.resolve("kube-scheduler").toString(),
                "--kubeconfig=" + kc, "--authentication-kubeconfig=" + kc, "--authorization-kubeconfig=" + kc,
                "--bind-address=127.0.0.1", "--secure-port=" + freePort(), "--leader-elect=false");

        try (KubernetesClient client = newClient(ADMIN)) {
            // Only the kinds enabled in kwok's config: kwok watches those and no others.
            for (String crd : List.of("logs", "clusterlogs"))
                client.resource(Files.readString(kwokFiles.resolve("crd/kwok.x-k8s.io_" + crd + ".yaml"))).forceConflicts().serverSideApply();
            for (String crd : List.of("logs.kwok.x-k8s.io", "clusterlogs.kwok.x-k8s.io"))
                client.apiextensions().v1().customResourceDefinitions().withName(crd).waitUntilCondition(d -> d != null
                        && d.getStatus() != null && d.getStatus().getConditions().stream()
                        .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True")), 1, TimeUnit.MINUTES);
            client.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder()
                    .withNewMetadata().withName("lockstep-test-viewer").endMetadata()
                    .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "view")
                    .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName(VIEWER).endSubject()
                    .build()).create();

            Component kwok = launch("kwok", Map.of("HOME", dir.toString()), bin.resolve("kwok").toString(),
                    "--kubeconfig=" + kc, "--config=" + writeKwokConfig(kwokFiles, pki, freePort()));
            client.nodes().resource(new NodeBuilder().withNewMetadata().withName(NODE)
                    .addToAnnotations("kwok.x-k8s.io/node", "fake")
                    .addToLabels("kubernetes.io/hostname", NODE).addToLabels("kubernetes.io/os", "linux")
                    .addToLabels("kubernetes.io/arch", "amd64").addToLabels("type", "kwok")
                    .endMetadata().build()).create();
            await("node " + NODE + " to become Ready (kwok)", kwok, () -> ready(client.nodes().withName(NODE).get()));
            await("the default service account (kube-controller-manager)", controllerManager,
                    () -> client.serviceAccounts().inNamespace("default").withName("default").get() != null);
        }
    }

    private static boolean ready(Node node) {
        return node != null && node.getStatus() != null && node.getStatus().getConditions() != null
                && node.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    /** kwok's config: every option it needs is set here rather than left to its defaults. */
    private Path writeKwokConfig(Path kwokFiles, Path pki, int kubeletPort) throws IOException {
        StringBuilder config = new StringBuilder("""
                apiVersion: config.kwok.x-k8s.io/v1alpha1
                kind: KwokConfiguration
                options:
                  manageNodesWithAnnotationSelector: kwok.x-k8s.io/node=fake
                  nodeIP: 127.0.0.1
                  cidr: 10.244.0.0/16
                  nodeLeaseDurationSeconds: 40
                  enableDebuggingHandlers: true
                  enableCRDs: [Logs, ClusterLogs]
                  podPlayStageParallelism: 4
                  nodePlayStageParallelism: 4
                  nodeLeaseParallelism: 4
                  podsOnNodeSyncParallelism: 1
                """);
        // The apiserver reaches kwok's kubelet API (pods/log) at the node's InternalIP and this port.
        config.append("  nodePort: ").append(kubeletPort).append('\n')
                .append("  serverAddress: 127.0.0.1:").append(kubeletPort).append('\n')
                .append("  tlsCertFile: ").append(pki.resolve("server.crt")).append('\n')
                .append("  tlsPrivateKeyFile: ").append(pki.resolve("server.key")).append('\n');
        for (String stage : STOCK_STAGES) config.append("---\n").append(Files.readString(kwokFiles.resolve("stage").resolve(stage)));
        config.append("---\n").append(Files.readString(SCRIPTS.resolve("lockstep-stages.yaml")));
        return Files.writeString(dir.resolve("kwok.yaml"), config.toString());
    }

    private Path makePki() throws IOException, InterruptedException {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        // EC P-256 for the TLS keys: four RSA keys took ~3 s on a loaded 2-core machine.
        openssl(pki, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca.key", "-out", "ca.crt", "-days", "7", "-subj", "/CN=lockstep-test-ca");
        // The apiserver's serving certificate, which kwok's kubelet API serves too.
        leaf(pki, "server", "/CN=kube-apiserver", "serverAuth",
                "subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,"
                        + "DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local");
        leaf(pki, "kubelet-client", "/O=system:masters/CN=kube-apiserver-kubelet-client", "clientAuth", null);
        // Service-account tokens are signed RS256, as on real clusters.
        openssl(pki, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "sa.key");
        openssl(pki, "pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub");
        return pki;
    }

    private static void leaf(Path pki, String name, String subject, String usage, String subjectAltName)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("req", "-x509", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".crt", "-days", "7",
                "-subj", subject, "-addext", "basicConstraints=critical,CA:FALSE",
                "-addext", "keyUsage=critical,digitalSignature", "-addext", "extendedKeyUsage=" + usage));
        if (subjectAltName != null) args.addAll(List.of("-addext", subjectAltName));
        openssl(pki, args.toArray(String[]::new));
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new AssertionError(String.join(" ", cmd) + " failed:\n" + out);
    }

    private String kubeconfigYaml(String user, String context, String namespace) {
        String ca;
        try {
            ca = Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve("pki/ca.crt")));
        } catch (IOException e) {
            throw new AssertionError("could not read the cluster's CA: " + e, e);
        }
        return "apiVersion: v1\nkind: Config\n"
                + "clusters:\n- name: lockstep-test\n  cluster:\n    server: " + server + "\n    certificate-authority-data: " + ca + "\n"
                + "users:\n- name: " + user + "\n  user:\n    token: " + tokens.get(user) + "\n"
                + "contexts:\n- name: " + context + "\n  context:\n    cluster: lockstep-test\n    user: " + user
                + "\n    namespace: " + namespace + "\n"
                + "current-context: " + context + "\n";
    }

    private record Component(String name, Process process, Path log) {
        String tail() {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
            } catch (IOException e) {
                return "(its log " + log + " could not be read: " + e + ")";
            }
        }
    }

    private Component launch(String name, Map<String, String> env, String... cmd) throws IOException {
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        if (env != null) pb.environment().putAll(env);
        Component c = new Component(name, pb.start(), log);
        synchronized (components) {
            components.add(c);
        }
        Files.writeString(dir.resolve("pids"), c.process().pid() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return c;
    }

    /**
     * Waits for {@code condition}; fails with the log of the component that died, or of
     * {@code blamed} when the deadline passes.
     */
    private void await(String what, Component blamed, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + START_LIMIT.toNanos();
        while (true) {
            for (Component c : components)
                if (!c.process().isAlive())
                    throw new AssertionError(c.name() + " exited with code " + c.process().exitValue() + " while waiting for "
                            + what + "; the end of its log (" + c.log() + "):\n" + c.tail());
            boolean holds;
            try {
                holds = condition.getAsBoolean();
            } catch (RuntimeException e) {
                holds = false;
            }
            if (holds) return;
            if (System.nanoTime() > deadline)
                throw new AssertionError("timed out after " + START_LIMIT.toSeconds() + " s waiting for " + what
                        + "; the end of the " + blamed.name() + " log (" + blamed.log() + "):\n" + blamed.tail());
            Thread.sleep(100);
        }
    }

    private static boolean ok(HttpClient http, String url, String token) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
            if (token != null) request.header("Authorization", "Bearer " + token);
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static SSLContext trusting(Path caCert) throws IOException {
        try (InputStream in = Files.newInputStream(caCert)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("cannot trust " + caCert + ": " + e, e);
        }
    }

    private static byte[] random(int bytes) {
        byte[] out = new byte[bytes];
        RANDOM.nextBytes(out);
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Kills the components if this JVM dies without running its shutdown hooks (SIGKILL,
     * a crash), so that no etcd or apiserver outlives the test run.
     */
    private void watchdog() throws IOException {
        Path pids = dir.resolve("pids");
        Files.writeString(pids, "");
        new ProcessBuilder("sh", "-c", "while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null; do sleep 2; done; "
                + "kill -9 $(cat '" + pids + "') 2>/dev/null; rm -rf '" + dir + "'")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private void stop() {
        List<Component> running;
        synchronized (components) {
            running = new ArrayList<>(components);
        }
        for (Component c : running) c.process().destroyForcibly();
        for (Component c : running) {
            try {
                c.process().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind is harmless.
        }
    }
}
