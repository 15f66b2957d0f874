package io.parley.client;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import org.jspecify.annotations.Nullable;

/**
 * The life cycle behind a {@link ParleyClient}: one {@link Session} at a time, replaced after a
 * backoff delay when it ends, until the client closes or a close must not be retried.
 *
 * <p>A session goes: handshake → {@code welcome} (within the connect timeout) → every room
 * re-joined with {@code since} → live: the {@link Outbox} is flushed and requests go straight out.
 * It ends by a close from the server, a transport error, {@link ParleyClient#abort()}, a missing
 * {@code welcome}, or two silent heartbeats.
 *
 * <p>Confined to the client's event loop, except {@link #state()} and {@link #welcome()}.
 */
final class ResumableConnection implements Session.Events, FrameRouter.Lifecycle {

    private static final System.Logger log = System.getLogger(ResumableConnection.class.getName());

    private final ParleyClientOptions options;
    private final Supplier<Map<String, String>> credentials;
    private final Transport transport;
    private final ScheduledExecutorService scheduler;
    private final SerialExecutor loop;
    private final Backoff backoff;
    private final LongSupplier nanoTime;
    private final Listeners listeners;
    private final FrameCodec codec = new FrameCodec();
    private final Rooms rooms = new Rooms();
    private final Outbox outbox = new Outbox();
    private final FrameRouter router;
    private final CompletableFuture<ServerFrame.Welcome> connected = new CompletableFuture<>();

    private volatile ConnectionState state = ConnectionState.NEW;
    private volatile ServerFrame.@Nullable Welcome welcome;

    private @Nullable Session session;
    private long sessionIds;
    private long pingIds;
    private boolean everConnected;
    private @Nullable ScheduledFuture<?> reconnectTimer;
    private @Nullable ScheduledFuture<?> heartbeatTimer;

    ResumableConnection(ParleyClientOptions options, Supplier<Map<String, String>> credentials, Transport transport,
            ScheduledExecutorService scheduler, SerialExecutor loop, Backoff backoff, LongSupplier nanoTime,
            Listeners listeners) {
        this.options = options;
        this.credentials = credentials;
        this.transport = transport;
        this.scheduler = scheduler;
        this.loop = loop;
        this.backoff = backoff;
        this.nanoTime = nanoTime;
        this.listeners = listeners;
        this.router = new FrameRouter(codec, rooms, outbox, listeners, nanoTime, this);
    }

    ConnectionState state() {
        return state;
    }

    ServerFrame.@Nullable Welcome welcome() {
        return welcome;
    }

    Rooms rooms() {
        return rooms;
    }

    /** Completes on the first {@code welcome}; fails if the first connection fails or the client closes first. */
    CompletableFuture<ServerFrame.Welcome> connected() {
        return connected;
    }

    // ---- requests, from ParleyClient, on the loop -------------------------------------------

    void connect() {
        if (state == ConnectionState.NEW) {
            changeState(StateChange.of(ConnectionState.CONNECTING));
            startHeartbeat();
            openSession();
        }
    }

    void join(String room, @Nullable Long since, CompletableFuture<ServerFrame.Joined> result) {
        if (rejectIfClosed(result)) {
            return;
        }
        outbox.cancelLeave(room);
        RoomSequencer added = rooms.add(room, since, result);
        Session s = session;
        if (added != null && s != null && s.welcome != null) {
            s.join(room, added.since());
        }
    }

    void leave(String room, CompletableFuture<Void> result) {
        if (!rejectIfClosed(result)) {
            rooms.remove(room);
            outbox.leave(room, result, liveSession());
        }
    }

    void send(ClientFrame.Send frame, CompletableFuture<Long> result) {
        if (!rejectIfClosed(result)) {
            outbox.send(frame, result, liveSession());
        }
    }

    void history(ClientFrame.History frame, CompletableFuture<List<ServerFrame.Message>> result) {
        if (!rejectIfClosed(result)) {
            outbox.history(new Session.HistoryRequest(frame, result), liveSession());
        }
    }

    /** Presents a new access token on the live connection; dropped when not connected (the next handshake carries it). */
    void authenticate(String accessToken) {
        Session s = liveSession();
        if (s != null) {
            s.send(new ClientFrame.Auth(accessToken));
        }
    }

