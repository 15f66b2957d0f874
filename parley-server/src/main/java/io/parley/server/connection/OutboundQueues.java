package io.parley.server.connection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.util.ClassUtils;
import org.springframework.web.socket.WebSocketSession;

/**
 * This node's outbound queues: opens one {@link OutboundQueue} per socket and owns what they share —
 * the {@link OutboundProperties limits}, the node-wide budget, the {@link OutboundStats counters}
 * and their Micrometer meters, and the watchdog.
 *
 * <p><b>Watchdog.</b> One scheduled thread per node ({@code parley-outbound-watchdog}), not one per
 * socket, checks every open queue each {@linkplain OutboundProperties#checkInterval() check
 * interval}: a write or drain pending beyond the send-time limit closes its socket with 4500; a queue
 * whose socket is no longer open is released. A check costs one lock acquisition per open queue.
 *
 * <p><b>Node budget.</b> The bytes waiting in all queues are summed as they change. When an enqueue
 * takes the sum above {@link OutboundProperties#nodeBudget()}, shedding is scheduled at once on the
 * watchdog thread, so that the caller does not pay for it: the largest queues are shed first, each
 * by its {@link OverflowStrategy}, until the sum is back within the budget. The watchdog thread may
 * not run for a while on a busy machine, and broadcasts go on meanwhile; so an enqueue that takes the
 * sum more than one {@link OutboundProperties#bufferLimit() buffer limit} beyond the budget sheds on
 * the caller's thread, before it returns. The sum therefore never exceeds the budget plus one buffer
 * limit plus one frame per thread enqueueing at that moment. A frame shared by many queues counts
 * once per queue: the budget bounds what the queues hold on to, an upper bound of the memory.
 *
 * <p><b>Sockets.</b> {@link #open(WebSocketSession)} writes through the container's asynchronous send
 * when the session is a JSR-356 ({@code jakarta.websocket}) one, as on Tomcat; otherwise it falls back
 * to a blocking send on a small shared pool, which ties a pool thread to a slow client for up to the
 * send-time limit. Socket closes run on a small shared pool too: a container may block a close while
 * a write is pending (Tomcat: up to 50 ms for an abnormal close, up to 20 s for 1000).
 *
 * <p><b>Meters</b> (all read {@link #stats()}): {@code parley.outbound.queues},
 * {@code parley.outbound.buffered.bytes}, {@code parley.outbound.dropped}, {@code parley.outbound.gaps},
 * {@code parley.outbound.terminated{reason}}, {@code parley.outbound.write} (a function timer: count
 * and total time of completed writes), {@code parley.outbound.write.oldest} (age of the oldest pending
 * write at the last check).
 *
 * <p>Thread-safe.
 */
