package dev.lockstep.steps;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The manifest lookup of a container registry (OCI distribution: HEAD /v2/REPO/manifests/TAG,
 * 200 or 404), on a loopback port, for the runbook's image-exists checks: the tests have no
 * way out to ghcr.io. Answers nothing else.
 */
final class ImageRegistry implements AutoCloseable {
    private final HttpServer server;
    private final Set<String> images = ConcurrentHashMap.newKeySet();

    ImageRegistry() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/v2/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            int at = path.indexOf("/manifests/");
            String image = at < 0 ? "" : path.substring(4, at) + ":" + path.substring(at + 11);
            exchange.sendResponseHeaders(images.contains(image) ? 200 : 404, -1);
            exchange.close();
        });
        server.start();
    }

    /** The reference to push an image as: 127.0.0.1:PORT/REPO:TAG. */
    String push(String repoAndTag) {
        images.add(repoAndTag);
        return ref(repoAndTag);
    }

    String ref(String repoAndTag) {
        return "127.0.0.1:" + server.getAddress().getPort() + "/" + repoAndTag;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
