package io.parley.server.cluster.redis;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.protocol.ServerFrame;

/**
 * The Redis bus's meters, all named {@code parley.bus.*}. Holds no state beyond the meters; thread-safe.
 * <ul>
 * <li>{@code parley.bus.published}: PUBLISH commands issued, tagged {@code kind} (message, presence,
 *     typing, node, other): one per event, whatever the number of receivers;</li>
 * <li>{@code parley.bus.publish.failures}: PUBLISH commands Redis did not accept (down, timeout);</li>
 * <li>{@code parley.bus.received}: events received from other nodes;</li>
 * <li>{@code parley.bus.dropped}: node events received but not dispatched (dispatch queue full; room events are routed at once);</li>
 * <li>{@code parley.bus.lag}: from PUBLISH on the origin to dispatch here (clocks of two nodes);</li>
 * <li>{@code parley.bus.resubscriptions}: subscriptions restored after the connection dropped;</li>
 * <li>{@code parley.bus.subscriptions}: room channels this node wants (gauge);</li>
 * <li>{@code parley.bus.connected}: 1 while the subscriber connection is up, else 0 (gauge).</li>
 * </ul>
 */
final class BusMetrics {

    private final MeterRegistry registry;
    private final Counter publishedMessages;
    private final Counter publishedPresence;
    private final Counter publishedTyping;
    private final Counter publishedNode;
    private final Counter publishedOther;
    private final Counter publishFailures;
    private final Counter received;
    private final Counter dropped;
    private final Timer lag;
    private final Counter resubscriptions;

    BusMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.publishedMessages = published("message");
        this.publishedPresence = published("presence");
        this.publishedTyping = published("typing");
        this.publishedNode = published("node");
        this.publishedOther = published("other");
        this.publishFailures = Counter.builder("parley.bus.publish.failures").description("PUBLISH commands that failed")
                .register(registry);
        this.received = Counter.builder("parley.bus.received").description("Events received from other nodes").register(registry);
        this.dropped = Counter.builder("parley.bus.dropped").description("Node events dropped: dispatch queue full").register(registry);
        this.lag = Timer.builder("parley.bus.lag").description("From PUBLISH on the origin node to dispatch on this one")
                .publishPercentileHistogram().register(registry);
        this.resubscriptions = Counter.builder("parley.bus.resubscriptions")
                .description("Subscriptions restored after the connection to Redis dropped").register(registry);
    }

    void gauges(Supplier<Number> subscriptions, Supplier<Number> connected) {
        Gauge.builder("parley.bus.subscriptions", subscriptions).description("Room channels this node subscribes to").register(registry);
        Gauge.builder("parley.bus.connected", connected).description("1 while the subscriber connection is up").register(registry);
    }

    private Counter published(String kind) {
        return Counter.builder("parley.bus.published").description("PUBLISH commands issued").tag("kind", kind).register(registry);
    }

    /** Counts one PUBLISH of {@code event}: an increment of a counter bound at construction, no look-up. */
    void published(ServerFrame event) {
        Counter counter = event instanceof ServerFrame.Message ? publishedMessages
                : event instanceof ServerFrame.PresenceDelta ? publishedPresence
                : event instanceof ServerFrame.Typing ? publishedTyping : publishedOther;
        counter.increment();
    }

    void publishedToNode() {
        publishedNode.increment();
    }

    void publishFailed() {
        publishFailures.increment();
    }

    void received(long publishedAt) {
        received.increment();
        if (publishedAt > 0) {
            lag.record(Math.max(0, System.currentTimeMillis() - publishedAt), TimeUnit.MILLISECONDS);
        }
    }

    void dropped() {
        dropped.increment();
    }

    void resubscribed() {
        resubscriptions.increment();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "BusMetrics[received=%d, failures=%d, dropped=%d, resubscriptions=%d, meanLagMs=%.1f]",
                (long) received.count(), (long) publishFailures.count(), (long) dropped.count(), (long) resubscriptions.count(),
                lag.mean(TimeUnit.MILLISECONDS));
    }
}
