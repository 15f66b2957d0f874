package io.parley.server.connection;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.util.ClassUtils;
import org.springframework.web.socket.WebSocketSession;

/**
 * This node's outbound queues: opens one {@link OutboundQueue} per socket and keeps the set of open
 * ones; it is the {@link QueueContext} they see. The node-wide parts are classes of their own, wired
 * here: the {@link OutboundWatchdog} (send-time limits on time, dead sockets), the
 * {@link NodeBudget} (the node's sum of buffered bytes, largest queues shed first) and the
 * {@link OutboundMeters} over the {@link OutboundStats counters}.
 *
 * <p><b>Sockets.</b> {@link #open(WebSocketSession)} writes through the container's asynchronous send
 * when the session is a JSR-356 ({@code jakarta.websocket}) one, as on Tomcat; otherwise it falls back
 * to a blocking send on a small shared pool, which ties a pool thread to a slow client for up to the
 * send-time limit. Socket closes run on a small shared pool too: a container may block a close while
 * a write is pending (Tomcat: up to 50 ms for an abnormal close, up to 20 s for 1000).
 *
 * <p>Thread-safe.
 */
@Component
public class OutboundQueues implements QueueContext, AutoCloseable {

    private static final boolean JAKARTA_PRESENT =
            ClassUtils.isPresent("jakarta.websocket.Session", OutboundQueues.class.getClassLoader());

    private final OutboundProperties properties;
    private final OutboundStats stats = new OutboundStats();
    private final FrameCodec codec = new FrameCodec();
    private final LongSupplier clock;
    private final Set<OutboundQueue> queues = ConcurrentHashMap.newKeySet();
    private final @Nullable ScheduledExecutorService watchdogThread;
    private final NodeBudget budget;
    private final OutboundWatchdog watchdog;
    private final ThreadPoolExecutor closer = pool("parley-outbound-close", 2);
    private final ThreadPoolExecutor blockingSender = pool("parley-outbound-send", 4);

    /** The production constructor: the system clock and a running watchdog. */
    @Autowired
    public OutboundQueues(OutboundProperties properties, MeterRegistry registry) {
        this(properties, registry, System::nanoTime, true);
    }

    /**
     * For tests: with {@code startWatchdog} false, no thread is started, {@link #check()} runs only
     * when called, and shedding runs on the thread of the enqueue that exceeded the budget.
     */
    OutboundQueues(OutboundProperties properties, MeterRegistry registry, LongSupplier clock, boolean startWatchdog) {
        this(properties, registry, clock, startWatchdog ? newWatchdog() : null, null);
    }

    /**
     * For tests: no watchdog thread, {@link #check()} runs only when called, and shedding below the
     * ceiling (budget plus one buffer limit) is handed to {@code shedder}, which stands for a
     * watchdog thread that has not run yet.
     */
    OutboundQueues(OutboundProperties properties, MeterRegistry registry, LongSupplier clock, Executor shedder) {
        this(properties, registry, clock, null, shedder);
    }

    private OutboundQueues(OutboundProperties properties, MeterRegistry registry, LongSupplier clock,
            @Nullable ScheduledThreadPoolExecutor watchdog, @Nullable Executor shedder) {
        this.properties = properties;
        this.clock = clock;
        this.watchdogThread = watchdog;
        Executor shedOn = (watchdog != null ? watchdog : shedder != null ? shedder : Runnable::run);
        this.budget = new NodeBudget(properties, queues, stats, clock, shedOn);
        this.watchdog = new OutboundWatchdog(properties, queues, stats, budget, clock);
        if (watchdog != null) {
            long interval = properties.checkInterval().toNanos();
            watchdog.scheduleWithFixedDelay(this.watchdog::checkSafely, interval, interval, TimeUnit.NANOSECONDS);
        }
        OutboundMeters.bind(stats, registry);
    }

    private static ScheduledThreadPoolExecutor newWatchdog() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, daemon("parley-outbound-watchdog"));
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** Opens the outbound queue of a Spring WebSocket session (unwrapping decorators to find the native session). */
    public OutboundQueue open(WebSocketSession session) {
        FrameSink sink = (JAKARTA_PRESENT ? StandardFrameSink.of(session, closer) : null);
        return open(sink != null ? sink : new BlockingFrameSink(session, blockingSender, closer));
    }

    /** Opens an outbound queue on any sink: for other transports, tests and benchmarks. */
    public OutboundQueue open(FrameSink sink) {
        OutboundQueue queue = new OutboundQueue(sink, this);
        queues.add(queue);
        stats.opened();
        return queue;
    }

    /** The counters of this node's queues. */
    @Override
    public OutboundStats stats() {
        return stats;
    }

    @Override
    public OutboundProperties properties() {
        return properties;
    }

    /** Stops the watchdog and the shared pools. Queues still open are left to the connection handler. */
    @Override
    public void close() {
        if (watchdogThread != null) {
            watchdogThread.shutdownNow();
        }
        closer.shutdown();
        blockingSender.shutdownNow();
    }

    @Override
    public String toString() {
        return "OutboundQueues[" + properties + ", " + stats + "]";
    }

    // ---- the node-wide parts, for tests ----

    /** One watchdog pass, on the caller's thread. */
    void check() {
        watchdog.check();
    }

    /** Sheds for the node budget, on the caller's thread. */
    void shed() {
        budget.shed();
    }

    // ---- QueueContext ----

    @Override
    public long now() {
        return clock.getAsLong();
    }

    @Override
    public long nodeBudget() {
        return budget.budget();
    }

    @Override
    public void overBudget(long total) {
        budget.overBudget(total);
    }

    @Override
    public String encodeGap(String room, long from, long to) {
        return codec.encode(new ServerFrame.Gap(room, from, to));
    }

    @Override
    public void closed(OutboundQueue queue, @Nullable TerminationReason reason) {
        if (queues.remove(queue)) {
            stats.closed();
            if (reason != null) {
                stats.countTermination(reason);
            }
        }
    }

    // ---- setup ----

    private static ThreadPoolExecutor pool(String name, int threads) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemon(name));
        pool.allowCoreThreadTimeOut(true); // no thread until needed, none when idle
        return pool;
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
