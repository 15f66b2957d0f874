package io.parley.server.ops;

/**
 * One node's figures at one moment, as the admin page and {@code GET /api/admin/nodes} show them and
 * as each node publishes its own for the others ({@link NodeStatsBoard}). Rates are per second over
 * the interval since the node's previous sample; totals count since the node started. {@code -1}
 * means unknown (no Unix descriptor counts on this platform; no bus lag in standalone mode or no
 * event from another node in the interval).
 *
 * @param node the node's id ({@code parley.node-id}, else host name and a random suffix)
 * @param at when the sample was taken (epoch milliseconds, the node's clock)
 * @param startedAt when the node started (epoch milliseconds)
 * @param connections WebSockets open on the node
 * @param users distinct users with a WebSocket open on the node
 * @param connectionLimit the most WebSockets the node accepts ({@code parley.connections.max})
 * @param fdOpen file descriptors open in the node's process
 * @param fdMax the process's descriptor limit ({@code ulimit -n})
 * @param bufferedBytes bytes waiting in the node's outbound queues (slow clients)
 * @param deliveries frames written to sockets since start (messages, presence, answers)
 * @param deliveriesPerSecond frames written to sockets per second
 * @param messages messages this node committed to the log since start
 * @param messagesPerSecond messages this node committed per second
 * @param handshakesAccepted WebSocket handshakes admitted since start
 * @param handshakesRefused WebSocket handshakes refused by admission control since start (503 and 429)
 * @param refusedPerSecond handshakes refused per second
 * @param busLagMillis mean delay from publish on another node to dispatch here over the interval
 * @param heapUsedBytes Java heap in use
 * @param heapMaxBytes the Java heap's limit
 */
public record NodeStats(
        String node,
        long at,
        long startedAt,
        int connections,
        int users,
        int connectionLimit,
        long fdOpen,
        long fdMax,
        long bufferedBytes,
        long deliveries,
        double deliveriesPerSecond,
        long messages,
        double messagesPerSecond,
        long handshakesAccepted,
        long handshakesRefused,
        double refusedPerSecond,
        double busLagMillis,
        long heapUsedBytes,
        long heapMaxBytes) {
}
