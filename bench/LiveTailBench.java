import dev.lockstep.spi.Check;
import dev.lockstep.spi.Settings;
import dev.lockstep.spi.StepContext;
import dev.lockstep.steps.aws.EcsRunTaskStep;
import dev.lockstep.steps.aws.LogsTailStep;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.LogDriver;
import software.amazon.awssdk.services.ecs.model.NetworkMode;

/**
 * Log event to step listener: logs.tail, then ecs.run-task following its container's stream, each with
 * StartLiveTail against the same step polling FilterLogEvents (every second), in the same run, against ministack (started here from the
 * tests' cached install; or LOCKSTEP_BENCH_AWS_ENDPOINT). Each mode gets EVENTS events put at
 * 20/s into a stream created after the tail began (as ECS creates a task's), and prints the
 * delay from PutLogEvents returning to the line reaching the step's listeners (p50, p95), and
 * the requests per second the tail itself made.
 *
 * Run: java -cp "target/lockstep.jar:target/lib/*" bench/LiveTailBench.java [EVENTS]
 */
public class LiveTailBench {
    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        String endpoint = System.getenv("LOCKSTEP_BENCH_AWS_ENDPOINT");
        Process ministack = null;
        Path home = Files.createTempDirectory("ministack-bench");
        if (endpoint == null) {
            Path bin = Path.of(System.getProperty("user.home"), ".cache/lockstep/ministack-1.5.33/bin/ministack");
            if (!Files.isExecutable(bin)) throw new IllegalStateException(bin + " is missing: run mvn -B verify once (it installs ministack)");
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            ProcessBuilder pb = new ProcessBuilder(bin.toString()).redirectErrorStream(true)
                    .redirectOutput(home.resolve("ministack.log").toFile());
            pb.environment().clear();
            pb.environment().putAll(Map.of("PATH", System.getenv("PATH"), "HOME", home.toString(), "TMPDIR", home.toString(),
                    "BIND_HOST", "127.0.0.1", "GATEWAY_PORT", String.valueOf(port), "PERSIST_STATE", "0",
                    "IOT_MTLS_ENABLED", "0", "SFTP_ENABLED", "0", "DOCKER_HOST", "unix://" + home + "/no-docker.sock",
                    "MINISTACK_ACCOUNT_ID", "123456789012"));
            ministack = pb.start();
            endpoint = "http://127.0.0.1:" + port;
            awaitHealthy(endpoint);
        }
        try {
            System.out.println("== logs.tail: PutLogEvents to the step's listeners, " + events + " events at 20/s, ministack "
                    + (ministack != null ? "1.5.33 (started here)" : "at " + endpoint));
            measure(endpoint, true, events);
            measure(endpoint, false, events);
            System.out.println("== ecs.run-task: a line of the task's own stream (a migration's MISMATCH) to the step's listeners, "
                    + events + " events at 20/s");
            measureRunTask(endpoint, true, events);
            measureRunTask(endpoint, false, events);
        } finally {
            if (ministack != null) {
                ministack.destroy();
                ministack.waitFor();
            }
        }
    }

    static void awaitHealthy(String endpoint) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(endpoint + "/_ministack/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (java.io.IOException e) {
                // Not listening yet.
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("ministack did not answer at " + endpoint);
    }

    static void measure(String endpoint, boolean live, int count) throws Exception {
        CloudWatchLogsClient logs = CloudWatchLogsClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        String group = "/bench/" + (live ? "live" : "poll") + System.nanoTime();
        logs.createLogGroup(b -> b.logGroupName(group));
        Map<Integer, Long> sent = new ConcurrentHashMap<>();
        Map<Integer, Long> seen = new ConcurrentHashMap<>();
        List<String> notes = Collections.synchronizedList(new ArrayList<>());
        StepContext ctx = context(endpoint, seen, notes, new ConcurrentHashMap<>());
        LogsTailStep.Config config = new LogsTailStep.Config(group, null, "migrate/", null, "0s", live, Duration.ofSeconds(1));
        Thread tail = new Thread(() -> {
            try {
                new LogsTailStep().execute(config, ctx);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long began = System.nanoTime();
        tail.start();
        while (notes.stream().noneMatch(n -> n.startsWith("[lockstep] following "))) Thread.sleep(20);
        logs.createLogStream(b -> b.logGroupName(group).logStreamName("migrate/migrate/task1"));
        put(logs, group, "migrate/migrate/task1", count, sent);
        report(live ? "StartLiveTail:" : "FilterLogEvents polling every 1 s:", tail, began, sent, seen, notes, count);
    }

    /** Puts "event N" lines at 20/s, noting when each PutLogEvents returned. */
    static void put(CloudWatchLogsClient logs, String group, String stream, int count, Map<Integer, Long> sent) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            int n = i;
            long t = System.currentTimeMillis();
            logs.putLogEvents(b -> b.logGroupName(group).logStreamName(stream)
                    .logEvents(InputLogEvent.builder().timestamp(t).message("event " + n).build()));
            sent.put(n, System.nanoTime());
            Thread.sleep(50);
        }
    }

    /** Waits for the events to arrive (10 s at most), ends the follower, and prints latency and request figures. */
    static void report(String mode, Thread follower, long began, Map<Integer, Long> sent, Map<Integer, Long> seen, List<String> notes,
                       int count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (seen.size() < count && System.nanoTime() < deadline) Thread.sleep(20);
        follower.interrupt();
        follower.join();
        double seconds = (System.nanoTime() - began) / 1e9;
        List<Double> ms = new ArrayList<>();
        sent.forEach((n, t) -> {
            if (seen.containsKey(n)) ms.add((seen.get(n) - t) / 1e6);
        });
        Collections.sort(ms);
        long requests = 0;
        for (String n : notes) {
            Matcher m = Pattern.compile("(\\d+) requests to CloudWatch Logs").matcher(n);
            if (m.find()) requests = Long.parseLong(m.group(1));
        }
        String how = notes.stream().filter(n -> n.startsWith("[lockstep] following ")).reduce((first, last) -> last).orElse("?");
        System.out.printf("%-34s received %d of %d; latency p50 %4.0f ms, p95 %4.0f ms; %d requests in %.1f s = %.2f req/s (%s)%n",
                mode, ms.size(), count, ms.isEmpty() ? Double.NaN : ms.get(ms.size() / 2),
                ms.isEmpty() ? Double.NaN : ms.get((int) (ms.size() * 0.95)), requests, seconds, requests / seconds,
                how.replace("[lockstep] ", ""));
    }

    /** A step context that times each "event N" line as it reaches the step, and keeps lockstep's notes and the external ids. */
    static StepContext context(String endpoint, Map<Integer, Long> seen, List<String> notes, Map<String, String> ids) {
        Map<String, String> env = new HashMap<>(Map.of("AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing",
                "AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", endpoint, "HOME", System.getProperty("user.home")));
        Settings settings = new Settings(env, Map.of());
        return new StepContext() {
            public String stepId() { return "bench"; }
            public Path workDir() { return Path.of("."); }
            public Settings settings() { return settings; }
            public Map<String, String> env() { return new HashMap<>(); }
            public Object resolve(String template) { return template; }
            public void line(String text) {
                long now = System.nanoTime();
                if (text.startsWith("event ")) seen.putIfAbsent(Integer.parseInt(text.substring(6)), now);
                else notes.add(text);
            }
            public void note(String text) {
                notes.add("[lockstep] " + text);
            }
            public void recordExternalId(String key, String value) { ids.put(key, value); }
            public Map<String, String> externalIds() { return ids; }
            public CheckOutcome evaluate(Check check) { throw new UnsupportedOperationException(); }
            public boolean askOperator(String instructions) { return false; }
        };
    }

    /**
     * ecs.run-task following its container's stream, live or polling, on a Fargate task ministack runs
     * (without Docker a task writes nothing and never stops: the bench writes its lines and stops it).
     */
    static void measureRunTask(String endpoint, boolean live, int count) throws Exception {
        CloudWatchLogsClient logs = CloudWatchLogsClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        EcsClient ecs = EcsClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        String name = "bench" + (live ? "live" : "poll") + System.nanoTime();
        String group = "/ecs/" + name;
        logs.createLogGroup(b -> b.logGroupName(group));
        ecs.createCluster(b -> b.clusterName(name));
        ecs.registerTaskDefinition(b -> b.family(name).networkMode(NetworkMode.AWSVPC).requiresCompatibilitiesWithStrings("FARGATE")
                .cpu("256").memory("512").containerDefinitions(c -> c.name("migrate").image("busybox").essential(true)
                        .logConfiguration(l -> l.logDriver(LogDriver.AWSLOGS).options(Map.of("awslogs-group", group,
                                "awslogs-region", "us-east-1", "awslogs-stream-prefix", "migrate")))));
        Map<Integer, Long> sent = new ConcurrentHashMap<>();
        Map<Integer, Long> seen = new ConcurrentHashMap<>();
        List<String> notes = Collections.synchronizedList(new ArrayList<>());
        Map<String, String> ids = new ConcurrentHashMap<>();
        StepContext ctx = context(endpoint, seen, notes, ids);
        EcsRunTaskStep.Config config = new EcsRunTaskStep.Config(name, name, "FARGATE", null, List.of("subnet-1"), List.of(), false,
                null, Map.of(), Duration.ofSeconds(5), live);
        Thread step = new Thread(() -> {
            try {
                new EcsRunTaskStep().execute(config, ctx);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                notes.add("failed: " + e);
            }
        });
        long began = System.nanoTime();
        step.start();
        while (notes.stream().noneMatch(n -> n.startsWith("[lockstep] following "))) Thread.sleep(20);
        String arn = ids.values().stream().filter(v -> v.contains(":task/")).findFirst().orElseThrow();
        String stream = "migrate/migrate/" + arn.substring(arn.lastIndexOf('/') + 1);
        logs.createLogStream(b -> b.logGroupName(group).logStreamName(stream));
        put(logs, group, stream, count, sent);
        report(live ? "StartLiveTail:" : "FilterLogEvents polling every 1 s:", step, began, sent, seen, notes, count);
        ecs.stopTask(b -> b.cluster(name).task(arn).reason("bench done"));
    }
}
