package dev.lockstep.steps.kube;

import dev.lockstep.spi.ContextKind;
import dev.lockstep.spi.ContextOption;
import dev.lockstep.spi.ContextTarget;
import dev.lockstep.spi.ErrorCode;
import dev.lockstep.spi.Key;
import dev.lockstep.spi.LockstepException;
import dev.lockstep.spi.Settings;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code context.kubernetes}: the cluster (kubeconfig context and/or API server) and namespace
 * a runbook may act on. Its options are kubectl's ({@code --kubeconfig}, {@code --context},
 * {@code --namespace}); its target names the place in the header, refuses a kubeconfig that
 * points elsewhere before anything is recorded, and hands shell steps a kubeconfig for that
 * same place, so {@code kubectl} and {@code helm} in a script act where the Kubernetes steps do.
 *
 * <pre>
 * context:
 *   kubernetes: { context: staging, namespace: udab }
 * </pre>
 */
public final class KubeContext implements ContextKind<KubeContext.Config> {
    public static final String KUBECONFIG = "kubernetes.kubeconfig";
    public static final String CONTEXT = "kubernetes.context";
    public static final String NAMESPACE = "kubernetes.namespace";
    public static final String EXPECTED_CONTEXT = "kubernetes.expected.context";
    public static final String EXPECTED_SERVER = "kubernetes.expected.server";
    public static final String EXPECTED_NAMESPACE = "kubernetes.expected.namespace";

    /** A DNS label, as Kubernetes names namespaces. */
    static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    public record Config(
            @Key("the kubeconfig context the runbook may act in (also the one used, unless --context says otherwise)") String context,
            @Key("the API server the context must point at, such as https://10.0.0.1:6443") String server,
            @Key("the namespace the runbook may act in (also the one used, unless --namespace says otherwise)") String namespace) {
        public Config {
            if (context == null && server == null && namespace == null) {
                throw new IllegalArgumentException("name at least one of context, server, namespace");
            }
            if (server != null && !server.matches("https?://[^\\s/]+(/.*)?")) {
                throw new IllegalArgumentException("server: expected https://HOST[:PORT], got '" + server + "'");
            }
            if (namespace != null && !DNS_LABEL.matcher(namespace).matches()) {
                throw new IllegalArgumentException("namespace: expected a Kubernetes namespace name (lower-case letters, digits, -), got '"
                        + namespace + "'");
            }
        }
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public String title() {
        return "Kubernetes";
    }

    @Override
    public Class<Config> configType() {
        return Config.class;
    }

    @Override
    public String example() {
        return """
                context:
                  kubernetes: { context: staging, namespace: udab }
                """;
    }

    @Override
    public List<ContextOption> options() {
        return List.of(
                ContextOption.of("--kubeconfig", KUBECONFIG, "FILE", "kubeconfig file (default: the files of $KUBECONFIG, merged as kubectl merges them, else ~/.kube/config,"
                        + " else the pod's service account)."),
                ContextOption.of("--context", CONTEXT, "NAME", "kubeconfig context (default: the runbook's context.kubernetes.context,"
                        + " else the current context)."),
                new ContextOption("--namespace", NAMESPACE, "NAMESPACE", "Kubernetes namespace (default: the runbook's"
                        + " context.kubernetes.namespace, else the context's).",
                        v -> DNS_LABEL.matcher(v).matches() ? null : "expected a Kubernetes namespace name, got '" + v + "'"));
    }

    @Override
    public Map<String, String> defaults(Config c) {
        Map<String, String> out = new HashMap<>();
        if (c.context() != null) {
            out.put(CONTEXT, c.context());
            out.put(EXPECTED_CONTEXT, c.context());
        }
        if (c.server() != null) out.put(EXPECTED_SERVER, c.server());
        if (c.namespace() != null) {
            out.put(NAMESPACE, c.namespace());
            out.put(EXPECTED_NAMESPACE, c.namespace());
        }
        return out;
    }

    @Override
    public Set<String> values() {
        return Set.of("context", "server", "namespace");
    }

    @Override
    public ContextTarget target(Config config, Settings settings) {
        return new Target(settings);
    }

    /** One cluster and namespace: named from the settings until the kubeconfig has been read and checked. */
    private static final class Target implements ContextTarget {
        private final Settings settings;
        private volatile KubeSession.Place place;

        Target(Settings settings) {
            this.settings = settings;
        }

        @Override
        public String describe() {
            KubeSession.Place p = place;
            if (p != null) return "kubernetes " + p.describe();
            String context = settings.option(CONTEXT);
            String namespace = settings.option(NAMESPACE);
            String server = settings.option(EXPECTED_SERVER);
            return "kubernetes" + (context != null ? " " + context : "") + (server != null ? " " + server : "")
                    + (namespace != null ? " namespace " + namespace : "") + " (not verified)";
        }

        @Override
        public void verify() {
            if (place != null) return;
            try {
                place = KubeSession.of(settings).place();
            } catch (IllegalStateException e) {
                throw new LockstepException(ErrorCode.WRONG_TARGET, e.getMessage());
            }
        }

        @Override
        public boolean verified() {
            return place != null;
        }

        /** Nothing when no cluster can be found: the steps that need one say why. */
        @Override
        public Map<String, String> exports() {
            KubeSession.Place p;
            try {
                p = KubeSession.of(settings).place();
            } catch (IllegalStateException e) {
                return Map.of();
            }
            Map<String, String> out = new LinkedHashMap<>();
            out.put("KUBECONFIG", p.kubeconfig().toString());
            out.put("HELM_KUBECONTEXT", p.context());
            out.put("HELM_NAMESPACE", p.namespace());
            return out;
        }

        @Override
        public Map<String, Object> values() {
            Map<String, Object> out = new HashMap<>();
            KubeSession.Place p = place;
            out.put("context", p != null ? p.context() : settings.option(CONTEXT));
            out.put("server", p != null ? p.server() : settings.option(EXPECTED_SERVER));
            out.put("namespace", p != null ? p.namespace() : settings.option(NAMESPACE));
            return out;
        }
    }
}
