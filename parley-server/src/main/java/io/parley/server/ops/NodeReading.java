package io.parley.server.ops;

import org.jspecify.annotations.Nullable;

/**
 * The raw figures of this node at one instant, gauges and running totals, as {@link NodeStatsSampler}
 * reads them; {@link #stats} turns two consecutive readings into a {@link NodeStats} with rates.
 * Immutable.
 */
record NodeReading(
        long at,
        int connections,
        int users,
        int connectionLimit,
        long fdOpen,
        long fdMax,
        long bufferedBytes,
        long deliveries,
        long messages,
        long handshakesAccepted,
        long handshakesRefused,
        long busEvents,
        double busLagTotalMillis,
        long heapUsedBytes,
        long heapMaxBytes) {

    /**
     * This reading as the stats of {@code node}, with the rates since {@code previous} (zero, and
     * no bus lag, without one or when no time passed).
     */
    NodeStats stats(String node, long startedAt, @Nullable NodeReading previous) {
        double seconds = previous == null ? 0 : (at - previous.at) / 1000.0;
        double lag = -1;
        if (previous != null && busEvents > previous.busEvents) {
            lag = (busLagTotalMillis - previous.busLagTotalMillis) / (busEvents - previous.busEvents);
        }
        return new NodeStats(node, at, startedAt, connections, users, connectionLimit, fdOpen, fdMax, bufferedBytes,
                deliveries, rate(seconds, previous == null ? 0 : deliveries - previous.deliveries),
                messages, rate(seconds, previous == null ? 0 : messages - previous.messages),
                handshakesAccepted, handshakesRefused, rate(seconds, previous == null ? 0 : handshakesRefused - previous.handshakesRefused),
                lag, heapUsedBytes, heapMaxBytes);
    }

    private static double rate(double seconds, long delta) {
        return seconds > 0 && delta > 0 ? delta / seconds : 0;
    }
}
