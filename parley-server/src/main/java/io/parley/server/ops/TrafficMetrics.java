package io.parley.server.ops;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.server.connection.ConnectionStats;
import io.parley.server.connection.Connections;
import io.parley.server.connection.OutboundQueues;
import io.parley.server.connection.OutboundStats;
import org.springframework.stereotype.Component;

/**
 * What flows through this node's sockets, bound once:
 * <ul>
 * <li>{@code parley.frames{direction=in|out}} (counters): text frames received (whole messages,
 * before rate limiting and validation) and written (completed writes); pings and pongs are not
 * frames here ({@code parley.heartbeat.pings});
 * <li>{@code parley.delivery.latency} (timer, percentile histogram, 100 µs to 30 s): from a room
 * message's commit (the timestamp the committing node gave it, just before its transaction
 * commits) to the completion of its write to one socket, once per recipient. Live deliveries only:
 * replays of history are not timed. Across nodes the two clocks' skew is part of it, as in
 * {@code parley.bus.lag}.
 * </ul>
 * The counters read {@link ConnectionStats} and {@link OutboundStats} when scraped. The timer is
 * recorded on the thread that completes each write; the queue computes the latency from the clock
 * reading it takes anyway and the commit time carried by the broadcast's one {@code Outgoing}, so
 * a delivery costs no clock read and no meter look-up, only the timer's own update.
 */
@Component
class TrafficMetrics {

    TrafficMetrics(Connections connections, OutboundQueues queues, MeterRegistry registry) {
        FunctionCounter.builder("parley.frames", connections.stats(), ConnectionStats::framesIn).tag("direction", "in")
                .description("WebSocket text frames received or written").register(registry);
        FunctionCounter.builder("parley.frames", queues.stats(), OutboundStats::writes).tag("direction", "out")
                .description("WebSocket text frames received or written").register(registry);
        Timer latency = Timer.builder("parley.delivery.latency")
                .description("From a room message's commit to the completion of its write to a recipient's socket")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        queues.stats().recordDeliveriesWith(nanos -> latency.record(nanos, TimeUnit.NANOSECONDS));
    }
}
