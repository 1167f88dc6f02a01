package dev.lockstep.demo;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's own notification receiver ({@code lockstep demo --notify-here}): an HTTP server on the loopback that
 * appends each notification it is sent to a file, a JSON document a line, so that a first user sees what a chat
 * channel would get without setting one up. It writes to a file, not the screen, which the full-screen UI owns.
 */
public final class NotificationReceiver implements AutoCloseable {
    private static final int MAX_BODY = 64 * 1024;
    private final HttpServer server;
    private final Path file;
    private final AtomicInteger received = new AtomicInteger();

    private NotificationReceiver(HttpServer server, Path file) {
        this.server = server;
        this.file = file;
    }

    /** Listens on a free loopback port; notifications go to {@code file}, which is started empty. */
    public static NotificationReceiver start(Path file) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        NotificationReceiver receiver = new NotificationReceiver(server, file);
        server.createContext("/", exchange -> {
            try (exchange) {
                boolean kept = receiver.append(exchange.getRequestBody().readNBytes(MAX_BODY));
                exchange.sendResponseHeaders(kept ? 204 : 500, -1);
            }
        });
        server.start();
        return receiver;
    }

    private synchronized boolean append(byte[] body) {
        try {
            Files.writeString(file, new String(body, StandardCharsets.UTF_8).replace('\n', ' ') + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
            received.incrementAndGet();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/demo";
    }

    public Path file() {
        return file;
    }

    public int received() {
        return received.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