    void read(ClientFrame.Read frame) {
        Session s = liveSession();
        if (s != null) {
            s.send(frame);
        }
    }

    void typing(String room) {
        Session s = liveSession();
        if (s != null) {
            s.send(new ClientFrame.Typing(room));
        }
    }

    void ping(CompletableFuture<Duration> result) {
        if (rejectIfClosed(result)) {
            return;
        }
        Session s = liveSession();
        if (s == null) {
            result.completeExceptionally(new ConnectionLostException("not connected (" + state + ")"));
            return;
        }
        s.ping("p-" + (++pingIds), new Session.PendingPing(result, nanoTime.getAsLong()));
    }

    void abort() {
        Session s = session;
        Transport.Connection c = s == null ? null : s.connection;
        if (c != null) {
            c.abort();
        }
    }

    void close() {
        if (state == ConnectionState.CLOSED) {
            return;
        }
        Session s = session;
        session = null;
        if (s != null) {
            s.cancelTimers();
            Transport.Connection c = s.connection;
            if (c != null) {
                c.close(CloseCodes.NORMAL, "client closed");
            }
            outbox.requeue(s);
        }
        terminate(CloseCodes.NORMAL, "closed by the client", null, s);
    }

    // ---- sessions ---------------------------------------------------------------------------

    private void openSession() {
        Session s = new Session(++sessionIds, loop, this, codec);
        session = s;
        Duration timeout = options.connectTimeout();
        s.welcomeTimer = scheduler.schedule(() -> loop.execute(() -> {
            if (session == s && s.welcome == null) {
                drop(s, "no welcome within " + timeout.toMillis() + " ms", new TimeoutException("connect timeout"));
            }
        }), timeout.toNanos(), TimeUnit.NANOSECONDS);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Origin", options.origin());
        try {
            headers.putAll(credentials.get());
            transport.connect(options.webSocketUri(), headers, timeout, s);
        } catch (RuntimeException e) {
            ended(s, Transport.ABNORMAL_CLOSURE, "could not start connecting: " + e.getMessage(), e);
        }
    }

    @Override
    public void opened(Session s, Transport.Connection connection) {
        if (session != s) {
            connection.abort(); // an attempt given up on (timeout, close) that came through late
            return;
        }
        s.connection = connection;
        s.lastReceivedNanos = nanoTime.getAsLong();
    }

    @Override
    public void received(Session s, String text) {
        if (session == s) {
            s.lastReceivedNanos = nanoTime.getAsLong();
            router.route(s, text);
        }
    }

    @Override
    public void welcomed(Session s, ServerFrame.Welcome w) {
        if (s.welcome != null) {
            return;
        }
        s.welcome = w;
        welcome = w;
        s.welcomedAtNanos = nanoTime.getAsLong();
        s.cancelTimers();
        if (!everConnected) {
            everConnected = true;
            changeState(StateChange.of(ConnectionState.CONNECTED));
            connected.complete(w);
        }
        if (!options.heartbeat().isZero()) {
            heartbeatPing(s, s.welcomedAtNanos); // a first frame at once, whatever the server's first-message limit
        }
        for (RoomSequencer room : rooms.all()) {
            s.rejoins.add(room.room());
            s.join(room.room(), room.since());
        }
        if (s.rejoins.isEmpty()) {
            rejoined(s);
        }
    }

    /** Every room is re-joined: now the outbox goes out, un-acknowledged sends with their original ids. */
    @Override
    public void rejoined(Session s) {
        s.live = true;
        outbox.flush(s);
        if (s.id > 1) { // the first connection reported CONNECTED at its welcome
            changeState(StateChange.of(ConnectionState.RESUMED));
        }
    }

    /** Reports {@code s} ended at once, then drops its socket (whose own report is then stale). */
    @Override
    public void drop(Session s, String reason, Throwable cause) {
        Transport.Connection c = s.connection;
        ended(s, Transport.ABNORMAL_CLOSURE, reason, cause);
        if (c != null) {
            c.abort();
        }
    }

