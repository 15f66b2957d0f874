package io.parley.server.cluster.redis;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health component {@code bus}: DOWN while the bus's subscriber connection to Redis is lost (this
 * node delivers locally only; other nodes' events resume and are caught up when it is back). Part of
 * the overall health, not of readiness: a Redis outage must not take every node out of the load
 * balancer, since each still serves its own clients.
 */
final class BusHealthIndicator extends AbstractHealthIndicator {

    private final RedisBus bus;
    private final RegistryMetrics registry;

    BusHealthIndicator(RedisBus bus, RegistryMetrics registry) {
        super("Bus health check failed");
        this.bus = bus;
        this.registry = registry;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        (bus.isConnected() ? builder.up() : builder.down().withDetail("delivery", "local only; cross-node events resume when Redis is back"))
                .withDetail("subscribedRooms", bus.subscribedRooms())
                .withDetail("registeredNodes", registry.nodes());
    }
}
