package io.parley.server.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.server.connection.Connections;
import org.springframework.stereotype.Component;

/**
 * This node's connections as meters: {@code parley.connections.open} (WebSockets open now) and
 * {@code parley.connections.users} (distinct users with one open here). Read from {@link
 * Connections} when scraped; owns no state. The descriptors are Micrometer's own {@code
 * process.files.open} and {@code process.files.max}, bound by Spring Boot.
 */
@Component
class ConnectionMetrics {

    ConnectionMetrics(Connections connections, MeterRegistry registry) {
        Gauge.builder("parley.connections.open", connections, Connections::count)
                .description("WebSockets open on this node").register(registry);
        Gauge.builder("parley.connections.users", connections, Connections::users)
                .description("Distinct users with a WebSocket open on this node").register(registry);
    }
}
