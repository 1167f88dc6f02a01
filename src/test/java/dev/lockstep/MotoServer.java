package dev.lockstep;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The AWS emulator the tests talk to: moto's server, pinned, installed into a cached
 * virtual environment on first use, started once on a free loopback port and stopped
 * when the JVM exits. With LOCKSTEP_TEST_AWS_ENDPOINT set (LocalStack), that endpoint
 * is used instead. If the emulator cannot be had, the tests fail with the reason.
 */
public final class MotoServer {
    public static final String VERSION = "5.1.18";
    private static String endpoint;

    private MotoServer() {}

    public static synchronized String endpoint() {
        if (endpoint != null) return endpoint;
        String given = System.getenv("LOCKSTEP_TEST_AWS_ENDPOINT");
        if (given != null && !given.isBlank()) return endpoint = given;
        try {
            Path venv = venv();
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Path log = Files.createTempFile("moto", ".log");
            Process p = new ProcessBuilder(venv.resolve("bin/moto_server").toString(), "-H", "127.0.0.1", "-p", String.valueOf(port))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
            String url = "http://127.0.0.1:" + port;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!answers(url)) {
                if (!p.isAlive()) throw new AssertionError("moto_server exited: " + Files.readString(log));
                if (System.nanoTime() > deadline) throw new AssertionError("moto_server did not answer on " + url);
                Thread.sleep(100);
            }
            return endpoint = url;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("the AWS emulator (moto " + VERSION + ") could not be started: " + e, e);
        }
    }

    /** Environment for an in-process CLI or SDK client: dummy credentials, a region, the endpoint. */
    public static java.util.Map<String, String> env() {
        return java.util.Map.of("AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing",
                "AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", endpoint());
    }

    private static boolean answers(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url + "/moto-api/").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            return c.getResponseCode() < 500;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path venv() throws IOException, InterruptedException {
        String cache = System.getenv("XDG_CACHE_HOME");
        Path venv = (cache != null ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("lockstep").resolve("moto-" + VERSION);
        if (Files.isExecutable(venv.resolve("bin/moto_server"))) return venv;
        run(List.of("python3", "-m", "venv", venv.toString()));
        run(List.of(venv.resolve("bin/pip").toString(), "install", "--quiet", "moto[server]==" + VERSION));
        return venv;
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
    }
}
