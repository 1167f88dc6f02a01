import dev.lockstep.spi.Check;
import dev.lockstep.spi.Settings;
import dev.lockstep.spi.StepContext;
import dev.lockstep.steps.aws.AwsContext;
import dev.lockstep.steps.aws.LogsTailStep;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Against the AWS emulator (moto's server, as the tests install it; or
 * LOCKSTEP_BENCH_AWS_ENDPOINT): latency from PutLogEvents to the line reaching the
 * step's listeners for logs.tail (200 events); the cost of the first AWS call in a
 * fresh CLI against the same plan without AWS; and what building every AWS client at
 * start-up would add to the first frame (which is why they are built lazily).
 *
 * Run: java -cp "target/lockstep.jar:target/lib/*" bench/AwsBench.java
 */
public class AwsBench {
    static final Map<String, String> CREDENTIALS = Map.of("AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing",
            "AWS_REGION", "us-east-1");

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("clients")) {
            clients(args[1]);
            return;
        }
        String endpoint = System.getenv("LOCKSTEP_BENCH_AWS_ENDPOINT");
        Process moto = null;
        if (endpoint == null) {
            Path server = Path.of(System.getProperty("user.home"), ".cache/lockstep/moto-5.1.18/bin/moto_server");
            if (!Files.isExecutable(server)) throw new IllegalStateException(server + " is missing: run mvn -B verify once (it installs moto)");
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            moto = new ProcessBuilder(server.toString(), "-H", "127.0.0.1", "-p", String.valueOf(port))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            endpoint = "http://127.0.0.1:" + port;
            Thread.sleep(3000);
        }
        try {
            tailLatency(endpoint);
            coldStart(endpoint);
            eagerClients(endpoint);
        } finally {
            if (moto != null) moto.destroy();
        }
    }

    static void tailLatency(String endpoint) throws Exception {
        CloudWatchLogsClient logs = CloudWatchLogsClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        String group = "/bench/" + System.nanoTime();
        logs.createLogGroup(b -> b.logGroupName(group));
        logs.createLogStream(b -> b.logGroupName(group).logStreamName("migrate/1"));
        Map<Integer, Long> sent = new ConcurrentHashMap<>();
        Map<Integer, Long> seen = new ConcurrentHashMap<>();
        List<String> notes = Collections.synchronizedList(new ArrayList<>());
        StepContext ctx = new StepContext() {
            public String stepId() { return "bench"; }
            public Path workDir() { return Path.of("."); }
            public Settings settings() { return new Settings(CREDENTIALS, Map.of(AwsContext.ENDPOINT, endpoint)); }
            public Map<String, String> env() { return Map.of(); }
            public Object resolve(String template) { return template; }
            public void line(String text) {
                long now = System.nanoTime();
                if (text.startsWith("event ")) seen.putIfAbsent(Integer.parseInt(text.substring(6)), now);
                else notes.add(text);
            }
            public void note(String text) {
                notes.add("[lockstep] " + text);
            }
            public void recordExternalId(String key, String value) { }
            public Map<String, String> externalIds() { return Map.of(); }
            public CheckOutcome evaluate(Check check) { throw new UnsupportedOperationException(); }
            public boolean askOperator(String instructions) { return false; }
        };
        LogsTailStep.Config config = new LogsTailStep.Config(group, null, "migrate/", null, "0s", true, Duration.ofSeconds(1));
        Thread tail = new Thread(() -> {
            try {
                new LogsTailStep().execute(config, ctx);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        tail.start();
        Thread.sleep(2000);
        long began = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            int n = i;
            long t = System.currentTimeMillis();
            logs.putLogEvents(b -> b.logGroupName(group).logStreamName("migrate/1")
                    .logEvents(InputLogEvent.builder().timestamp(t).message("event " + n).build()));
            sent.put(n, System.nanoTime());
            Thread.sleep(50);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (seen.size() < 200 && System.nanoTime() < deadline) Thread.sleep(50);
        double seconds = (System.nanoTime() - began) / 1e9;
        tail.interrupt();
        tail.join();
        List<Double> ms = new ArrayList<>();
        sent.forEach((n, t) -> {
            if (seen.containsKey(n)) ms.add((seen.get(n) - t) / 1e6);
        });
        Collections.sort(ms);
        System.out.println("== logs.tail: PutLogEvents to the step's listeners, 200 events at 20/s");
        notes.forEach(n -> System.out.println("   " + n));
        System.out.printf("received %d of 200, none twice; latency median %.0f ms, p95 %.0f ms%n", ms.size(),
                ms.get(ms.size() / 2), ms.get((int) (ms.size() * 0.95)));
        System.out.printf("FilterLogEvents: one call per second per tail (plus pages), over %.0f s: 1 req/s against the 5 req/s quota%n%n", seconds);
    }

    static void coldStart(String endpoint) throws Exception {
        Path dir = Files.createTempDirectory("aws-bench");
        Path aws = dir.resolve("aws.yaml");
        Path local = dir.resolve("local.yaml");
        String stack = "bench" + System.nanoTime();
        CloudFormationClient cf = CloudFormationClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        cf.createStack(b -> b.stackName(stack).templateBody("Resources:\n  L:\n    Type: AWS::Logs::LogGroup\n"));
        Files.writeString(aws, "lockstep: 1\nname: b\nsteps:\n  - id: s\n    run: \"true\"\n    check:\n      - uses: cloudformation.status\n"
                + "        with: { stack: " + stack + " }\n");
        Files.writeString(local, "lockstep: 1\nname: b\nsteps:\n  - id: s\n    run: \"true\"\n    check:\n      - run: \"true\"\n"
                + "        readOnly: true\n");
        double withAws = median(() -> time(List.of("dist/lockstep", "plan", aws.toString(), "--endpoint-url", endpoint)));
        double without = median(() -> time(List.of("dist/lockstep", "plan", local.toString())));
        System.out.println("== first AWS call from a cold start (dist/lockstep plan, median of 5)");
        System.out.printf("plan with a shell check %.0f ms; with a cloudformation.status check %.0f ms: the first AWS call "
                + "(clients, STS identity, the call) costs %.0f ms%n%n", without, withAws, withAws - without);
    }

    static void eagerClients(String endpoint) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        double ms = median(() -> {
            Process p = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                    System.getProperty("java.class.path"), "bench/AwsBench.java", "clients", endpoint).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return Double.parseDouble(out.substring(out.lastIndexOf('\n') + 1));
        });
        System.out.println("== lazy AWS clients");
        System.out.printf("building the six clients (CloudFormation, ECS, Logs, RDS, ECR, STS) in a fresh JVM takes %.0f ms: what the first frame "
                + "would wait if they were made at start-up (median of 5)%n", ms);
    }

    /** Child mode: builds every client the AWS steps use and prints how long that took. */
    static void clients(String endpoint) {
        long t0 = System.nanoTime();
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
        URI uri = URI.create(endpoint);
        List<Object> clients = List.of(
                CloudFormationClient.builder().region(Region.US_EAST_1).endpointOverride(uri).credentialsProvider(creds)
                        .httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
                EcsClient.builder().region(Region.US_EAST_1).endpointOverride(uri).credentialsProvider(creds)
                        .httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
                CloudWatchLogsClient.builder().region(Region.US_EAST_1).endpointOverride(uri).credentialsProvider(creds)
                        .httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
                RdsClient.builder().region(Region.US_EAST_1).endpointOverride(uri).credentialsProvider(creds)
                        .httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
                EcrClient.builder().region(Region.US_EAST_1).endpointOverride(uri).credentialsProvider(creds)
                        .httpClientBuilder(UrlConnectionHttpClient.builder()).build(),
                StsClient.builder().region(Region.US_EAST_1).endpointOverride(uri).credentialsProvider(creds)
                        .httpClientBuilder(UrlConnectionHttpClient.builder()).build());
        System.out.println(clients.size() > 0 ? (System.nanoTime() - t0) / 1e6 : 0);
    }

    interface Timed {
        double ms() throws Exception;
    }

    static double median(Timed t) throws Exception {
        List<Double> xs = new ArrayList<>();
        for (int i = 0; i < 5; i++) xs.add(t.ms());
        Collections.sort(xs);
        return xs.get(2);
    }

    static double time(List<String> cmd) throws Exception {
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(CREDENTIALS);
        int exit = pb.start().waitFor();
        if (exit != 0) throw new IllegalStateException(String.join(" ", cmd) + " exited " + exit);
        return (System.nanoTime() - t0) / 1e6;
    }
}
