package io.parley.client;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.RoomName;
import io.parley.protocol.ServerFrame;
import io.parley.protocol.ServerFrame.Message;
import org.jspecify.annotations.Nullable;

/**
 * A Parley connection that survives network failures: one WebSocket at a time, replaced on loss.
 *
 * <h2>Guarantees</h2>
 * <ul>
 * <li><b>Reconnect.</b> On a close whose code {@link CloseCodes#shouldReconnect} allows, or a
 * transport failure, the client reconnects after a delay drawn with full jitter from an
 * exponentially widening window ({@link ParleyClientOptions#backoffBase()} doubling up to
 * {@link ParleyClientOptions#backoffMax()}); a connection that stayed open
 * {@link ParleyClientOptions#stableAfter()} resets the window, and so does 1012 (a draining node:
 * come back at once, with jitter). A 503 handshake adds its {@code Retry-After} to the delay.</li>
 * <li><b>Resume.</b> On every new connection each room is re-joined with {@code since} = the last
 * sequence delivered for it; the server replays what was missed.</li>
 * <li><b>Exactly once, in order.</b> Frame listeners see each {@code (room, seq)} at most once, in
 * increasing order per room: duplicates (replay overlapping live delivery) are dropped.</li>
 * <li><b>Gaps are filled.</b> On a {@code gap} frame (the server shed this connection's backlog),
 * or a sequence jump, the client fetches the missing range with {@code history} (pages of 200,
 * oldest first), delivers it as ordinary {@code message} frames, and holds later live messages
 * until then. The {@code gap} frame itself is also given to listeners, for information. If the
 * server refuses a fill, the client reconnects, and the resume replays the range.</li>
 * <li><b>No lost or doubled sends.</b> A send not acknowledged by {@code sent} is sent again, with
 * its original {@code clientMsgId}, after the rooms are re-joined on the next connection; the
 * server answers a retry with the first sequence. Its future completes with the sequence.</li>
 * </ul>
 *
 * <p>Not retried: the first connection. If it fails, {@link #connect()} fails at once (with a
 * {@link HandshakeRejectedException} for a refused upgrade) and the client is closed, so tests and
 * tools see the refusal. Terminal: close code 1000 or 1008 from the server, and a 401 or 403
 * handshake on a reconnect (the HTTP session is gone: log in again).
 *
 * <h2>Threads</h2>
 * Thread-safe: every method may be called from any thread. Each client runs on its own serial
 * event loop over a shared scheduler; listeners are called on that loop, one at a time, in order,
 * and futures complete on it. Listeners and future callbacks must not block: above all, never wait
 * for one of this client's futures inside them (that would deadlock the loop that completes it).
 * Register listeners before {@link #connect()} not to miss the {@code welcome}.
 *
 * <h2>Use</h2>
 * <pre>{@code
 * ParleyHttp http = new ParleyHttp(URI.create("http://127.0.0.1:8080"));
 * http.login("alice", "correct horse");
 * ParleyClient client = http.clientBuilder().build();
 * client.onFrame(frame -> System.out.println(frame));
 * client.connect().join();
 * client.join("general").join();
 * long seq = client.send("general", "hello").join();
 * client.close();
 * }</pre>
 */
public final class ParleyClient implements AutoCloseable {

    private static final System.Logger log = System.getLogger(ParleyClient.class.getName());

    private final ParleyClientOptions options;
    private final Supplier<@Nullable String> cookies;
    private final Transport transport;
    private final ScheduledExecutorService scheduler;
    private final SerialExecutor loop;
    private final Backoff backoff;
    private final LongSupplier nanoTime;
    private final FrameCodec codec = new FrameCodec();
    private final Session.Events events = new SessionEvents();
    private final List<Consumer<ServerFrame>> frameListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<StateChange>> stateListeners = new CopyOnWriteArrayList<>();

    // Read from any thread; written on the loop.
    private final Map<String, RoomSequencer> rooms = new ConcurrentHashMap<>();
    private volatile ConnectionState state = ConnectionState.NEW;
    private volatile ServerFrame.@Nullable Welcome welcome;

