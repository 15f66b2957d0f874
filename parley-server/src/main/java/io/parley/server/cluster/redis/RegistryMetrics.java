package io.parley.server.cluster.redis;

import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The registry's meters, all named {@code parley.registry.*}. Thread-safe.
 * <ul>
 * <li>{@code parley.registry.nodes}: nodes registered in Redis at the last heartbeat (gauge);</li>
 * <li>{@code parley.registry.reaped}: dead nodes whose entries this node removed;</li>
 * <li>{@code parley.registry.syncs}: times this node rewrote its entries (after a failure or a Redis restart);</li>
 * <li>{@code parley.registry.failures}: registry writes and heartbeats that failed.</li>
 * </ul>
 */
final class RegistryMetrics {

    private final AtomicLong nodes = new AtomicLong();
    private final Counter reaped;
    private final Counter syncs;
    private final Counter failures;

    RegistryMetrics(MeterRegistry registry) {
        Gauge.builder("parley.registry.nodes", nodes, AtomicLong::get).description("Nodes registered at the last heartbeat")
                .register(registry);
        this.reaped = Counter.builder("parley.registry.reaped").description("Dead nodes removed by this node").register(registry);
        this.syncs = Counter.builder("parley.registry.syncs").description("Rewrites of this node's entries").register(registry);
        this.failures = Counter.builder("parley.registry.failures").description("Registry writes and heartbeats that failed")
                .register(registry);
    }

    void nodes(long count) {
        nodes.set(count);
    }

    long nodes() {
        return nodes.get();
    }

    void reaped(int count) {
        reaped.increment(count);
    }

    void synced() {
        syncs.increment();
    }

    void writeFailed() {
        failures.increment();
    }

    @Override
    public String toString() {
        return "RegistryMetrics[nodes=" + nodes.get() + ", reaped=" + (long) reaped.count() + ", syncs=" + (long) syncs.count()
                + ", failures=" + (long) failures.count() + "]";
    }
}