    @Override
    public void ended(Session s, int code, String reason, @Nullable Throwable cause) {
        if (session != s) {
            return;
        }
        session = null;
        s.cancelTimers();
        failPings(s, new ConnectionLostException("connection lost: " + code + " " + reason));
        outbox.requeue(s);
        rooms.connectionLost();
        if (state == ConnectionState.CLOSED) {
            return;
        }
        boolean fatal = !everConnected
                || !CloseCodes.shouldReconnect(code)
                || cause instanceof HandshakeRejectedException h && !h.isRetryable();
        if (fatal) {
            log.log(Level.DEBUG, "connection ended for good: {0} {1}", code, reason);
            terminate(code, reason, cause, null);
            return;
        }
        if (s.welcome != null && nanoTime.getAsLong() - s.welcomedAtNanos >= options.stableAfter().toNanos()
                || code == CloseCodes.SERVICE_RESTART) {
            backoff.reset();
        }
        Duration delay = backoff.next();
        if (cause instanceof HandshakeRejectedException h && h.retryAfter() != null) {
            delay = delay.plus(h.retryAfter());
        }
        log.log(Level.DEBUG, "connection lost ({0} {1}); reconnecting in {2} ms", code, reason, delay.toMillis());
        changeState(new StateChange(ConnectionState.RECONNECTING, code, reason, cause, delay));
        reconnectTimer = scheduler.schedule(() -> loop.execute(() -> {
            if (state != ConnectionState.CLOSED && session == null) {
                openSession();
            }
        }), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void terminate(int code, String reason, @Nullable Throwable cause, @Nullable Session last) {
        cancel(reconnectTimer);
        cancel(heartbeatTimer);
        ClientClosedException closed = new ClientClosedException("client closed: " + code + " " + reason, code, cause);
        changeState(new StateChange(ConnectionState.CLOSED, code, reason, cause, null));
        connected.completeExceptionally(cause != null && !everConnected ? cause : closed);
        if (last != null) {
            failPings(last, closed);
        }
        outbox.failAll(closed);
        rooms.failPendingJoins(closed);
    }

    // ---- heartbeat --------------------------------------------------------------------------

    private void startHeartbeat() {
        long period = options.heartbeat().toNanos() / 2;
        if (period > 0) {
            heartbeatTimer = scheduler.scheduleAtFixedRate(() -> loop.execute(this::heartbeat),
                    period, period, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Pings an idle connection; drops one that stayed silent for two heartbeats. (The first ping
     * goes out right after {@code welcome}, so that a client that has nothing to say yet still
     * sends a frame before a server's first-message time limit.)
     */
    private void heartbeat() {
        Session s = session;
        if (s == null || s.welcome == null || s.connection == null) {
            return;
        }
        long now = nanoTime.getAsLong();
        long idle = now - s.lastReceivedNanos;
        long heartbeat = options.heartbeat().toNanos();
        if (idle >= 2 * heartbeat) {
            log.log(Level.INFO, "nothing received from node {0} for {1} ms; reconnecting",
                    s.welcome.node(), TimeUnit.NANOSECONDS.toMillis(idle));
            drop(s, "heartbeat timeout", new TimeoutException("no frame for " + TimeUnit.NANOSECONDS.toMillis(idle) + " ms"));
        } else if (idle >= heartbeat && s.lastHeartbeatNanos <= s.lastReceivedNanos) {
            heartbeatPing(s, now);
        }
    }

    private void heartbeatPing(Session s, long now) {
        s.lastHeartbeatNanos = now;
        s.ping("hb-" + (++pingIds), new Session.PendingPing(null, now));
    }

    // ---- helpers ----------------------------------------------------------------------------

    private void changeState(StateChange change) {
        state = change.state();
        listeners.state(change);
    }

    private @Nullable Session liveSession() {
        Session s = session;
        return s != null && s.live ? s : null;
    }

    private boolean rejectIfClosed(CompletableFuture<?> result) {
        if (state != ConnectionState.CLOSED) {
            return false;
        }
        result.completeExceptionally(new ClientClosedException("client closed", null, null));
        return true;
    }

    private static void failPings(Session s, Throwable error) {
        s.pings.values().forEach(ping -> {
            CompletableFuture<Duration> result = ping.result();
            if (result != null) {
                result.completeExceptionally(error);
            }
        });
        s.pings.clear();
    }

    private static void cancel(@Nullable ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
