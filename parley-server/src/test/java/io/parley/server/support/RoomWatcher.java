package io.parley.server.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.Histogram;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A well-behaved client for load and slow-client tests: reads every frame as soon as it arrives,
 * checks that each room's messages arrive exactly once and in sequence order, and records each
 * message's delivery latency — keeping counters, not frames, so thousands of messages cost little.
 *
 * <p>Latency is measured from a send timestamp in the text: a message whose text starts with
 * {@link #stamped} ({@code "t<System.nanoTime()> …"}) was stamped by a sender in this JVM, and its
 * latency is the receive time minus the stamp — the whole path of send, commit, fan-out, the
 * outbound queue, the socket and the client's own parsing.
 *
 * <p>Thread-safe: the WebSocket delivers frames one at a time on the client's threads; the test
 * thread reads the counters and may {@link #send} (one sender thread at a time).
 */
public final class RoomWatcher implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final List<String> problems = new ArrayList<>(); // guarded by itself
    private final AtomicLong acks = new AtomicLong();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final Object latencyLock = new Object();
    private Histogram latency = newHistogram(); // guarded by latencyLock
    private volatile boolean welcomed;
    private volatile boolean closing;
    private final WebSocket socket;

    /** What this watcher saw of one room. Written by the frame thread only. */
    private static final class Room {
        volatile long joinedAt = -1;
        volatile long last;
        volatile long received;
    }

    private RoomWatcher(HttpClient http, ParleyNode node) {
        this.socket = http.newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .header("Origin", node.baseUrl())
                .buildAsync(URI.create(node.wsUrl()), new Listener()).join();
    }

    /**
     * An HTTP client with the browser's cookies. One client may carry many watchers: its one selector
     * thread reads all their sockets (a client per watcher would cost a thread each).
     */
    public static HttpClient httpClient(Browser browser) {
        return HttpClient.newBuilder().cookieHandler(browser.cookieManager()).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** Opens {@code /ws} of {@code node} and waits for {@code welcome}. */
    public static RoomWatcher open(ParleyNode node, HttpClient http) {
        RoomWatcher watcher = new RoomWatcher(http, node);
        soon().until(() -> watcher.welcomed);
        return watcher;
    }

    /** A message text stamped with the current {@link System#nanoTime()} and padded to {@code length} characters. */
    public static String stamped(String label, int length) {
        StringBuilder text = new StringBuilder(length).append('t').append(System.nanoTime()).append(' ').append(label);
        while (text.length() < length) {
            text.append('.');
        }
        return text.toString();
    }

    /** Joins {@code room} and waits for {@code joined}; checks the room's messages from there on. */
    public RoomWatcher join(String room) {
        Room state = rooms.computeIfAbsent(room, r -> new Room());
        sendText("{\"type\":\"join\",\"room\":\"" + room + "\"}");
        soon().until(() -> state.joinedAt >= 0);
        return this;
    }

    /** Sends a message to {@code room} without waiting for its acknowledgement. */
    public void send(String room, String text) {
        sendText("{\"type\":\"send\",\"room\":\"" + room + "\",\"clientMsgId\":\"" + UUID.randomUUID()
                + "\",\"text\":\"" + text + "\"}");
    }

    private void sendText(String text) {
        socket.sendText(text, true).join();
    }

    /** The highest sequence received in {@code room}. */
    public long last(String room) {
        return rooms.get(room).last;
    }

    /** How many messages of {@code room} arrived. */
    public long received(String room) {
        return rooms.get(room).received;
    }

    /** The room's head when this watcher joined: it receives every message after it. */
    public long joinedAt(String room) {
        return rooms.get(room).joinedAt;
    }

    /** {@code sent} acknowledgements received. */
    public long acks() {
        return acks.get();
    }

    /** Everything that broke the rules: a duplicate, a message out of order or missing, an error frame, a close. */
    public List<String> problems() {
        synchronized (problems) {
            return List.copyOf(problems);
        }
    }

    /** The latencies (nanoseconds) recorded since the last call, and a fresh histogram for what follows. */
    public Histogram takeLatency() {
        synchronized (latencyLock) {
            Histogram taken = latency;
            latency = newHistogram();
            return taken;
        }
    }

    public CompletableFuture<Integer> closed() {
        return closed;
    }

    @Override
    public void close() {
        closing = true;
        if (!socket.isOutputClosed()) {
            socket.sendClose(1000, "bye").exceptionally(e -> null);
        }
        socket.abort();
    }

    private void onFrame(String text, long receivedAt) {
        JsonNode frame = JSON.readTree(text);
        String type = frame.path("type").asString();
        switch (type) {
            case "welcome" -> welcomed = true;
            case "joined" -> {
                Room room = rooms.get(frame.path("room").asString());
                if (room != null) {
                    room.last = frame.path("lastSeq").asLong();
                    room.joinedAt = room.last;
                }
            }
            case "message" -> onMessage(frame, receivedAt);
            case "sent" -> acks.incrementAndGet();
            case "error", "gap" -> problem("unexpected " + text);
            default -> {
                // presence, typing: not counted
            }
        }
    }

    private void onMessage(JsonNode frame, long receivedAt) {
        String name = frame.path("room").asString();
        Room room = rooms.get(name);
        long seq = frame.path("seq").asLong();
        if (room == null || room.joinedAt < 0) {
            problem("message " + seq + " of " + name + " before joined");
            return;
        }
        if (seq != room.last + 1) {
            problem(name + ": got " + seq + " after " + room.last);
        }
        room.last = Math.max(room.last, seq);
        room.received++;
        String text = frame.path("text").asString();
        if (text.startsWith("t")) {
            int end = text.indexOf(' ');
            if (end > 1) {
                long stamp = Long.parseLong(text, 1, end, 10);
                synchronized (latencyLock) {
                    latency.recordValue(Math.min(MAX_LATENCY_NANOS, Math.max(0, receivedAt - stamp)));
                }
            }
        }
    }

    private void problem(String what) {
        synchronized (problems) {
            if (problems.size() < 100) {
                problems.add(what);
            }
        }
    }

    /** A bounded wait that polls often: the answers it waits for come in milliseconds. */
    private static ConditionFactory soon() {
        return Awaitility.await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2));
    }

    private static Histogram newHistogram() {
        return new Histogram(MAX_LATENCY_NANOS, 3);
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                try {
                    onFrame(partial.toString(), now);
                } catch (RuntimeException e) {
                    problem("failed on a frame: " + e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            if (!closing) {
                problem("closed by the server: " + statusCode + " " + reason);
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
            if (!closing) {
                problem("socket error: " + error);
            }
        }
    }
}