    // Confined to the loop.
    private final Outbox outbox = new Outbox();
    private final Map<String, CompletableFuture<ServerFrame.Joined>> joins = new HashMap<>();
    private final CompletableFuture<ServerFrame.Welcome> connected = new CompletableFuture<>();
    private @Nullable Session session;
    private long sessionIds;
    private long pingIds;
    private boolean everConnected;
    private @Nullable ScheduledFuture<?> reconnectTimer;
    private @Nullable ScheduledFuture<?> heartbeatTimer;

    private ParleyClient(Builder builder) {
        this.options = builder.options();
        this.cookies = builder.cookies;
        this.scheduler = builder.scheduler != null ? builder.scheduler : SharedResources.scheduler();
        this.transport = builder.transport != null ? builder.transport
                : new JdkWebSocketTransport(builder.httpClient != null ? builder.httpClient : SharedResources.httpClient());
        this.loop = new SerialExecutor(scheduler);
        this.backoff = new Backoff(options.backoffBase(), options.backoffMax(), builder.random);
        this.nanoTime = builder.nanoTime;
    }

    /** A builder for a client of the server at {@code baseUri} (its HTTP origin, such as {@code http://127.0.0.1:8080}). */
    public static Builder builder(URI baseUri) {
        return new Builder(baseUri);
    }

    // ---- public API -------------------------------------------------------------------------

    /**
     * Opens the first connection. Completes with the server's {@code welcome}; fails, and closes
     * this client, if that connection cannot be opened. Calling it again returns the same outcome.
     */
    public CompletableFuture<ServerFrame.Welcome> connect() {
        run(() -> {
            if (state == ConnectionState.NEW) {
                changeState(StateChange.of(ConnectionState.CONNECTING));
                startHeartbeat();
                openSession();
            }
        });
        return connected.copy();
    }

    /**
     * Joins {@code room} without replay: delivery starts after the room's last sequence at the
     * time of joining. Completes with {@code joined}. Joining a room already joined returns the
     * first join's outcome. Joins made before {@link #connect()} are sent on connection.
     *
     * @throws io.parley.protocol.BadFrame if {@code room} is not a valid room name
     */
    public CompletableFuture<ServerFrame.Joined> join(String room) {
        return join(room, null);
    }

    /**
     * Joins {@code room} and has every message after {@code since} delivered (replayed, then
     * live). For a room already joined, delivery never goes back: use {@link #history} to re-read.
     */
    public CompletableFuture<ServerFrame.Joined> join(String room, long since) {
        return join(room, Long.valueOf(since));
    }

    private CompletableFuture<ServerFrame.Joined> join(String room, @Nullable Long since) {
        new ClientFrame.Join(room, since); // validates in the caller's thread
        CompletableFuture<ServerFrame.Joined> result = new CompletableFuture<>();
        run(() -> {
            if (rejectIfClosed(result)) {
                return;
            }
            outbox.cancelLeave(room);
            CompletableFuture<ServerFrame.Joined> existing = joins.get(room);
            if (existing != null) {
                existing.whenComplete((joined, error) -> complete(result, joined, error));
                return;
            }
            RoomSequencer sequencer = new RoomSequencer(room, since == null ? RoomSequencer.UNKNOWN : since);
            rooms.put(room, sequencer);
            joins.put(room, result);
            Session s = session;
            if (s != null && s.welcome != null) {
                s.join(room, sequencer.since());
            }
        });
        return result;
    }

    /**
     * Leaves {@code room}: its messages stop at once, and the server forgets the membership.
     * Completes on {@code left}; sent again after a reconnect until confirmed.
     */
    public CompletableFuture<Void> leave(String room) {
        new ClientFrame.Leave(room);
        CompletableFuture<Void> result = new CompletableFuture<>();
        run(() -> {
            if (rejectIfClosed(result)) {
                return;
            }
            rooms.remove(room);
            CompletableFuture<ServerFrame.Joined> joining = joins.remove(room);
            if (joining != null) {
                joining.completeExceptionally(new CancellationException("left " + room + " before it was joined"));
            }
            outbox.leave(room, result, liveSession());
        });
        return result;
    }

