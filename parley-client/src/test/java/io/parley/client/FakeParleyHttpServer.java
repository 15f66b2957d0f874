package io.parley.client;

import java.io.IOException;
import java.net.HttpCookie;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP API contract of the Parley server, faked on the JDK's HTTP server: a CSRF token in
 * cookie {@code XSRF-TOKEN} that every POST must echo in {@code X-XSRF-TOKEN} and that login and
 * logout rotate (as Spring Security does), a {@code SESSION} cookie, JSON errors.
 */
final class FakeParleyHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, String> passwords = new ConcurrentHashMap<>();
    private final Map<String, String> sessions = new ConcurrentHashMap<>();
    private volatile String csrfToken = UUID.randomUUID().toString();
    /** "METHOD path status" of every request, in order. */
    final List<String> log = new CopyOnWriteArrayList<>();

    FakeParleyHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/", this::handle);
        server.start();
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Invalidates the CSRF token out of band, as a server restart would. */
    void rotateCsrf() {
        csrfToken = UUID.randomUUID().toString();
    }

    long count(String request) {
        return log.stream().filter(line -> line.startsWith(request)).count();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        Map<String, String> cookies = cookies(exchange);
        try {
            if (!method.equals("GET") && !csrfToken.equals(exchange.getRequestHeaders().getFirst("X-XSRF-TOKEN"))) {
                reply(exchange, 403, Map.of("error", "forbidden", "message", "invalid CSRF token"));
            } else {
                route(exchange, method + " " + path, cookies);
            }
        } finally {
            exchange.close();
        }
    }

    private int route(HttpExchange exchange, String request, Map<String, String> cookies) throws IOException {
        switch (request) {
            case "GET /api/csrf" -> {
                exchange.getResponseHeaders().add("Set-Cookie", "XSRF-TOKEN=" + csrfToken + "; Path=/");
                return reply(exchange, 200, Map.of("token", csrfToken, "headerName", "X-XSRF-TOKEN"));
            }
            case "POST /api/signup" -> {
                JsonNode body = json.readTree(exchange.getRequestBody());
                String username = body.path("username").asString("");
                if (username.length() < 3 || body.path("password").asString("").length() < 8) {
                    return reply(exchange, 400, Map.of("error", "bad_request", "message", "username or password too short"));
                }
                if (passwords.putIfAbsent(username, body.path("password").asString()) != null) {
                    return reply(exchange, 409, Map.of("error", "username_taken", "message", username + " is taken"));
                }
                return reply(exchange, 201, Map.of("username", username));
            }
            case "POST /api/login" -> {
                JsonNode body = json.readTree(exchange.getRequestBody());
                String username = body.path("username").asString("");
                if (!body.path("password").asString("").equals(passwords.get(username))) {
                    return reply(exchange, 401, Map.of("error", "bad_credentials", "message", "bad username or password"));
                }
                String session = UUID.randomUUID().toString();
                sessions.put(session, username);
                rotateCsrf();
                exchange.getResponseHeaders().add("Set-Cookie", "SESSION=" + session + "; Path=/; HttpOnly; SameSite=Lax");
                return reply(exchange, 200, Map.of("username", username));
            }
            case "POST /api/logout" -> {
                Optional.ofNullable(cookies.get("SESSION")).ifPresent(sessions::remove);
                rotateCsrf();
                exchange.getResponseHeaders().add("Set-Cookie", "SESSION=; Path=/; Max-Age=0");
                return sendHeaders(exchange, 204, -1);
            }
            case "GET /api/me" -> {
                String user = cookies.get("SESSION") == null ? null : sessions.get(cookies.get("SESSION"));
                if (user == null) {
                    return reply(exchange, 401, Map.of("error", "unauthorized", "message", "log in first"));
                }
                return reply(exchange, 200, Map.of("username", user));
            }
            default -> {
                return reply(exchange, 404, Map.of("error", "not_found", "message", request));
            }
        }
    }

    private static Map<String, String> cookies(HttpExchange exchange) {
        Map<String, String> cookies = new ConcurrentHashMap<>();
        for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String pair : header.split(";")) {
                List<HttpCookie> parsed = HttpCookie.parse("Set-Cookie: " + pair.trim());
                parsed.forEach(c -> cookies.put(c.getName(), c.getValue()));
            }
        }
        return cookies;
    }

    private int reply(HttpExchange exchange, int status, Map<String, String> body) throws IOException {
        byte[] bytes = json.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        sendHeaders(exchange, status, bytes.length);
        exchange.getResponseBody().write(bytes);
        return status;
    }

    /** Logs the request before the client can see its answer, so a test that reads the log after a call sees it. */
    private int sendHeaders(HttpExchange exchange, int status, long length) throws IOException {
        log.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " " + status);
        exchange.sendResponseHeaders(status, length);
        return status;
    }
}
