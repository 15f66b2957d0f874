package io.parley.server.support;

import java.net.URI;
import java.nio.ByteBuffer;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A bare WebSocket for protocol tests: sends any text, even invalid frames, and records every frame
 * the server sends, as JSON, in order. Waits are bounded (Awaitility), never sleeps.
 */
public final class RawSocket implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final AtomicInteger pings = new AtomicInteger();
    private volatile String closeReason = "";
    private final WebSocket socket;

    private RawSocket(WebSocket.Builder builder, URI uri) {
        this.socket = builder.buildAsync(uri, new Listener()).join();
    }

    /** Opens {@code /ws} of {@code node} with the browser's cookies and the node's own Origin. */
    public static RawSocket open(ParleyNode node, Browser browser) {
        return open(node.baseUrl(), browser);
    }

    /** Opens {@code /ws} of the node at {@code baseUrl} ({@code http://host:port}) with the browser's cookies and that Origin. */
    public static RawSocket open(String baseUrl, Browser browser) {
        HttpClient client = HttpClient.newBuilder().cookieHandler(browser.cookieManager()).build();
        WebSocket.Builder builder = client.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .header("Origin", baseUrl);
        return new RawSocket(builder, URI.create(baseUrl.replaceFirst("^http", "ws") + "/ws"));
    }

    /** The outcome of a handshake: an open socket, or the HTTP response that refused the upgrade. */
    public record Handshake(@Nullable RawSocket socket, @Nullable HttpResponse<?> refusal) {

        public boolean opened() {
            return socket != null;
        }

        public int status() {
            return refusal != null ? refusal.statusCode() : 101;
        }
    }

    /** Like {@link #open}, but a refused handshake is an outcome, not a failure. */
    public static Handshake attempt(ParleyNode node, Browser browser) {
        return attempt(node.baseUrl(), browser);
    }

    /** Like {@link #open(String, Browser)}, but a refused handshake is an outcome, not a failure. */
    public static Handshake attempt(String baseUrl, Browser browser) {
        try {
            return new Handshake(open(baseUrl, browser), null);
        } catch (CompletionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return new Handshake(null, refused.getResponse());
            }
            throw e;
        }
    }

    /** Opens {@code /ws} of {@code node} with {@code Authorization: Bearer accessToken}: no cookie, no Origin. */
    public static RawSocket openWithBearer(ParleyNode node, String accessToken) {
        return openWithBearer(node, accessToken, null);
    }

    /** As {@link #openWithBearer(ParleyNode, String)}, with an {@code Origin} header when not null. */
    public static RawSocket openWithBearer(ParleyNode node, String accessToken, String origin) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + accessToken);
        if (origin != null) {
            builder.header("Origin", origin);
        }
        return new RawSocket(builder, URI.create(node.wsUrl()));
    }

    /**
     * Opens {@code /ws} of {@code node} as a browser holding a token would: subprotocols
     * {@code parley.v1} and {@code bearer.<accessToken>}, an {@code Origin}, no cookie.
     */
    public static RawSocket openWithSubprotocol(ParleyNode node, String accessToken, String origin) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .header("Origin", origin)
                .subprotocols("parley.v1", "bearer." + accessToken);
        return new RawSocket(builder, URI.create(node.wsUrl()));
    }

    /** Opens {@code /ws} of {@code node} with a handshake set up by {@code handshake} alone: no cookie jar, no default header. */
    public static RawSocket openWith(ParleyNode node, java.util.function.Consumer<WebSocket.Builder> handshake) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        handshake.accept(builder);
        return new RawSocket(builder, URI.create(node.wsUrl()));
    }

    /**
     * The HTTP status with which {@code node} refuses a handshake carrying {@code Authorization:
     * <authorization>}; fails the test if the socket opens.
     */
    public static int refusedStatus(ParleyNode node, String authorization) {
        return refusedStatus(node, builder -> builder.header("Authorization", authorization));
    }

    /** The HTTP status with which {@code node} refuses a handshake set up by {@code handshake}; fails the test if the socket opens. */
    public static int refusedStatus(ParleyNode node, java.util.function.Consumer<WebSocket.Builder> handshake) {
        try {
            WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
            handshake.accept(builder);
            WebSocket opened = builder.buildAsync(URI.create(node.wsUrl()), new WebSocket.Listener() { })
                    .get(20, TimeUnit.SECONDS);
            opened.abort();
            throw new AssertionError("the handshake was upgraded");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException refused) {
                return refused.getResponse().statusCode();
            }
            throw new AssertionError("handshake failed without an HTTP answer", e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no answer to the handshake", e);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(JSON.readTree(partial.toString()));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        /** Counted; the JDK answers every ping with a pong by itself. */
        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            pings.incrementAndGet();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeReason = reason;
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }

    public RawSocket send(String text) {
        socket.sendText(text, true).join();
        return this;
    }

    /** WebSocket pings received from the server so far (each answered with a pong by the JDK's client). */
    public int pings() {
        return pings.get();
    }

    /** All frames received so far. */
    public List<JsonNode> frames() {
        return new ArrayList<>(frames);
    }

    public List<JsonNode> frames(String type) {
        return frames.stream().filter(f -> type.equals(f.path("type").asString())).toList();
    }

    /** Waits (at most 10 s) for the first received frame that matches. */
    public JsonNode await(Predicate<JsonNode> match) {
        JsonNode[] found = new JsonNode[1];
        // Checked every 10 ms: a scan of the frames received, and tests wait for frames all the time.
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10)).until(() -> {
            for (JsonNode frame : frames) {
                if (match.test(frame)) {
                    found[0] = frame;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    public JsonNode await(String type) {
        return await(f -> type.equals(f.path("type").asString()));
    }

    /** Waits for a frame of {@code type} whose {@code field} equals {@code value}. */
    public JsonNode await(String type, String field, String value) {
        return await(f -> type.equals(f.path("type").asString()) && value.equals(f.path(field).asString()));
    }

    /**
     * The online users of {@code room} as a client keeps them from the frames received so far: the
     * last {@code presence} snapshot, with the {@code presence-delta}s after it applied in order.
     * Empty before the first snapshot.
     */
    public SortedSet<String> online(String room) {
        SortedSet<String> online = new TreeSet<>();
        for (JsonNode frame : frames) {
            if (!room.equals(frame.path("room").asString())) {
                continue;
            }
            String type = frame.path("type").asString();
            if (type.equals("presence")) {
                online.clear();
                frame.path("online").forEach(user -> online.add(user.asString()));
            } else if (type.equals("presence-delta")) {
                frame.path("left").forEach(user -> online.remove(user.asString()));
                frame.path("joined").forEach(user -> online.add(user.asString()));
            }
        }
        return online;
    }

    /** Waits (at most 10 s) until {@link #online(String)} of {@code room} is exactly {@code users}. */
    public void awaitOnline(String room, Collection<String> users) {
        SortedSet<String> expected = new TreeSet<>(users);
        Awaitility.await("online in " + room + ": " + expected).atMost(Duration.ofSeconds(10))
                .until(() -> online(room).equals(expected));
    }

    /** The subprotocol the server selected ("" for none). */
    public String subprotocol() {
        return socket.getSubprotocol();
    }

    public CompletableFuture<Integer> closed() {
        return closed;
    }

    /** The reason of the server's close frame ("" before it, or when it had none). */
    public String closeReason() {
        return closeReason;
    }

    public boolean isOpen() {
        return !closed.isDone() && !socket.isOutputClosed();
    }

    /** Closes with 1000 and waits (at most 10 s) for the server's answering close frame; then drops the connection. */
    public void closeNormally() {
        socket.sendClose(1000, "bye").join();
        closed.orTimeout(10, TimeUnit.SECONDS).join();
        socket.abort();
    }

    /** Drops the TCP connection without a close handshake, as a lost network would. */
    public void abort() {
        socket.abort();
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(1000, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }
}