    /**
     * Posts {@code text} to {@code room} with a new random {@code clientMsgId}. Completes with the
     * message's sequence once the server has committed it; survives reconnects (see class doc).
     *
     * @throws io.parley.protocol.BadFrame if {@code room} or {@code text} is invalid
     */
    public CompletableFuture<Long> send(String room, String text) {
        return send(room, UUID.randomUUID(), text);
    }

    /** As {@link #send(String, String)}, with the caller's {@code clientMsgId} (to retry a send across client instances). */
    public CompletableFuture<Long> send(String room, UUID clientMsgId, String text) {
        ClientFrame.Send frame = new ClientFrame.Send(room, clientMsgId, text);
        CompletableFuture<Long> result = new CompletableFuture<>();
        run(() -> {
            if (!rejectIfClosed(result)) {
                outbox.send(frame, result, liveSession());
            }
        });
        return result;
    }

    /**
     * Up to {@code limit} messages of {@code room} below {@code before} (the newest when null),
     * ascending. Sent again after a reconnect until answered. These messages do not pass through
     * the de-duplication of live delivery and do not move {@link #lastSeq}.
     */
    public CompletableFuture<List<Message>> history(String room, @Nullable Long before, int limit) {
        ClientFrame.History frame = new ClientFrame.History(room, before, limit);
        CompletableFuture<List<Message>> result = new CompletableFuture<>();
        run(() -> {
            if (!rejectIfClosed(result)) {
                outbox.history(new Session.HistoryRequest(frame, result), liveSession());
            }
        });
        return result;
    }

    /** Tells the room's other members that this user is typing. Dropped when not connected. */
    public void typing(String room) {
        RoomName.check(room);
        run(() -> {
            Session s = liveSession();
            if (s != null) {
                s.send(new ClientFrame.Typing(room));
            }
        });
    }

    /**
     * An application-level ping. Completes with the round-trip time; fails with
     * {@link ConnectionLostException} when not connected or if the connection is lost first.
     */
    public CompletableFuture<Duration> ping() {
        CompletableFuture<Duration> result = new CompletableFuture<>();
        run(() -> {
            if (rejectIfClosed(result)) {
                return;
            }
            Session s = liveSession();
            if (s == null) {
                result.completeExceptionally(new ConnectionLostException("not connected (" + state + ")"));
                return;
            }
            s.ping("p-" + (++pingIds), new Session.PendingPing(result, nanoTime.getAsLong()));
        });
        return result;
    }

    /** The last sequence delivered to listeners for {@code room}, or 0 if none (or not joined). Any thread. */
    public long lastSeq(String room) {
        RoomSequencer sequencer = rooms.get(room);
        return sequencer == null ? 0 : Math.max(0, sequencer.delivered());
    }

    /** The rooms joined (asked for and not left). Any thread. */
    public Set<String> rooms() {
        return Set.copyOf(rooms.keySet());
    }

    public ConnectionState state() {
        return state;
    }

    /** The {@code welcome} of the current (or last) connection: who the server says we are, and which node. */
    public ServerFrame.@Nullable Welcome welcome() {
        return welcome;
    }

    public ParleyClientOptions options() {
        return options;
    }

    /**
     * Adds a frame listener. It receives every server frame, except that {@code message}s come
     * de-duplicated and in order per room (including those recovered from gaps), and the
     * {@code history} and {@code pong} answers to the client's own gap fills and heartbeats are
     * kept internal.
     */
    public ParleyClient onFrame(Consumer<ServerFrame> listener) {
        frameListeners.add(listener);
        return this;
    }

    /** Adds a listener of state changes (see {@link ConnectionState}). */
    public ParleyClient onStateChange(Consumer<StateChange> listener) {
        stateListeners.add(listener);
        return this;
    }

