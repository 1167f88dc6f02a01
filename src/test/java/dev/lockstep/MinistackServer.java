package dev.lockstep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The second AWS emulator the tests talk to: ministack (live StartLiveTail, change sets
 * that fill Outputs and describe updates, RDS, ECR). Pinned, installed with its
 * dependencies into a cached virtual environment on first use, started once per JVM on
 * a free port bound to 127.0.0.1 only, and stopped when the JVM exits. With
 * LOCKSTEP_TEST_AWS_ENDPOINT set, that endpoint is used instead (as for MotoServer).
 * If ministack cannot be had, the tests fail with the reason and the end of its log.
 *
 * <p>ministack keeps its state in memory: persistence is off, and the few places it
 * could write (state and S3 folders, a pid file, TLS material) are pointed into a
 * temporary folder that is removed at exit. It runs without Docker: ECS tasks and RDS
 * instances are records only (a task stays RUNNING until StopTask; nothing is logged
 * for it).
 */
public final class MinistackServer {
    public static final String VERSION = "1.5.33";
    /** The account ministack answers for: moto's, so that ARNs and the runbooks' context read the same on both. */
    public static final String ACCOUNT = "123456789012";
    /** ministack's dependencies as resolved when VERSION was pinned, so that a fresh install is the tested one. */
    private static final List<String> REQUIREMENTS = List.of("ministack==" + VERSION, "botocore==1.43.106",
            "defusedxml==0.7.1", "graphql-core==3.2.12", "h11==0.16.0", "h2==4.4.1", "hpack==4.2.0", "Hypercorn==0.18.0",
            "hyperframe==6.1.0", "jmespath==1.1.0", "jsonata-python==0.7.1", "priority==2.0.0",
            "python-dateutil==2.9.0.post0", "PyYAML==6.0.3", "six==1.17.0", "urllib3==2.8.0", "wsproto==1.3.2");
    private static final String HEALTH = "/_ministack/health";
    private static String endpoint;
    private static Process process;

    private MinistackServer() {}

    public static synchronized String endpoint() {
        if (endpoint != null) return endpoint;
        String given = System.getenv("LOCKSTEP_TEST_AWS_ENDPOINT");
        if (given != null && !given.isBlank()) return endpoint = given;
        try {
            Path venv = venv();
            // The port is chosen here and may be taken before ministack binds it: try another.
            AssertionError last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                try {
                    return endpoint = start(venv);
                } catch (PortTaken e) {
                    last = new AssertionError(e.getMessage());
                }
            }
            throw last;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("the AWS emulator (ministack " + VERSION + ") could not be started: " + e, e);
        }
    }

    /** The emulator's process, when this harness started it (for the tests of the harness). */
    static synchronized java.util.Optional<ProcessHandle> process() {
        endpoint();
        return java.util.Optional.ofNullable(process).map(Process::toHandle);
    }

    /** Environment for an in-process CLI or SDK client: dummy credentials, a region, the endpoint. */
    public static Map<String, String> env() {
        return Map.of("AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing",
                "AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", endpoint());
    }

    private static final class PortTaken extends IOException {
        PortTaken(String message) {
            super(message);
        }
    }

    private static String start(Path venv) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path home = Files.createTempDirectory("ministack-");
        Path log = home.resolve("ministack.log");
        ProcessBuilder pb = new ProcessBuilder(venv.resolve("bin/ministack").toString())
                .directory(home.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> e = pb.environment();
        // Only what is set here: a developer's AWS_*, DOCKER_HOST, SERVICES or *_PERSIST must not change the emulator.
        e.clear();
        e.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        e.put("LANG", "C.UTF-8");
        e.put("HOME", home.toString());
        e.put("TMPDIR", home.toString());
        e.put("BIND_HOST", "127.0.0.1"); // its default is 0.0.0.0
        e.put("GATEWAY_PORT", String.valueOf(port));
        e.put("MINISTACK_ACCOUNT_ID", ACCOUNT);
        e.put("PERSIST_STATE", "0");
        e.put("STATE_DIR", home.resolve("state").toString());
        e.put("S3_PERSIST", "0");
        e.put("S3_DATA_DIR", home.resolve("s3").toString());
        // Listeners of their own on 0.0.0.0 (IoT MQTT on 8883, SFTP): not wanted.
        e.put("IOT_MTLS_ENABLED", "0");
        e.put("SFTP_ENABLED", "0");
        // No Docker: tasks and databases stay records, the same on every machine.
        e.put("DOCKER_HOST", "unix://" + home.resolve("no-docker.sock"));
        e.put("LOG_LEVEL", "INFO");
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(p, home)));
        String url = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!healthy(url)) {
            if (!p.isAlive()) {
                String tail = tail(log);
                if (tail.contains("already in use")) throw new PortTaken("port " + port + " was taken:\n" + tail);
                throw new AssertionError("ministack " + VERSION + " exited (code " + p.exitValue() + ") before answering on "
                        + url + "; its log ends:\n" + tail);
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("ministack " + VERSION + " did not answer " + url + HEALTH + " within 90 s; its log ends:\n"
                        + tail(log));
            }
            Thread.sleep(100);
        }
        process = p;
        return url;
    }

    private static boolean healthy(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url + HEALTH).toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(5000);
            if (c.getResponseCode() != 200) return false;
            try (var in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("\"cloudformation\"");
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static void stop(Process p, Path home) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Left in the temporary folder; nothing depends on it.
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The cached virtual environment; installed once, under a lock, since several test JVMs may share the cache. */
    private static Path venv() throws IOException, InterruptedException {
        String cache = System.getenv("XDG_CACHE_HOME");
        Path root = (cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("lockstep");
        Path venv = root.resolve("ministack-" + VERSION);
        // Written after pip succeeded: a venv without it is a broken install.
        Path installed = venv.resolve(".lockstep-installed");
        if (Files.exists(installed)) return venv;
        Files.createDirectories(root);
        try (FileChannel ch = FileChannel.open(root.resolve("ministack-" + VERSION + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = ch.lock()) {
            if (Files.exists(installed)) return venv;
            if (Files.exists(venv)) {
                try (Stream<Path> files = Files.walk(venv)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
            run(List.of("python3", "-m", "venv", venv.toString()));
            List<String> pip = new ArrayList<>(List.of(venv.resolve("bin/pip").toString(), "install", "--quiet",
                    "--disable-pip-version-check"));
            pip.addAll(REQUIREMENTS);
            run(pip);
            Files.writeString(installed, String.join("\n", REQUIREMENTS) + "\n");
        }
        return venv;
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
    }
}
