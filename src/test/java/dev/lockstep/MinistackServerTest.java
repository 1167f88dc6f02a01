package dev.lockstep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/** The harness itself: one ministack per JVM, healthy, on loopback only, answering for moto's account. */
@Tag("aws")
class MinistackServerTest {
    private static boolean given() {
        String e = System.getenv("LOCKSTEP_TEST_AWS_ENDPOINT");
        return e != null && !e.isBlank();
    }

    @Test
    void startsOnceAndAnswersBothHealthPaths() throws IOException {
        String url = MinistackServer.endpoint();
        assertEquals(url, MinistackServer.endpoint(), "one emulator per JVM");
        assertEquals(url, MinistackServer.env().get("AWS_ENDPOINT_URL"));
        if (given()) {
            assertEquals(System.getenv("LOCKSTEP_TEST_AWS_ENDPOINT"), url);
            return;
        }
        assertTrue(url.startsWith("http://127.0.0.1:"), url);
        for (String path : List.of("/_ministack/health", "/_localstack/health")) {
            HttpURLConnection c = (HttpURLConnection) URI.create(url + path).toURL().openConnection();
            assertEquals(200, c.getResponseCode(), path);
            String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            for (String service : List.of("cloudformation", "ecs", "logs", "rds", "ecr", "sts")) {
                assertTrue(body.contains("\"" + service + "\": \"available\""), path + " lacks " + service + ": " + body);
            }
        }
    }

    /**
     * ministack binds 0.0.0.0 unless told otherwise, and some of its services open
     * listeners of their own: every socket its process listens on must be 127.0.0.1.
     * Read from /proc (no traffic to any other address).
     */
    @Test
    void listensOnLoopbackOnly() throws IOException {
        if (given()) return; // someone else's emulator: its binding is theirs
        long pid = MinistackServer.process().orElseThrow().pid();
        int port = URI.create(MinistackServer.endpoint()).getPort();
        Set<String> sockets = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) sockets.add(target.substring(8, target.length() - 1));
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        List<String> listening = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> rows = Files.readAllLines(Path.of(table));
            for (String line : rows.subList(1, rows.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("0A") && sockets.contains(f[9])) listening.add(f[1]); // 0A: LISTEN
            }
        }
        assertEquals(List.of(String.format("0100007F:%04X", port)), listening,
                "ministack's listening sockets (hex address:port, 0100007F is 127.0.0.1)");
    }

    @Test
    void answersForMotosAccount() {
        if (given()) return; // the account is the other emulator's
        try (StsClient sts = StsClient.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).region(Region.US_EAST_1)
                .endpointOverride(URI.create(MinistackServer.endpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"))).build()) {
            assertEquals(MinistackServer.ACCOUNT, sts.getCallerIdentity().account());
        }
    }
}