    /**
     * Drops the current connection abruptly, without a close frame, as a lost network would. The
     * client then reconnects and resumes by itself. For tests; no effect while not connected.
     */
    public void abort() {
        run(() -> {
            Session s = session;
            Transport.Connection c = s == null ? null : s.connection;
            if (c != null) {
                c.abort();
            }
        });
    }

    /**
     * Closes with 1000 and stops reconnecting. Pending requests fail with
     * {@link ClientClosedException}. Idempotent; when called off the loop, returns once closed.
     */
    @Override
    public void close() {
        if (loop.inLoop()) {
            closeNow();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                closeNow();
            } finally {
                done.complete(null);
            }
        });
        try {
            done.get(options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.log(Level.WARNING, "close did not complete in time", e);
        }
    }

    // ---- lifecycle (event loop) -------------------------------------------------------------

    private void openSession() {
        Session s = new Session(++sessionIds, loop, events, codec);
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
            String cookie = cookies.get();
            if (cookie != null && !cookie.isEmpty()) {
                headers.put("Cookie", cookie);
            }
            transport.connect(options.webSocketUri(), headers, timeout, s);
        } catch (RuntimeException e) {
            ended(s, Transport.ABNORMAL_CLOSURE, "could not start connecting: " + e.getMessage(), e);
        }
    }

    private void opened(Session s, Transport.Connection connection) {
        if (session != s) {
            connection.abort(); // an attempt given up on (timeout, close) came through late
            return;
        }
        s.connection = connection;
        s.lastReceivedNanos = nanoTime.getAsLong();
    }

    private void welcomed(Session s, ServerFrame.Welcome w) {
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
        for (RoomSequencer room : rooms.values()) {
            s.rejoins.add(room.room());
            s.join(room.room(), room.since());
        }
        if (s.rejoins.isEmpty()) {
            goLive(s);
        }
    }

    /** Every room is re-joined: flush the outbox (resends after re-joins, as promised). */
    private void goLive(Session s) {
        s.live = true;
        outbox.flush(s);
        if (s.id > 1) { // the first connection reported CONNECTED at its welcome
            changeState(StateChange.of(ConnectionState.RESUMED));
        }
    }

    /** Gives up on {@code s} now (timeout, heartbeat): reports it ended, then drops its socket. */
    private void drop(Session s, String reason, Throwable cause) {
        Transport.Connection c = s.connection;
        ended(s, Transport.ABNORMAL_CLOSURE, reason, cause);
        if (c != null) {
            c.abort();
        }
    }

    private void ended(Session s, int code, String reason, @Nullable Throwable cause) {
        if (session != s) {
            return;
        }
        session = null;
        s.cancelTimers();
        ConnectionLostException lost = new ConnectionLostException("connection lost: " + code + " " + reason);
        s.pings.values().forEach(p -> {
            if (p.result() != null) {
                p.result().completeExceptionally(lost);
            }
        });
        outbox.requeue(s);
        rooms.values().forEach(RoomSequencer::reset);
        if (state == ConnectionState.CLOSED) {
            return;
        }
        boolean fatal = !everConnected
                || !CloseCodes.shouldReconnect(code)
                || cause instanceof HandshakeRejectedException h && !h.isRetryable();
        if (fatal) {
            log.log(Level.DEBUG, "connection ended for good: {0} {1}", code, reason);
            terminate(code, reason, cause);
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

    private void closeNow() {
        if (state == ConnectionState.CLOSED) {
            return;
        }
        Session s = session;
        session = null;
        if (s != null) {
            s.cancelTimers();
            if (s.connection != null) {
                s.connection.close(CloseCodes.NORMAL, "client closed");
            }
            s.pings.values().forEach(p -> {
                if (p.result() != null) {
                    p.result().completeExceptionally(new ClientClosedException("client closed", CloseCodes.NORMAL, null));
                }
            });
            outbox.requeue(s);
        }
        terminate(CloseCodes.NORMAL, "closed by the client", null);
    }

    private void terminate(int code, String reason, @Nullable Throwable cause) {
        cancel(reconnectTimer);
        cancel(heartbeatTimer);
        ClientClosedException closed = new ClientClosedException("client closed: " + code + " " + reason, code, cause);
        changeState(new StateChange(ConnectionState.CLOSED, code, reason, cause, null));
        connected.completeExceptionally(cause != null && !everConnected ? cause : closed);
        outbox.failAll(closed);
        joins.values().forEach(f -> f.completeExceptionally(closed));
        rooms.values().forEach(RoomSequencer::reset);
    }

    private void startHeartbeat() {
        long period = options.heartbeat().toNanos() / 2;
        if (period > 0) {
            heartbeatTimer = scheduler.scheduleAtFixedRate(() -> loop.execute(this::heartbeat),
                    period, period, TimeUnit.NANOSECONDS);
        }
    }

    /** Pings an idle connection; drops one that stayed silent for two heartbeats. */
    private void heartbeat() {
        Session s = session;
        if (s == null || s.welcome == null || s.connection == null) {
            return;
        }
        long now = nanoTime.getAsLong();
        long idle = now - s.lastReceivedNanos;
        long heartbeat = options.heartbeat().toNanos();
        if (idle >= 2 * heartbeat) {
            log.log(Level.INFO, "nothing received from {0} for {1} ms; reconnecting",
                    s.welcome.node(), TimeUnit.NANOSECONDS.toMillis(idle));
            drop(s, "heartbeat timeout", new TimeoutException("no frame for " + TimeUnit.NANOSECONDS.toMillis(idle) + " ms"));
        } else if (idle >= heartbeat && s.lastHeartbeatNanos <= s.lastReceivedNanos) {
            s.lastHeartbeatNanos = now;
            s.ping("hb-" + (++pingIds), new Session.PendingPing(null, now));
        }
    }

    // ---- inbound frames (event loop) --------------------------------------------------------

    private void received(Session s, String text) {
        if (session != s) {
            return;
        }
        s.lastReceivedNanos = nanoTime.getAsLong();
        ServerFrame frame;
        try {
            frame = codec.decodeServer(text);
        } catch (IllegalArgumentException e) {
            log.log(Level.WARNING, "ignoring a frame this client does not understand: {0}", e.getMessage());
            return;
        }
        if (frame instanceof Message m) {
            onMessage(s, m);
            return;
        }
        if (frame instanceof ServerFrame.History h && isFill(s, h)) {
            return;
        }
        if (frame instanceof ServerFrame.Pong p && isHeartbeat(s, p)) {
            return;
        }
        publish(frame);
        if (frame instanceof ServerFrame.Welcome w) {
            welcomed(s, w);
        } else if (frame instanceof ServerFrame.Joined j) {
            onJoined(s, j);
        } else if (frame instanceof ServerFrame.Sent sent) {
            outbox.sent(sent.clientMsgId(), sent.seq());
        } else if (frame instanceof ServerFrame.Gap g) {
            onGap(s, g);
        } else if (frame instanceof ServerFrame.Left l) {
            s.leaves.remove(l.room());
            outbox.left(l.room());
        } else if (frame instanceof ServerFrame.Error e) {
            onError(s, e);
        }
    }

    private void onMessage(Session s, Message m) {
        ServerFrame.Welcome w = s.welcome;
        if (w != null) {
            outbox.echoed(m, w.user());
        }
        RoomSequencer room = rooms.get(m.room());
        if (room != null) {
            deliver(room.onMessage(m));
            requestFill(s, room);
        }
    }

    private void onGap(Session s, ServerFrame.Gap gap) {
        RoomSequencer room = rooms.get(gap.room());
        if (room != null) {
            room.onGap(gap.from(), gap.to());
            requestFill(s, room);
        }
    }

    private void requestFill(Session s, RoomSequencer room) {
        ClientFrame.History fill = room.nextFill();
        if (fill != null) {
            s.history(new Session.HistoryRequest(fill, null));
        }
    }

    /** Routes a history page: to the gap fill it answers (true: internal), else to the user's request. */
    private boolean isFill(Session s, ServerFrame.History page) {
        Session.HistoryRequest request = s.takeHistory(page.room());
        if (request == null) {
            return false;
        }
        if (!request.isFill()) {
            request.result().complete(page.messages());
            return false;
        }
        RoomSequencer room = rooms.get(page.room());
        if (room != null) {
            deliver(room.onFill(page.messages()));
            requestFill(s, room);
        }
        return true;
    }

    private boolean isHeartbeat(Session s, ServerFrame.Pong pong) {
        Session.PendingPing ping = pong.id() == null ? null : s.pings.remove(pong.id());
        if (ping == null) {
            return false;
        }
        if (ping.result() == null) {
            return true;
        }
        ping.result().complete(Duration.ofNanos(nanoTime.getAsLong() - ping.sentAtNanos()));
        return false;
    }

    private void onJoined(Session s, ServerFrame.Joined joined) {
        String room = joined.room();
        s.joins.remove(room);
        RoomSequencer sequencer = rooms.get(room);
        if (sequencer != null) {
            sequencer.onJoined(joined.lastSeq());
            CompletableFuture<ServerFrame.Joined> pending = joins.get(room);
            if (pending != null) {
                pending.complete(joined);
            }
        }
        rejoinAnswered(s, room);
    }

    /** An {@code error} answers the request named by its ref: a clientMsgId, else the oldest of a frame type. */
    private void onError(Session s, ServerFrame.Error error) {
        String ref = error.ref();
        if (ref == null) {
            return;
        }
        RequestFailedException failure = new RequestFailedException(error);
        UUID clientMsgId = uuidOrNull(ref);
        if (clientMsgId != null) {
            outbox.failSend(clientMsgId, failure);
            return;
        }
        switch (ref) {
            case "join" -> {
                String room = s.joins.poll();
                if (room != null) {
                    rooms.remove(room);
                    CompletableFuture<ServerFrame.Joined> pending = joins.remove(room);
                    if (pending != null) {
                        pending.completeExceptionally(failure);
                    }
                    rejoinAnswered(s, room);
                }
            }
            case "leave" -> {
                String room = s.leaves.poll();
                if (room != null) {
                    outbox.failLeave(room, failure);
                }
            }
            case "history" -> {
                Session.HistoryRequest request = s.histories.poll();
                if (request != null && request.isFill()) {
                    log.log(Level.WARNING, "the server refused to fill a gap in {0} ({1}); reconnecting to resume it",
                            request.frame().room(), error.message());
                    drop(s, "gap fill refused", failure);
                } else if (request != null) {
                    Outbox.failHistory(request, failure);
                }
            }
            case "ping" -> {
                Session.PendingPing ping = s.takeOldestPing();
                if (ping != null && ping.result() != null) {
                    ping.result().completeExceptionally(failure);
                }
            }
            default -> {
                // typing, or a type this client does not track: the listener has the frame
            }
        }
    }

    private void rejoinAnswered(Session s, String room) {
        if (s.rejoins.remove(room) && s.rejoins.isEmpty() && !s.live) {
            goLive(s);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private void deliver(List<Message> messages) {
        for (Message m : messages) {
            publish(m);
        }
    }

    private void publish(ServerFrame frame) {
        for (Consumer<ServerFrame> listener : frameListeners) {
            try {
                listener.accept(frame);
            } catch (RuntimeException e) {
                log.log(Level.WARNING, "frame listener failed", e);
            }
        }
    }

    private void changeState(StateChange change) {
        state = change.state();
        for (Consumer<StateChange> listener : stateListeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException e) {
                log.log(Level.WARNING, "state listener failed", e);
            }
        }
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

    private void run(Runnable task) {
        loop.execute(task);
    }

    private static void cancel(@Nullable ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private static @Nullable UUID uuidOrNull(String ref) {
        if (ref.length() != 36) {
            return null;
        }
        try {
            return UUID.fromString(ref);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static <T> void complete(CompletableFuture<T> target, @Nullable T value, @Nullable Throwable error) {
        if (error != null) {
            target.completeExceptionally(error);
        } else {
            target.complete(value);
        }
    }

    /** Adapts session callbacks to the client's private methods. */
    private final class SessionEvents implements Session.Events {
        @Override
        public void opened(Session s, Transport.Connection connection) {
            ParleyClient.this.opened(s, connection);
        }

        @Override
        public void received(Session s, String text) {
            ParleyClient.this.received(s, text);
        }

        @Override
        public void ended(Session s, int code, String reason, @Nullable Throwable cause) {
            ParleyClient.this.ended(s, code, reason, cause);
        }
    }

    /**
     * Configures a {@link ParleyClient}. Not thread-safe; a built client keeps no reference to it.
     */
    public static final class Builder {

        private final URI baseUri;
        private @Nullable URI webSocketUri;
        private @Nullable String origin;
        private Duration connectTimeout = ParleyClientOptions.DEFAULT_CONNECT_TIMEOUT;
        private Duration backoffBase = ParleyClientOptions.DEFAULT_BACKOFF_BASE;
        private Duration backoffMax = ParleyClientOptions.DEFAULT_BACKOFF_MAX;
        private Duration stableAfter = ParleyClientOptions.DEFAULT_STABLE_AFTER;
        private Duration heartbeat = ParleyClientOptions.DEFAULT_HEARTBEAT;
        private Supplier<@Nullable String> cookies = () -> null;
        private @Nullable HttpClient httpClient;
        private @Nullable ScheduledExecutorService scheduler;
        private @Nullable Transport transport;
        private RandomGenerator random = new SplittableRandom();
        private LongSupplier nanoTime = System::nanoTime;

        private Builder(URI baseUri) {
            this.baseUri = baseUri;
        }

        /**
         * The {@code Cookie} header value for the handshake (the {@code SESSION} cookie), read
         * again on every connection attempt. {@link ParleyHttp#clientBuilder()} sets it.
         */
        public Builder cookies(Supplier<@Nullable String> cookieHeader) {
            this.cookies = cookieHeader;
            return this;
        }

        /** Overrides the {@code Origin} header (the default is the origin of the base URI). */
        public Builder origin(String origin) {
            this.origin = origin;
            return this;
        }

        /** Overrides the WebSocket URI (the default is the base URI with {@code ws(s)} and path {@code /ws}). */
        public Builder webSocketUri(URI webSocketUri) {
            this.webSocketUri = webSocketUri;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** Reconnect delays: full jitter over {@code [0, min(max, base * 2^attempt)]}. */
        public Builder backoff(Duration base, Duration max) {
            this.backoffBase = base;
            this.backoffMax = max;
            return this;
        }

        public Builder stableAfter(Duration stableAfter) {
            this.stableAfter = stableAfter;
            return this;
        }

        /** Idle time before a ping; twice this without any frame drops the connection. Zero turns it off. */
        public Builder heartbeat(Duration heartbeat) {
            this.heartbeat = heartbeat;
            return this;
        }

        /** The HTTP client that opens WebSockets; share one across many clients. Its cookie handler is not used. */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = httpClient;
            return this;
        }

        /**
         * The pool that runs this client's event loop and timers; share one across many clients.
         * The default is a process-wide daemon pool of {@code max(2, cores)} threads.
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        Builder transport(Transport transport) {
            this.transport = transport;
            return this;
        }

        Builder random(RandomGenerator random) {
            this.random = random;
            return this;
        }

        Builder nanoTime(LongSupplier nanoTime) {
            this.nanoTime = nanoTime;
            return this;
        }

        ParleyClientOptions options() {
            return new ParleyClientOptions(baseUri,
                    webSocketUri != null ? webSocketUri : ParleyClientOptions.webSocketUriOf(baseUri),
                    origin != null ? origin : ParleyClientOptions.originOf(baseUri),
                    connectTimeout, backoffBase, backoffMax, stableAfter, heartbeat);
        }

        /** @throws IllegalArgumentException if a setting is out of range (see {@link ParleyClientOptions}) */
        public ParleyClient build() {
            return new ParleyClient(this);
        }
    }
}
