package io.parley.server.connection;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.parley.protocol.CloseCodes;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;

/**
 * The liveness of this node's sockets ({@code parley.websocket.ping-interval}, {@code pong-timeout},
 * {@code first-frame-timeout}):
 * <ul>
 * <li>every socket gets a WebSocket ping every ping interval, through its {@link OutboundQueue}
 * (never while a write of the queue is pending, see {@link OutboundQueue#ping});
 * <li>a socket from which nothing at all (a pong or any frame) has arrived within the pong timeout of
 * its ping being handed to the socket is closed with 4000 {@link CloseCodes#IDLE_TIMEOUT}. While the
 * ping still waits behind a pending write, the wait is not held against the client: a socket that
 * does not take the server's writes is closed by the queue's send-time limit (4500) instead;
 * <li>a socket that has sent no text frame within the first-frame timeout of its handshake is closed
 * with 4000 (pongs do not count: a socket that only answers pings is alive but of no use).
 * </ul>
 * Bounds: a client that stops answering is closed at most {@code ping-interval + pong-timeout} plus
 * one tick after its last sign of life (once its pending writes, if any, are out); a silent socket at
 * most {@code first-frame-timeout} plus one tick after its handshake.
 *
 * <p><b>One thread, no timer per socket.</b> A single daemon thread ({@code parley-heartbeat}) wakes
 * every tick (a quarter of the shortest of the three durations, at most 1 s, at least 10 ms). Every
 * deadline of one kind is "then + the same duration", so three FIFO queues — first frames, pings,
 * answers — hold them in deadline order, and a tick takes from each only what is due: O(1) per
 * event, no heap, no scan of every socket. A tick sends at most twice its fair share of pings
 * ({@code 2 × sockets × tick / ping-interval}, at least 64), so the pings of a reconnect storm,
 * all due at once, spread over the next ticks and stay spread (each ping is rescheduled from when it
 * went out).
 *
 * <p>A closed socket's {@link Watch} is {@linkplain Watch#end() ended} by the handler and dropped
 * by the next tick that meets it; it holds no reference to the connection after its end, so what
 * the queues still hold of closed sockets is a few dozen bytes each.
 *
 * <p>Thread-safe: {@link #watch} may be called from any thread; {@link #tick} runs on one thread at a
 * time (the heartbeat thread, or a test's).
 */
