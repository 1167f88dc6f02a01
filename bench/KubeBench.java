import dev.lockstep.KubeCluster;
import dev.lockstep.spi.Check;
import dev.lockstep.spi.Settings;
import dev.lockstep.spi.StepContext;
import dev.lockstep.spi.StepResult;
import dev.lockstep.spi.Value;
import dev.lockstep.steps.kube.KubeContext;
import dev.lockstep.steps.kube.KubeJobStep;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * On the test cluster (a real kube-apiserver, controller-manager and scheduler, kwok's node):
 * (1) Job created → Complete observed, for k8s.job against {@code kubectl wait --for=condition=complete};
 * (2) a log line written → seen, for k8s.job's step listener against {@code kubectl logs -f}; both on
 * the same cluster in the same run. Pods run nothing (kwok), so (1) is the control plane's and the
 * watcher's latency, not a migration's.
 *
 * Run: java -cp "target/lockstep.jar:target/lib/*:target/test-classes" bench/KubeBench.java [ROUNDS]
 */
public class KubeBench {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        String ns = KubeCluster.newNamespace("bench");
        Path kubeconfig = KubeCluster.kubeconfig();
        Settings settings = new Settings(Map.of("HOME", System.getProperty("user.home")),
                Map.of(KubeContext.KUBECONFIG, kubeconfig.toString(), KubeContext.NAMESPACE, ns));
        Path logs = KubeCluster.serveLogs(ns, "starting\n");
        KubeJobStep step = new KubeJobStep();

        List<Double> ours = new ArrayList<>();
        List<Double> kubectl = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            Ctx ctx = new Ctx(settings);
            StepResult r = step.execute(config("lockstep-" + i, false), ctx);
            if (!r.ok()) throw new IllegalStateException(r.summary());
            ours.add(ms(ctx.createdAt, ctx.doneAt));

            Path manifest = Files.writeString(Files.createTempFile("job", ".yaml"), jobYaml("kubectl-" + i, false));
            run(List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "-n", ns, "create", "-f", manifest.toString()));
            long created = System.nanoTime();
            run(List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "-n", ns, "wait", "--for=condition=complete",
                    "--timeout=120s", "job/kubectl-" + i));
            kubectl.add(ms(created, System.nanoTime()));
        }
        print("Job created -> Complete observed", ours, "k8s.job (watch)", kubectl, "kubectl wait (process included)");

        // Log lines: one held pod, followed by k8s.job and by kubectl logs -f at once.
        Ctx ctx = new Ctx(settings);
        CompletableFuture<StepResult> held = CompletableFuture.supplyAsync(() -> {
            try {
                return step.execute(config("follow", true), ctx);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        while (!ctx.seen.containsKey("starting")) Thread.sleep(20);
        String pod;
        try (KubernetesClient k = KubeCluster.client()) {
            pod = k.pods().inNamespace(ns).withLabel("job-name").list().getItems().stream()
                    .filter(p -> p.getMetadata().getName().startsWith("follow-")).findFirst().orElseThrow().getMetadata().getName();
        }
        Process follow = new ProcessBuilder("kubectl", "--kubeconfig", kubeconfig.toString(), "-n", ns, "logs", "-f", pod)
                .redirectErrorStream(true).start();
        Map<String, Long> kubectlSeen = new ConcurrentHashMap<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) kubectlSeen.put(line, System.nanoTime());
            } catch (Exception e) {
                // the process was stopped
            }
        });
        reader.setDaemon(true);
        reader.start();
        while (!kubectlSeen.containsKey("starting")) Thread.sleep(20);
        List<Double> ourLines = new ArrayList<>();
        List<Double> kubectlLines = new ArrayList<>();
        for (int i = 0; i < rounds * 5; i++) {
            String line = "line " + i;
            long written = System.nanoTime();
            KubeCluster.appendLogs(logs, line + "\n");
            while (!ctx.seen.containsKey(line) || !kubectlSeen.containsKey(line)) Thread.sleep(1);
            ourLines.add(ms(written, ctx.seen.get(line)));
            kubectlLines.add(ms(written, kubectlSeen.get(line)));
        }
        follow.destroy();
        try (KubernetesClient k = KubeCluster.client()) {
            k.pods().inNamespace(ns).withName(pod).edit(p -> new PodBuilder(p).editMetadata().removeFromLabels(KubeCluster.HOLD_LABEL).endMetadata().build());
        }
        held.get(2, TimeUnit.MINUTES);
        print("log line written -> seen", ourLines, "k8s.job step listener", kubectlLines, "kubectl logs -f");
        System.exit(0);
    }

    static KubeJobStep.Config config(String name, boolean hold) {
        Value job = parse(jobYaml(name, hold));
        return new KubeJobStep.Config(null, job, null, Duration.ofMinutes(1), Duration.ofSeconds(2), null, null, null, null, null);
    }

    static String jobYaml(String name, boolean hold) {
        return "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: " + name + "\nspec:\n  backoffLimit: 0\n  template:\n"
                + (hold ? "    metadata:\n      labels: { " + KubeCluster.HOLD_LABEL + ": \"true\" }\n" : "")
                + "    spec:\n      restartPolicy: Never\n      containers:\n        - { name: migrate, image: registry.example/app:1.0 }\n";
    }

    static Value parse(String yaml) {
        return dev.lockstep.spi.YamlReader.parse(yaml, "bench", new dev.lockstep.spi.Problems());
    }

    static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
    }

    static double ms(long from, long to) {
        return (to - from) / 1e6;
    }

    static void print(String what, List<Double> a, String aName, List<Double> b, String bName) {
        System.out.printf("%s (%d rounds)%n", what, a.size());
        System.out.printf("  %-32s median %7.1f ms  p90 %7.1f ms%n", aName, pct(a, 50), pct(a, 90));
        System.out.printf("  %-32s median %7.1f ms  p90 %7.1f ms%n", bName, pct(b, 50), pct(b, 90));
    }

    static double pct(List<Double> xs, int p) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }

    /** The step's context: records when the Job was created, when the step returned, and when each line arrived. */
    static final class Ctx implements StepContext {
        final Settings settings;
        final Map<String, String> ids = new ConcurrentHashMap<>();
        final Map<String, Long> seen = new ConcurrentHashMap<>();
        volatile long createdAt;
        volatile long doneAt;

        Ctx(Settings settings) {
            this.settings = settings;
        }

        public String stepId() { return "bench"; }
        public Path workDir() { return Path.of("."); }
        public Settings settings() { return settings; }
        public Map<String, String> env() { return new ConcurrentHashMap<>(); }
        public Object resolve(String template) { return template; }

        public void line(String text) {
            long now = System.nanoTime();
            if (text.startsWith("created job ")) createdAt = now;
            if (text.endsWith(" Complete")) doneAt = now;
            seen.putIfAbsent(text, now);
        }

        /** The job's own status ("created job X", "job X Complete") arrives as notes. */
        public void note(String text) {
            line(text);
        }

        public void recordExternalId(String key, String value) { ids.put(key, value); }
        public Map<String, String> externalIds() { return ids; }
        public CheckOutcome evaluate(Check check) { throw new UnsupportedOperationException(); }
        public boolean askOperator(String instructions) { return false; }
    }
}
