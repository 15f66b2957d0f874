package io.parley.server.ops;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.server.cluster.ClusterProperties;
import io.parley.server.cluster.NodeIdentity;
import io.parley.server.connection.Admission;
import io.parley.server.connection.Connections;
import io.parley.server.connection.OutboundStats;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Samples this node every {@code parley.cluster.heartbeat-interval} (2 s) on its own daemon thread
 * and posts the {@link NodeStats} to the {@link NodeStatsBoard}, where the admin page of any node
 * reads it. The figures come from the objects that keep them ({@link Connections}, {@link
 * Admission}, {@link OutboundStats}) and from meters bound elsewhere, found by name in the {@link
 * MeterRegistry}: {@code process.files.open}/{@code max} (Micrometer's), {@code parley.handshakes},
 * {@code parley.history.appends}, {@code parley.bus.lag}. A meter that is absent reads as 0 (or -1
 * for the descriptors). Owns no counter of its own.
 *
 * <p>A board that fails (Redis unreachable) is logged once, retried at every interval, and logged
 * again when it works. Started after, and stopped before, the beans it reads, in the phase of the
 * registry's heartbeat: a draining node goes on showing its connections until they are gone, then
 * withdraws its entry. Thread-safe: {@link #latest()} may be called from any thread.
 */
final class NodeStatsSampler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NodeStatsSampler.class);

    /** As the registry's heartbeat: started before and stopped after the web server. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final String node;
    private final Connections connections;
    private final Admission admission;
    private final OutboundStats outbound;
    private final MeterRegistry meters;
    private final NodeStatsBoard board;
    private final ClusterProperties cluster;
    private final Clock clock;
    private final long startedAt;
    private @Nullable ScheduledExecutorService scheduler;
    private volatile boolean running;
    private volatile @Nullable NodeStats latest;
    private @Nullable NodeReading previous;
    private boolean failing;

    NodeStatsSampler(NodeIdentity node, Connections connections, Admission admission, OutboundStats outbound,
            MeterRegistry meters, NodeStatsBoard board, ClusterProperties cluster, Clock clock) {
        this.node = node.id();
        this.connections = connections;
        this.admission = admission;
        this.outbound = outbound;
        this.meters = meters;
        this.board = board;
        this.cluster = cluster;
        this.clock = clock;
        this.startedAt = clock.millis();
    }

    /** This node's latest stats; sampled now when no sample was taken yet. */
    NodeStats latest() {
        NodeStats stats = latest;
        return stats != null ? stats : read().stats(node, startedAt, null);
    }

    String node() {
        return node;
    }

    /** Takes one sample and posts it; on the sampler's thread (and directly in tests). */
    synchronized void sample() {
        NodeReading reading = read();
        NodeStats stats = reading.stats(node, startedAt, previous);
        previous = reading;
        latest = stats;
        try {
            board.publish(stats);
            if (failing) {
                log.info("Admin stats of node {} published again", node);
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                log.warn("Publishing the admin stats of node {} failed ({}); retrying every {}", node, e.toString(),
                        cluster.heartbeatInterval());
                failing = true;
            }
        }
    }

    NodeReading read() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        Timer lag = meters.find("parley.bus.lag").timer();
        return new NodeReading(clock.millis(), connections.count(), connections.users(), admission.max(),
                gauge("process.files.open"), gauge("process.files.max"), outbound.bufferedBytes(), outbound.writes(),
                (long) count(meters.find("parley.history.appends").counter()),
                handshakes("accepted"), handshakes("refused"),
                lag == null ? 0 : lag.count(), lag == null ? 0 : lag.totalTime(TimeUnit.MILLISECONDS),
                heap.getUsed(), heap.getMax());
    }

    private long gauge(String name) {
        Gauge gauge = meters.find(name).gauge();
        double value = gauge == null ? Double.NaN : gauge.value();
        return Double.isNaN(value) ? -1 : (long) value;
    }

    private long handshakes(String result) {
        double total = 0;
        for (Counter counter : meters.find("parley.handshakes").tag("result", result).counters()) {
            total += counter.count();
        }
        return (long) total;
    }

    private static double count(@Nullable Counter counter) {
        return counter == null ? 0 : counter.count();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "parley-admin-stats");
            thread.setDaemon(true);
            return thread;
        });
        long interval = cluster.heartbeatInterval().toMillis();
        executor.scheduleWithFixedDelay(this::sampleSafely, 0, interval, TimeUnit.MILLISECONDS);
        scheduler = executor;
        running = true;
    }

    private void sampleSafely() {
        try {
            sample();
        } catch (RuntimeException e) {
            log.warn("Sampling node {} for the admin page failed: {}", node, e.toString());
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService executor;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            executor = scheduler;
        }
        if (executor != null) {
            executor.shutdown(); // a sample in progress finishes (bounded by the store's timeout); no new one starts
            try {
                executor.awaitTermination(cluster.redisTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            board.withdraw(node);
        } catch (RuntimeException e) {
            log.debug("Node {} could not withdraw its admin stats ({}); they go stale by themselves", node, e.toString());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