@Component
public class Heartbeats implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Heartbeats.class);

    private static final long MAX_TICK = TimeUnit.SECONDS.toNanos(1);
    private static final long MIN_TICK = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int MIN_PINGS_PER_TICK = 64;

    private final Connections connections;
    private final ConnectionStats stats;
    private final LongSupplier clock;
    private final long pingInterval;
    private final long pongTimeout;
    private final long firstFrameTimeout;
    private final long tick;
    private final CloseStatus noPong;
    private final CloseStatus noFirstFrame;

    private final Queue<Due> firstFrames = new ConcurrentLinkedQueue<>();
    private final Queue<Due> pings = new ConcurrentLinkedQueue<>();
    /** Only the ticking thread touches it. */
    private final ArrayDeque<Due> answers = new ArrayDeque<>();
    private final @Nullable ScheduledThreadPoolExecutor thread;

    /** The production constructor: the system clock and a running heartbeat thread. */
    @Autowired
    public Heartbeats(WebSocketProperties properties, Connections connections) {
        this(properties, connections, System::nanoTime, true);
    }

    /** For tests: with {@code start} false, no thread is started and {@link #tick()} runs only when called. */
    Heartbeats(WebSocketProperties properties, Connections connections, LongSupplier clock, boolean start) {
        this.connections = connections;
        this.stats = connections.stats();
        this.clock = clock;
        this.pingInterval = properties.pingsOn() ? properties.pingInterval().toNanos() : 0;
        this.pongTimeout = properties.pingsOn() ? properties.pongTimeout().toNanos() : 0;
        this.firstFrameTimeout = properties.firstFrameTimeoutOn() ? properties.firstFrameTimeout().toNanos() : 0;
        this.tick = tickOf(pingInterval, pongTimeout, firstFrameTimeout);
        this.noPong = new CloseStatus(CloseCodes.IDLE_TIMEOUT, "no pong within " + properties.pongTimeout().toMillis() + " ms");
        this.noFirstFrame = new CloseStatus(CloseCodes.IDLE_TIMEOUT,
                "no frame within " + properties.firstFrameTimeout().toMillis() + " ms");
        boolean needed = pingInterval > 0 || firstFrameTimeout > 0;
        if (start && needed) {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
                Thread heartbeat = new Thread(task, "parley-heartbeat");
                heartbeat.setDaemon(true);
                return heartbeat;
            });
            executor.scheduleWithFixedDelay(this::tickSafely, tick, tick, TimeUnit.NANOSECONDS);
            this.thread = executor;
        }
        else {
            this.thread = null;
        }
    }

    /** A quarter of the shortest duration that is on, within [10 ms, 1 s]. */
    static long tickOf(long... durations) {
        long shortest = MAX_TICK * 4;
        for (long duration : durations) {
            if (duration > 0) {
                shortest = Math.min(shortest, duration);
            }
        }
        return Math.max(MIN_TICK, Math.min(MAX_TICK, shortest / 4));
    }

    /** How often a tick runs. */
    public Duration tickInterval() {
        return Duration.ofNanos(tick);
    }

    /**
     * Starts watching a connection that has just opened. The handler calls {@link Watch#end()} when it
     * closes.
     */
    Watch watch(Connection connection) {
        Watch watch = new Watch(connection);
        long now = clock.getAsLong();
        if (firstFrameTimeout > 0) {
            firstFrames.add(new Due(watch, now + firstFrameTimeout));
        }
        if (pingInterval > 0) {
            pings.add(new Due(watch, now + pingInterval));
        }
        return watch;
    }

    /** One sweep: first frames, then answers to pings, then the pings that are due (a tick's share). */
    void tick() {
        long now = clock.getAsLong();
        for (Due due = firstFrames.peek(); due != null && due.at - now <= 0; due = firstFrames.peek()) {
            firstFrames.poll();
            Connection connection = due.watch.connection;
            if (connection != null && !connection.spoke()) {
                stats.firstFrameTimedOut();
                log.debug("Closing {} with 4000: no frame within {} ms of the handshake", connection,
                        TimeUnit.NANOSECONDS.toMillis(firstFrameTimeout));
                connection.close(noFirstFrame);
            }
        }
        for (Due due = answers.peek(); due != null && due.at - now <= 0; due = answers.peek()) {
            answers.poll();
            answer(due.watch, now);
        }
        long budget = Math.max(MIN_PINGS_PER_TICK, (long) Math.ceil(2.0 * connections.count() * tick / Math.max(1, pingInterval)));
        for (Due due = pings.peek(); due != null && due.at - now <= 0 && budget > 0; due = pings.peek()) {
            pings.poll();
            if (ping(due.watch, now)) {
                budget--;
            }
        }
    }

    /** Pings the watched connection; returns whether a ping was sent. */
    private boolean ping(Watch watch, long now) {
        Connection connection = watch.connection;
        if (connection == null) {
            return false;
        }
        if (watch.awaiting) {
            // The answer to the previous ping is still awaited (that ping waited behind a write): no second one yet.
            pings.add(new Due(watch, now + pingInterval));
            return false;
        }
        connection.clearHeard();
        if (!connection.outbound().ping()) {
            return false; // closing: dropped
        }
        stats.pinged();
        watch.awaiting = true;
        answers.add(new Due(watch, now + pongTimeout));
        pings.add(new Due(watch, now + pingInterval));
        return true;
    }

    /** The pong timeout of the watched connection's ping is up: answered, still waiting behind a write, or silent. */
    private void answer(Watch watch, long now) {
        Connection connection = watch.connection;
        if (connection == null) {
            return;
        }
        if (connection.heard()) {
            watch.awaiting = false;
            return;
        }
        long handedOver = connection.outbound().pingHandedOverAt();
        if (handedOver == OutboundQueue.PING_WAITING) {
            answers.add(new Due(watch, now + pongTimeout)); // the queue's send-time limit watches the write ahead of it
            return;
        }
        if (now - handedOver < pongTimeout) {
            answers.add(new Due(watch, handedOver + pongTimeout)); // it went out late, behind a write
            return;
        }
        watch.awaiting = false;
        stats.pongTimedOut();
        log.debug("Closing {} with 4000: nothing received within {} ms of a ping", connection,
                TimeUnit.NANOSECONDS.toMillis(pongTimeout));
        connection.close(noPong);
    }

    /** {@link #tick()} for the periodic task: an exception would cancel it, so it is logged and the beat goes on. */
    private void tickSafely() {
        try {
            tick();
        }
        catch (RuntimeException | Error ex) {
            log.error("Heartbeat tick failed; next tick in {} ms", TimeUnit.NANOSECONDS.toMillis(tick), ex);
        }
    }

    /** Stops the heartbeat thread. */
    @Override
    public void close() {
        if (thread != null) {
            thread.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "Heartbeats[tick=" + TimeUnit.NANOSECONDS.toMillis(tick) + " ms, " + stats + "]";
    }

    /**
     * One connection as the heartbeats see it, from its open to its {@link #end()}. Thread-safe: the
     * handler ends it; the ticking thread owns the rest.
     */
    static final class Watch {

        private volatile @Nullable Connection connection;
        /** A ping was sent and its answer not yet judged; ticking thread only. */
        private boolean awaiting;

        private Watch(Connection connection) {
            this.connection = connection;
        }

        /** The connection closed: forget it (the queues drop this watch when they next meet it). */
        void end() {
            connection = null;
        }
    }

    /** A deadline of one watch: {@code at} on the clock's scale. */
    private record Due(Watch watch, long at) {
    }
}