@Component
public class OutboundQueues implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutboundQueues.class);

    private static final boolean JAKARTA_PRESENT =
            ClassUtils.isPresent("jakarta.websocket.Session", OutboundQueues.class.getClassLoader());

    private final OutboundProperties properties;
    private final long nodeBudget;
    /** The budget plus one buffer limit: an enqueue that takes the sum above it sheds on its own thread. */
    private final long sheddingCeiling;
    private final OutboundStats stats = new OutboundStats();
    private final FrameCodec codec = new FrameCodec();
    private final LongSupplier clock;
    private final Set<OutboundQueue> queues = ConcurrentHashMap.newKeySet();
    private final @Nullable ScheduledExecutorService watchdog;
    private final Executor shedder;
    private final AtomicBoolean shedRequested = new AtomicBoolean();
    private static final long SHED_WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    private volatile long lastShedWarning = Long.MIN_VALUE / 2;
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
        this.nodeBudget = properties.nodeBudget().toBytes();
        this.sheddingCeiling = nodeBudget + properties.bufferLimit().toBytes();
        this.clock = clock;
        this.watchdog = watchdog;
        if (watchdog != null) {
            long interval = properties.checkInterval().toNanos();
            watchdog.scheduleWithFixedDelay(this::checkSafely, interval, interval, TimeUnit.NANOSECONDS);
            this.shedder = watchdog;
        }
        else {
            this.shedder = (shedder != null ? shedder : Runnable::run);
        }
        bind(registry);
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
    public OutboundStats stats() {
        return stats;
    }

    public OutboundProperties properties() {
        return properties;
    }

    /** Stops the watchdog and the shared pools. Queues still open are left to the connection handler. */
    @Override
    public void close() {
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
        closer.shutdown();
        blockingSender.shutdownNow();
    }

    @Override
    public String toString() {
        return "OutboundQueues[" + properties + ", " + stats + "]";
    }

    // ---- watchdog ----

    /** One watchdog pass: overdue writes and drains, dead sockets, then the node budget. */
    void check() {
        long now = clock.getAsLong();
        long oldest = 0;
        for (OutboundQueue queue : queues) {
            oldest = Math.max(oldest, queue.check(now));
        }
        stats.oldestPendingWrite(oldest);
        if (stats.bufferedBytes() > nodeBudget) {
            shed();
        }
    }

    private void checkSafely() {
        try {
            check();
        }
        catch (RuntimeException | Error ex) {
            // An exception would cancel the periodic task: log it and keep watching.
            log.error("Outbound watchdog check failed; next check in {}", properties.checkInterval(), ex);
        }
    }

    /**
     * Called by a queue whose enqueue took the node's sum to {@code total}, above its budget: schedules
     * shedding on the watchdog thread, or, if the sum is beyond the ceiling (budget plus one buffer
     * limit) because the watchdog has not caught up, sheds at once on the caller's thread.
     */
    void requestShed(long total) {
        if (total > sheddingCeiling) {
            shed();
            return;
        }
        if (shedRequested.compareAndSet(false, true)) {
            try {
                shedder.execute(this::shedSafely);
            }
            catch (RejectedExecutionException ex) {
                shedRequested.set(false); // shut down
            }
        }
    }

    private void shedSafely() {
        try {
            shed();
        }
        catch (RuntimeException ex) {
            log.error("Shedding outbound queues failed", ex);
        }
    }

    /**
     * Sheds the largest queues first until the node is back within its budget. The excess is read again
     * before each queue: frames enqueued meanwhile are shed too, and two threads shedding at once do
     * not both shed for the same excess.
     */
    void shed() {
        shedRequested.set(false); // before reading: a later crossing schedules another pass
        long total = stats.bufferedBytes();
        if (total <= nodeBudget) {
            return;
        }
        List<Sized> largestFirst = new ArrayList<>(queues.size());
        for (OutboundQueue queue : queues) {
            long bytes = queue.bufferedBytes();
            if (bytes > 0) {
                largestFirst.add(new Sized(queue, bytes));
            }
        }
        largestFirst.sort(Comparator.comparingLong(Sized::bytes).reversed());
        int shed = 0;
        long freed = 0;
        for (Sized sized : largestFirst) {
            long excess = stats.bufferedBytes() - nodeBudget;
            if (excess <= 0) {
                break;
            }
            freed += sized.queue().shed(excess);
            shed++;
        }
        long now = clock.getAsLong();
        if (now - lastShedWarning >= SHED_WARNING_INTERVAL_NANOS) { // under sustained pressure: one line a minute
            lastShedWarning = now;
            log.warn("Outbound buffers of this node ({} B) exceeded the node budget {} B: shed the {} largest queues, "
                    + "freeing {} B; {}", total, nodeBudget, shed, freed, stats);
        }
        else {
            log.debug("Outbound buffers ({} B) over the node budget {} B: shed {} queues, freeing {} B", total,
                    nodeBudget, shed, freed);
        }
    }

    // ---- for the queues ----

    long now() {
        return clock.getAsLong();
    }

    long nodeBudget() {
        return nodeBudget;
    }

    String encodeGap(String room, long from, long to) {
        return codec.encode(new ServerFrame.Gap(room, from, to));
    }

    void closed(OutboundQueue queue, @Nullable TerminationReason reason) {
        if (queues.remove(queue)) {
            stats.closed();
            if (reason != null) {
                stats.countTermination(reason);
            }
        }
    }

    // ---- setup ----

    private void bind(MeterRegistry registry) {
        Gauge.builder("parley.outbound.queues", stats, OutboundStats::queues)
                .description("Open outbound queues (one per socket)").register(registry);
        Gauge.builder("parley.outbound.buffered.bytes", stats, OutboundStats::bufferedBytes)
                .description("Bytes waiting in all outbound queues of this node").baseUnit(BaseUnits.BYTES)
                .register(registry);
        FunctionCounter.builder("parley.outbound.dropped", stats, OutboundStats::dropped)
                .description("Room messages dropped (DROP) or replaced by a gap (RESYNC)").register(registry);
        FunctionCounter.builder("parley.outbound.gaps", stats, OutboundStats::gaps)
                .description("Gap frames queued by RESYNC").register(registry);
        for (TerminationReason reason : TerminationReason.values()) {
            FunctionCounter.builder("parley.outbound.terminated", stats, s -> s.terminated(reason))
                    .tag("reason", reason.tag())
                    .description("Sockets closed by their outbound queue, by reason").register(registry);
        }
        FunctionTimer.builder("parley.outbound.write", stats, OutboundStats::writes, OutboundStats::writeNanos,
                        TimeUnit.NANOSECONDS)
                .description("Completed writes: from handing a frame to the socket to its completion")
                .register(registry);
        TimeGauge.builder("parley.outbound.write.oldest", stats, TimeUnit.NANOSECONDS,
                        OutboundStats::oldestPendingWriteNanos)
                .description("Age of the oldest pending write at the last watchdog check").register(registry);
    }

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

    private record Sized(OutboundQueue queue, long bytes) {
    }
}
