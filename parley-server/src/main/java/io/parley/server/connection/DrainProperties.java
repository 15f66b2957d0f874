package io.parley.server.connection;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a stopping node hands its connections to the others ({@code parley.drain.*}; see {@link Drain}).
 * Immutable; validated at construction. A whole drain takes at most {@code window + grace}, which
 * must stay below Spring's {@code spring.lifecycle.timeout-per-shutdown-phase} (checked at startup).
 *
 * @param window the time over which the node's connections are closed with 1012, in {@code batches}
 * equal steps, so that their clients reconnect to the other nodes spread over it instead of all at
 * once. Default 10 s; {@code 0} closes every connection at once.
 * @param batches how many steps the window is cut into; batch {@code k} of {@code n} is closed at
 * {@code k/n} of the window (the first one after one step, which gives the load balancer time to
 * see readiness go down). Default 20 (every 500 ms); 1 to 1000.
 * @param grace how long a connection chosen for closing may wait for the sends it already took to be
 * answered before it is closed anyway, and how long after the window the last connections may take
 * to write what is queued; at {@code window + grace} whatever is still open is closed at once (its
 * client resumes with {@code since} and resends what was not acknowledged). Default 5 s.
 */
@ConfigurationProperties("parley.drain")
public record DrainProperties(
        @DefaultValue("10s") Duration window,
        @DefaultValue("20") int batches,
        @DefaultValue("5s") Duration grace) {

    public DrainProperties {
        if (window.isNegative()) {
            throw new IllegalArgumentException("parley.drain.window must be 0 or more, got " + window);
        }
        if (batches < 1 || batches > 1000) {
            throw new IllegalArgumentException("parley.drain.batches must be between 1 and 1000, got " + batches);
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("parley.drain.grace must be 0 or more, got " + grace);
        }
    }

    /** The longest a drain takes: {@code window + grace}. */
    public Duration bound() {
        return window.plus(grace);
    }

    /** When batch {@code k} (1..batches) is closed, after the drain began. */
    Duration batchAt(int k) {
        return window.multipliedBy(k).dividedBy(batches);
    }

    /** How many of {@code remaining} connections batch {@code k} (1..batches) closes: an even share of what is left. */
    int batchSize(int k, int remaining) {
        int left = batches - k + 1;
        return left <= 1 ? remaining : (remaining + left - 1) / left;
    }
}
