package io.parley.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The token endpoints' contract, faked on the JDK's HTTP server: {@code /api/tokens} issues a pair
 * whose access token lives {@code expiresIn} seconds; {@code /api/tokens/refresh} rotates, and a
 * refresh token used twice is answered {@code 401 refresh_token_reused}. {@link #holdRefreshes()}
 * keeps refresh answers back until {@link #releaseRefreshes()}.
 */
final class FakeTokenServer implements AutoCloseable {

    private final HttpServer server;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Set<String> valid = ConcurrentHashMap.newKeySet();
    private final Set<String> used = ConcurrentHashMap.newKeySet();
    private volatile CountDownLatch hold = new CountDownLatch(0);
    final AtomicInteger refreshes = new AtomicInteger();
    volatile long expiresIn = 900;

    FakeTokenServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.createContext("/api/tokens", this::handle);
        server.start();
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void holdRefreshes() {
        hold = new CountDownLatch(1);
    }

    void releaseRefreshes() {
        hold.countDown();
    }

    @Override
    public void close() {
        releaseRefreshes();
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (path.equals("/api/tokens")) {
            if (!json.readTree(body).path("password").asString().equals("correct horse")) {
                respond(exchange, 401, "{\"error\":\"bad_credentials\",\"message\":\"wrong username or password\"}");
                return;
            }
            respond(exchange, 200, pair());
        } else if (path.equals("/api/tokens/refresh")) {
            refreshes.incrementAndGet();
            try {
                hold.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            String token = json.readTree(body).path("refreshToken").asString();
            if (used.contains(token)) {
                respond(exchange, 401, "{\"error\":\"refresh_token_reused\",\"message\":\"log in again\"}");
            } else if (!valid.remove(token)) {
                respond(exchange, 401, "{\"error\":\"invalid_refresh_token\",\"message\":\"unknown\"}");
            } else {
                used.add(token);
                respond(exchange, 200, pair());
            }
        } else {
            respond(exchange, 404, "{\"error\":\"not_found\",\"message\":\"\"}");
        }
    }

    /** Makes every refresh token seen so far count as used: the next refresh is a reuse. */
    void revokeAll() {
        used.addAll(valid);
        valid.clear();
    }

    private String pair() {
        String refresh = UUID.randomUUID().toString();
        valid.add(refresh);
        return "{\"username\":\"alice\",\"accessToken\":\"access-" + UUID.randomUUID() + "\",\"tokenType\":\"Bearer\",\"expiresIn\":"
                + expiresIn + ",\"refreshToken\":\"" + refresh + "\",\"refreshExpiresIn\":2592000}";
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
