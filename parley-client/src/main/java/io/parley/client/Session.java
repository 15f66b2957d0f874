package io.parley.client;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import org.jspecify.annotations.Nullable;

/**
 * One connection attempt of a {@link ParleyClient} and what is outstanding on it. Replies carry no
 * request id except {@code sent} and {@code pong}, so each kind of request is matched to its reply
 * in order: {@code joined} and {@code left} by room, {@code history} by room then order, an
 * {@code error} whose {@code ref} is a frame type by the oldest outstanding request of that type.
 *
 * <p>Transport callbacks hop onto the client's event loop; everything else is confined to it. A
 * session that is no longer the client's current one is stale, and its callbacks are ignored.
 */
final class Session implements Transport.Listener {

    /** What a session reports to its client, on the client's event loop. */
    interface Events {
        void opened(Session session, Transport.Connection connection);

        void received(Session session, String text);

        void ended(Session session, int code, String reason, @Nullable Throwable cause);
    }

    /** A user's {@code history} request, or one of the client's own gap fills when {@code result} is null. */
    record HistoryRequest(ClientFrame.History frame, @Nullable CompletableFuture<List<ServerFrame.Message>> result) {
        boolean isFill() {
            return result == null;
        }
    }

    /** A {@code ping} in flight; {@code result} is null for the client's own heartbeat. */
    record PendingPing(@Nullable CompletableFuture<Duration> result, long sentAtNanos) {
    }

    final long id;
    private final Executor loop;
    private final Events events;
    private final FrameCodec codec;

    Transport.@Nullable Connection connection;
    ServerFrame.@Nullable Welcome welcome;
    /** Every room re-joined and the outbox flushed: requests go straight out. */
    boolean live;
    long welcomedAtNanos;
    long lastReceivedNanos;
    long lastHeartbeatNanos;
    @Nullable ScheduledFuture<?> welcomeTimer;

    /** Rooms whose {@code join} awaits {@code joined}, oldest first. */
    final Deque<String> joins = new ArrayDeque<>();
    /** Rooms re-joined on this connection that must answer before it goes live. */
    final Set<String> rejoins = new HashSet<>();
    final Deque<String> leaves = new ArrayDeque<>();
    final Deque<HistoryRequest> histories = new ArrayDeque<>();
    final Map<String, PendingPing> pings = new LinkedHashMap<>();

    Session(long id, Executor loop, Events events, FrameCodec codec) {
        this.id = id;
        this.loop = loop;
        this.events = events;
        this.codec = codec;
    }

    // Transport callbacks: any thread, serially.

    @Override
    public void onOpen(Transport.Connection connection) {
        loop.execute(() -> events.opened(this, connection));
    }

    @Override
    public CompletionStage<?> onText(String text) {
        CompletableFuture<Void> processed = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                events.received(this, text);
            } finally {
                processed.complete(null);
            }
        });
        return processed;
    }

    @Override
    public void onClose(int code, String reason) {
        loop.execute(() -> events.ended(this, code, reason, null));
    }

    @Override
    public void onError(Throwable error) {
        loop.execute(() -> events.ended(this, Transport.ABNORMAL_CLOSURE, String.valueOf(error.getMessage()), error));
    }

    // Requests: event loop only, once welcomed.

    void send(ClientFrame frame) {
        Transport.Connection c = connection;
        if (c == null) {
            throw new IllegalStateException("session " + id + " is not open");
        }
        c.send(codec.encode(frame));
    }

    void join(String room, @Nullable Long since) {
        joins.add(room);
        send(new ClientFrame.Join(room, since));
    }

    void leave(String room) {
        leaves.add(room);
        send(new ClientFrame.Leave(room));
    }

    void history(HistoryRequest request) {
        histories.add(request);
        send(request.frame());
    }

    void ping(String pingId, PendingPing pending) {
        pings.put(pingId, pending);
        send(new ClientFrame.Ping(pingId));
    }

    /** The oldest outstanding history request for {@code room}, removed; null if none. */
    @Nullable HistoryRequest takeHistory(String room) {
        for (Iterator<HistoryRequest> it = histories.iterator(); it.hasNext(); ) {
            HistoryRequest request = it.next();
            if (request.frame().room().equals(room)) {
                it.remove();
                return request;
            }
        }
        return null;
    }

    /** The oldest outstanding ping, removed; null if none. */
    @Nullable PendingPing takeOldestPing() {
        Iterator<PendingPing> it = pings.values().iterator();
        if (!it.hasNext()) {
            return null;
        }
        PendingPing oldest = it.next();
        it.remove();
        return oldest;
    }

    void cancelTimers() {
        ScheduledFuture<?> timer = welcomeTimer;
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
