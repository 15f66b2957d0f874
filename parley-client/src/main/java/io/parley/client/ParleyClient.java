package io.parley.client;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.RoomName;
import io.parley.protocol.ServerFrame;
import io.parley.protocol.ServerFrame.Message;
import org.jspecify.annotations.Nullable;

/**
 * A Parley connection that survives network failures: one WebSocket at a time, replaced on loss.
 *
 * <h2>Guarantees</h2>
 * <ul>
 * <li><b>Reconnect.</b> On a close whose code {@link io.parley.protocol.CloseCodes#shouldReconnect}
 * allows, a transport failure, or a connection silent for two
 * {@linkplain ParleyClientOptions#heartbeat() heartbeats}, the client reconnects after a delay drawn with full jitter from an
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
 * server answers a retry with the first sequence. Its future completes with the sequence. A send
 * that a draining node refuses ({@code unavailable}: nothing stored, 1012 follows) stays pending
 * and goes out again in the same way.</li>
 * <li><b>Presence.</b> {@link #online(String)} is each joined room's set of online users, kept from
 * the server's {@code presence} snapshot (after every join, and after the server shed this
 * connection's presence frames) and its {@code presence-delta}s.</li>
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
    private final SerialExecutor loop;
    private final Listeners listeners = new Listeners();
    private final ResumableConnection connection;

    private ParleyClient(Builder builder) {
        this.options = builder.options();
        ScheduledExecutorService scheduler = builder.scheduler != null ? builder.scheduler : SharedResources.scheduler();
        Transport transport = builder.transport != null ? builder.transport
                : new JdkWebSocketTransport(builder.httpClient != null ? builder.httpClient : SharedResources.httpClient());
        this.loop = new SerialExecutor(scheduler);
        Supplier<@Nullable String> cookies = builder.cookies;
        ParleyTokens tokens = builder.tokens;
        this.connection = new ResumableConnection(options, () -> handshakeHeaders(cookies.get(), tokens), transport, scheduler, loop,
                new Backoff(options.backoffBase(), options.backoffMax(), builder.random), builder.nanoTime, listeners);
        if (tokens != null) {
            tokens.onRefreshed(this::authenticate);
            onFrame(frame -> {
                if (frame instanceof ServerFrame.Refresh refresh) {
                    tokens.refreshBefore(refresh.expiresAt());
                }
            });
        }
    }

    private static Map<String, String> handshakeHeaders(@Nullable String cookie, @Nullable ParleyTokens tokens) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (cookie != null && !cookie.isEmpty()) {
            headers.put("Cookie", cookie);
        }
        if (tokens != null) {
            headers.put("Authorization", "Bearer " + tokens.accessToken());
        }
        return headers;
    }

    /**
     * Presents {@code accessToken} on the current connection ({@code auth} frame), so that it
     * outlives its previous token; dropped when not connected, since every handshake carries the
     * newest token anyway. Called by {@link ParleyTokens} when a client was built with it.
     */
    public void authenticate(String accessToken) {
        loop.execute(() -> connection.authenticate(accessToken));
    }

    /** A builder for a client of the server at {@code baseUri} (its HTTP origin, such as {@code http://127.0.0.1:8080}). */
    public static Builder builder(URI baseUri) {
        return new Builder(baseUri);
    }

    /**
     * Opens the first connection. Completes with the server's {@code welcome}; fails, and closes
     * this client, if that connection cannot be opened (a refused upgrade fails with
     * {@link HandshakeRejectedException}). Calling it again returns the same outcome.
     */
    public CompletableFuture<ServerFrame.Welcome> connect() {
        loop.execute(connection::connect);
        return connection.connected().copy();
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
        new ClientFrame.Join(room, since); // validates, in the caller's thread
        CompletableFuture<ServerFrame.Joined> result = new CompletableFuture<>();
        loop.execute(() -> connection.join(room, since, result));
        return result;
    }

    /**
     * Leaves {@code room}: its messages stop at once, and the server forgets the membership.
     * Completes on {@code left}; sent again after a reconnect until confirmed. A later
     * {@link #join} of the room cancels a leave not yet confirmed.
     */
    public CompletableFuture<Void> leave(String room) {
        new ClientFrame.Leave(room);
        CompletableFuture<Void> result = new CompletableFuture<>();
        loop.execute(() -> connection.leave(room, result));
        return result;
    }

    /**
     * Posts {@code text} to {@code room} with a new random {@code clientMsgId}. Completes with the
     * message's sequence once the server has committed it; survives reconnects (see the class doc).
     * Fails with {@link RequestFailedException} if the server refuses it (not a member,
     * rate-limited …); a refusal by a draining node ({@code unavailable}) is not a failure: the send
     * is made again on the next connection.
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
        loop.execute(() -> connection.send(frame, result));
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
        loop.execute(() -> connection.history(frame, result));
        return result;
    }

    /**
     * Marks {@code room} read up to {@code seq}. The server keeps the highest position it was
     * given (never above the room's head), answers with a {@code read} frame carrying it, and sends
     * that frame to this user's other connections, on any node. Dropped when not connected: send it
     * again after a reconnect (it is idempotent). A room the user may not read is answered with a
     * {@code forbidden} error frame.
     *
     * @throws io.parley.protocol.BadFrame if {@code room} is invalid or {@code seq} negative
     */
    public void read(String room, long seq) {
        ClientFrame.Read frame = new ClientFrame.Read(room, seq);
        loop.execute(() -> connection.read(frame));
    }

    /** Tells the room's other members that this user is typing. Dropped when not connected. */
    public void typing(String room) {
        RoomName.check(room);
        loop.execute(() -> connection.typing(room));
    }

    /**
     * An application-level ping. Completes with the round-trip time; fails with
     * {@link ConnectionLostException} when not connected or if the connection is lost first.
     */
    public CompletableFuture<Duration> ping() {
        CompletableFuture<Duration> result = new CompletableFuture<>();
        loop.execute(() -> connection.ping(result));
        return result;
    }

    /** The last sequence delivered to listeners for {@code room}, or 0 if none (or not joined). Any thread. */
    public long lastSeq(String room) {
        return connection.rooms().lastSeq(room);
    }

    /**
     * The users online in {@code room}, sorted, as the server last told this client: the
     * {@code presence} snapshot that follows every (re-)join, with every {@code presence-delta}
     * applied since. Empty before the room's first snapshot, and once it is left. While reconnecting
     * it keeps the last set, until the re-join's snapshot replaces it. An immutable copy; any thread.
     */
    public SortedSet<String> online(String room) {
        return connection.rooms().online(room);
    }

    /** The rooms joined (asked for and not left). Any thread. */
    public Set<String> rooms() {
        return connection.rooms().names();
    }

    public ConnectionState state() {
        return connection.state();
    }

    /** The {@code welcome} of the current (or last) connection: who the server says we are, and which node. */
    public ServerFrame.@Nullable Welcome welcome() {
        return connection.welcome();
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
        listeners.addFrameListener(listener);
        return this;
    }

    /**
     * Adds a listener of this user's read positions: the answer to {@link #read}, and the position
     * set by another connection of the same user (another device, any node).
     */
    public ParleyClient onRead(Consumer<ServerFrame.Read> listener) {
        return onFrame(frame -> {
            if (frame instanceof ServerFrame.Read read) {
                listener.accept(read);
            }
        });
    }

    /**
     * Adds a listener of rooms this user became a member of without joining them, such as a direct
     * room someone else wrote to first. Join the room to receive its messages.
     */
    public ParleyClient onRoom(Consumer<ServerFrame.Room> listener) {
        return onFrame(frame -> {
            if (frame instanceof ServerFrame.Room room) {
                listener.accept(room);
            }
        });
    }

    /** Adds a listener of state changes (see {@link ConnectionState}). */
    public ParleyClient onStateChange(Consumer<StateChange> listener) {
        listeners.addStateListener(listener);
        return this;
    }

    /**
     * Drops the current connection abruptly, without a close frame, as a lost network would. The
     * client then reconnects and resumes by itself. For tests; no effect while not connected.
     */
    public void abort() {
        loop.execute(connection::abort);
    }

    /**
     * Closes with 1000 and stops reconnecting. Pending requests fail with
     * {@link ClientClosedException}. Idempotent; when called off the event loop, returns once closed.
     */
    @Override
    public void close() {
        if (loop.inLoop()) {
            connection.close();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                connection.close();
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
        private @Nullable ParleyTokens tokens;
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

        /**
         * Authenticates with access tokens: every handshake carries {@code Authorization: Bearer}
         * with the newest one, the server's {@code refresh} frame makes {@code tokens} refresh, and
         * each new token is presented on the open connection. {@link ParleyTokens#clientBuilder()} sets it.
         */
        public Builder tokens(ParleyTokens tokens) {
            this.tokens = tokens;
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
