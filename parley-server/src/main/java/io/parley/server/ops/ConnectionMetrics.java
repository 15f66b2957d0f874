package io.parley.server.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.server.connection.ConnectionStats;
import io.parley.server.connection.Connections;
import org.springframework.stereotype.Component;

/**
 * This node's connections as meters, bound once and read from {@link Connections} and its {@link
 * ConnectionStats} when scraped (they own no state):
 * <ul>
 * <li>{@code parley.connections.open} (gauge): WebSockets open now;
 * <li>{@code parley.connections.users} (gauge): distinct users with one open here;
 * <li>{@code parley.connections.closed{code}} (counter): sockets closed, by close code as the server
 * saw it (its own code when it closed, the client's when the client did, 1006 without a close
 * frame); one series per code of {@link ConnectionStats#CODES}, every other code as {@code
 * code="other"};
 * <li>{@code parley.heartbeat.pings} (counter): WebSocket pings sent by the heartbeats;
 * <li>{@code parley.heartbeat.timeouts{reason=pong|first_frame}} (counter): sockets closed with 4000
 * for want of an answer to a ping, or of a first frame.
 * </ul>
 * The descriptors are Micrometer's own {@code process.files.open} and {@code process.files.max},
 * bound by Spring Boot.
 */
@Component
class ConnectionMetrics {

    ConnectionMetrics(Connections connections, MeterRegistry registry) {
        Gauge.builder("parley.connections.open", connections, Connections::count)
                .description("WebSockets open on this node").register(registry);
        Gauge.builder("parley.connections.users", connections, Connections::users)
                .description("Distinct users with a WebSocket open on this node").register(registry);
        ConnectionStats stats = connections.stats();
        for (int code : ConnectionStats.CODES) {
            closed(registry, stats, Integer.toString(code), code);
        }
        closed(registry, stats, "other", ConnectionStats.OTHER);
        FunctionCounter.builder("parley.heartbeat.pings", stats, ConnectionStats::pings)
                .description("WebSocket pings sent to clients").register(registry);
        FunctionCounter.builder("parley.heartbeat.timeouts", stats, ConnectionStats::pongTimeouts).tag("reason", "pong")
                .description("Sockets closed with 4000: no answer to a ping, or no first frame, in time").register(registry);
        FunctionCounter.builder("parley.heartbeat.timeouts", stats, ConnectionStats::firstFrameTimeouts)
                .tag("reason", "first_frame")
                .description("Sockets closed with 4000: no answer to a ping, or no first frame, in time").register(registry);
    }

    private static void closed(MeterRegistry registry, ConnectionStats stats, String tag, int code) {
        FunctionCounter.builder("parley.connections.closed", stats, s -> s.closed(code)).tag("code", tag)
                .description("WebSockets closed, by close code").register(registry);
    }
}
