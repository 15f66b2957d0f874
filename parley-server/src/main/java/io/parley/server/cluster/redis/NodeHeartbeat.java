package io.parley.server.cluster.redis;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.Bus;
import io.parley.server.cluster.ClusterProperties;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Keeps this node registered and the registry clean. Every {@code parley.cluster.heartbeat-interval},
 * on its own thread, it:
 * <ol>
 * <li>renews this node's heartbeat key (TTL {@code parley.cluster.node-ttl});</li>
 * <li>rewrites this node's entries from memory when a write failed since the last beat, or when the
 *     heartbeat key was gone (Redis restarted and lost its data, or this node was reaped after a
 *     pause), and then announces presence in every affected room and every local room;</li>
 * <li>removes every node whose heartbeat expired, with all its entries, in one atomic script (so of
 *     several live nodes exactly one removes a given dead node), and announces presence in the rooms
 *     where users went offline.</li>
 * </ol>
 * A dead node's entries are therefore gone at most {@code node-ttl + heartbeat-interval} after its
 * last beat. When Redis is unreachable a beat fails, is counted and logged once, and the next one
 * tries again.
 *
 * <p>A {@link SmartLifecycle} in a phase below the web server's: it registers before connections are
 * accepted and, on a graceful stop, after every connection has closed, withdraws what is left of this
 * node at once ({@code leave}) instead of waiting for the TTL.
 */
public final class NodeHeartbeat implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(NodeHeartbeat.class);

    /** Started before, stopped after the web server (as the message log). */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private final RegistryStore store;
    private final NodeEntries entries;
    private final Bus bus;
    private final ClusterProperties properties;
    private final RegistryMetrics metrics;
    private final String nodeId;
    private @Nullable ScheduledExecutorService scheduler;
    private volatile boolean running;
    private long failuresInARow;

    NodeHeartbeat(RegistryStore store, NodeEntries entries, Bus bus, ClusterProperties properties, RegistryMetrics metrics,
            String nodeId) {
        this.store = store;
        this.entries = entries;
        this.bus = bus;
        this.properties = properties;
        this.metrics = metrics;
        this.nodeId = nodeId;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "parley-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        long interval = properties.heartbeatInterval().toMillis();
        executor.scheduleWithFixedDelay(this::beat, 0, interval, TimeUnit.MILLISECONDS);
        scheduler = executor;
        running = true;
        log.info("Node {} registers in Redis every {} (heartbeat TTL {})", nodeId, properties.heartbeatInterval(), properties.nodeTtl());
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        ScheduledExecutorService executor = scheduler;
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(properties.redisTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            announce(store.leave());
            log.info("Node {} left the registry", nodeId);
        } catch (RuntimeException e) {
            log.warn("Node {} could not leave the registry ({}); the others remove it after {}", nodeId, e.toString(), properties.nodeTtl());
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

    /** One heartbeat; runs on the heartbeat thread (and directly in tests). */
    void beat() {
        try {
            RegistryStore.Beat beat = store.beat(properties.nodeTtl());
            metrics.nodes(beat.nodes());
            if (!beat.existed() || entries.isDirty()) {
                resync(beat.existed());
            }
            RegistryStore.Reaped reaped = store.reap();
            if (!reaped.nodes().isEmpty()) {
                metrics.reaped(reaped.nodes().size());
                log.info("Nodes {} stopped heartbeating; removed their registry entries (presence changed in {} rooms)",
                        reaped.nodes(), reaped.rooms().size());
                announce(reaped.rooms());
            }
            if (failuresInARow > 0) {
                log.info("Registry reachable again after {} failed heartbeats", failuresInARow);
                failuresInARow = 0;
            }
        } catch (RuntimeException e) {
            metrics.writeFailed();
            if (failuresInARow++ == 0) {
                log.warn("Heartbeat of node {} failed ({}); retrying every {}", nodeId, e.toString(), properties.heartbeatInterval());
            }
        }
    }

    private void resync(boolean existed) {
        List<String> changed = entries.sync();
        metrics.synced();
        Set<String> rooms = new LinkedHashSet<>(changed);
        // Local users may have been shown a partial list (this node's only) while Redis was away.
        rooms.addAll(entries.localRooms());
        if (existed) {
            log.info("Node {} restored its registry entries after a failed write; presence announced in {} rooms", nodeId, rooms.size());
        } else {
            log.info("Node {} (re)registered; its entries are written, presence announced in {} rooms", nodeId, rooms.size());
        }
        announce(rooms);
    }

    private void announce(Collection<String> rooms) {
        for (String room : rooms) {
            // A notice: every node reads the room's online set again and sends its members the difference.
            bus.publish(room, new ServerFrame.PresenceDelta(room, List.of(), List.of()));
        }
    }
}
