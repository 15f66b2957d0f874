package io.parley.server.connection;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Admission control at the handshake: whether this node takes one more WebSocket. A node must never
 * run out of file descriptors — then every handshake fails, and so do its database and Redis
 * connections and its logs ("Too many open files") — so it refuses, cheaply and before any upgrade,
 * while it still has some:
 * <ul>
 * <li>{@link Refusal#CONNECTION_LIMIT}: open connections (and admitted handshakes not yet open)
 * reached {@code parley.connections.max}; 503 with {@code Retry-After};
 * <li>{@link Refusal#FILE_DESCRIPTORS}: the process's open descriptors reached {@code
 * parley.connections.file-descriptor-threshold} of its limit, whatever holds them; 503;
 * <li>{@link Refusal#HANDSHAKE_RATE}: more handshakes this second than {@code
 * parley.connections.handshake-rate} (when set) lets in; 503 with a {@code Retry-After} spread at
 * random over 1 s to {@code parley.connections.retry-after}, so that a reconnect storm is served at
 * the node's pace rather than accepted whole and starved;
 * <li>{@link Refusal#USER_LIMIT}: the user already holds {@code parley.connections.max-per-user}
 * sockets here; 429;
 * <li>{@link Refusal#DRAINING}: the node is shutting down ({@link Drain}); 503 with {@code
 * Retry-After: 1}, so that the client comes back at once, through the load balancer, to another node.
 * </ul>
 *
 * <p>Defaults follow the descriptor limit {@code L} ({@code ulimit -n}): {@link #RESERVE}
 * {@code R = max(64, L/10)} descriptors are kept for what is not a client socket (the JVM's jars,
 * logs, the database pool, Redis); the container accepts at most {@code L − R} connections (so
 * its {@code accept} never fails for want of a descriptor: {@link #containerMaxConnections}), and
 * Parley holds at most 90 % of those as WebSockets ({@link #defaultMax}), leaving the rest for plain
 * HTTP and for answering refused handshakes. With {@code L} = 20,000: 18,000 and 16,200.
 *
 * <p>Counting open descriptors lists {@code /proc/self/fd}, so it is sampled every 500 ms; between
 * samples each admitted handshake adds one to the estimate. The same sampler logs one warning when
 * usage (the larger of connections over {@code max} and descriptors over the limit) crosses 80 %,
 * and one line when it falls back under 75 %.
 *
 * <p>Meters: {@code parley.handshakes{result=accepted}} and {@code
 * parley.handshakes{result=refused,reason=connection_limit|file_descriptors|handshake_rate|user_limit|draining}} (counters),
 * {@code parley.connections.limit} (gauge). Thread-safe.
 */
@Component
public class Admission implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(Admission.class);

    static final double WARN_AT = 0.8;
    static final double WARNED_UNTIL = 0.75;
    private static final long SAMPLE_MILLIS = 500;

    /** Why a handshake was refused; the tag value of {@code parley.handshakes{reason}}. */
    public enum Refusal {
        CONNECTION_LIMIT("connection_limit"), FILE_DESCRIPTORS("file_descriptors"), HANDSHAKE_RATE("handshake_rate"),
        USER_LIMIT("user_limit"), DRAINING("draining");

        final String tag;

        Refusal(String tag) {
            this.tag = tag;
        }
    }

    private final Connections connections;
    private final ConnectionProperties properties;
    private final int max;
    private final long fdLimit;
    private final long fdThreshold;
    private final AtomicLong fdEstimate = new AtomicLong();
    private final @Nullable TokenBucket handshakes;
    private final LongSupplier clock;
    private final Counter accepted;
    private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "parley-admission-sampler");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean warned;
    private volatile boolean draining;

    @Autowired
    public Admission(Connections connections, ConnectionProperties properties, MeterRegistry registry) {
        this(connections, properties, registry, System::nanoTime);
    }

    Admission(Connections connections, ConnectionProperties properties, MeterRegistry registry, LongSupplier clock) {
        this.connections = connections;
        this.clock = clock;
        double rate = properties.handshakeRate();
        this.handshakes = rate > 0
                ? new TokenBucket(rate, properties.handshakeBurst() > 0 ? properties.handshakeBurst() : Math.max(1, rate), clock.getAsLong())
                : null;
        this.properties = properties;
        this.fdLimit = FileDescriptors.limit();
        Integer configured = properties.max();
        this.max = configured != null ? configured : defaultMax(fdLimit);
        this.fdThreshold = fdLimit > 0 ? (long) (fdLimit * properties.fileDescriptorThreshold()) : Long.MAX_VALUE;
        this.accepted = Counter.builder("parley.handshakes").tag("result", "accepted")
                .description("WebSocket handshakes admitted and upgraded").register(registry);
        for (Refusal refusal : Refusal.values()) {
            refused.put(refusal, Counter.builder("parley.handshakes").tag("result", "refused").tag("reason", refusal.tag)
                    .description("WebSocket handshakes refused by admission control").register(registry));
        }
        Gauge.builder("parley.connections.limit", this, Admission::max)
                .description("WebSockets this node holds at most (parley.connections.max)").register(registry);
        sample();
        sampler.scheduleWithFixedDelay(this::sample, SAMPLE_MILLIS, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
        log.info("Admission: at most {} WebSockets, {} per user, {} handshakes/s; handshakes refused above {} of {} file descriptors",
                max, properties.maxPerUser(), rate > 0 ? rate : "any", fdLimit > 0 ? fdThreshold : "unknown", fdLimit > 0 ? fdLimit : "unknown");
    }

    /** Descriptors kept for everything that is not a client socket, out of a limit of {@code fdLimit}. */
    static long reserve(long fdLimit) {
        return Math.max(64, fdLimit / 10);
    }

    /** The container's connection limit for a descriptor limit of {@code fdLimit}: {@code L − R}. */
    static int containerMaxConnections(long fdLimit) {
        if (fdLimit <= 0) {
            return 10_000;
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, fdLimit - reserve(fdLimit)));
    }

    /** The default of {@code parley.connections.max}: 90 % of {@link #containerMaxConnections}. */
    static int defaultMax(long fdLimit) {
        return Math.max(1, (int) (containerMaxConnections(fdLimit) * 0.9));
    }

    public int max() {
        return max;
    }

    /**
     * Admits one handshake node-wide and reserves its slot, or says why not. An admitted handshake
     * ends with its connection added to {@link Connections} or with {@link #cancel()}.
     */
    @Nullable Refusal tryAdmit() {
        if (draining) {
            return refuse(Refusal.DRAINING);
        }
        if (fdEstimate.get() >= fdThreshold) {
            return refuse(Refusal.FILE_DESCRIPTORS);
        }
        if (!connections.tryReserve(max)) {
            return refuse(Refusal.CONNECTION_LIMIT);
        }
        if (handshakes != null && handshakes.tryAcquire(clock.getAsLong()) > 0) {
            connections.cancelReservation();
            return refuse(Refusal.HANDSHAKE_RATE);
        }
        fdEstimate.incrementAndGet();
        return null;
    }

    /** Whether {@code user} may open one more socket on this node; refuses (and counts) if not. */
    @Nullable Refusal tryAdmitUser(String user) {
        return connections.countOf(user) >= properties.maxPerUser() ? refuse(Refusal.USER_LIMIT) : null;
    }

    /** From now on every handshake is refused with {@link Refusal#DRAINING}; for good (the node is stopping). */
    void startDraining() {
        draining = true;
    }

    /** Whether the node is draining: it takes no new connection. */
    public boolean isDraining() {
        return draining;
    }

    /** An admitted handshake did not upgrade: its slot is free again. */
    void cancel() {
        connections.cancelReservation();
    }

    /** An admitted handshake upgraded. */
    void upgraded() {
        accepted.increment();
    }

    private Refusal refuse(Refusal refusal) {
        refused.get(refusal).increment();
        return refusal;
    }

    private void sample() {
        long open = FileDescriptors.open();
        fdEstimate.set(Math.max(open, 0));
        double usage = Math.max((double) connections.inUse() / Math.max(1, max), fdLimit > 0 ? (double) open / fdLimit : 0);
        if (!warned && usage >= WARN_AT) {
            warned = true;
            log.warn("Node near capacity: {} of {} WebSockets, {} of {} file descriptors; handshakes are refused at {} "
                    + "WebSockets or {} descriptors", connections.count(), max, open, fdLimit, max, fdThreshold);
        }
        else if (warned && usage < WARNED_UNTIL) {
            warned = false;
            log.info("Node back under {}% of capacity: {} of {} WebSockets, {} of {} file descriptors",
                    (int) (WARNED_UNTIL * 100), connections.count(), max, open, fdLimit);
        }
    }

    @Override
    public void destroy() {
        sampler.shutdownNow();
    }
}
