package io.parley.server.cluster;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How nodes watch each other and recover lost events ({@code parley.cluster.*}).
 *
 * @param heartbeatInterval how often a node renews its heartbeat and looks for dead nodes (default
 *        2s; cluster mode only)
 * @param nodeTtl how long a heartbeat lives (default 6s): a node that has not renewed it for this
 *        long is dead, and the next live node to look removes its registry entries. A dead node's
 *        entries are therefore gone at most {@code nodeTtl + heartbeatInterval} after its last
 *        heartbeat. Must exceed {@code heartbeatInterval}, by at least two intervals to ride out a
 *        pause (GC, slow Redis) without being declared dead
 * @param roomCheckInterval how often every room with a local subscriber is compared with the log
 *        (default 5s): the bound on how late a message lost by the bus is delivered when no later
 *        message of its room reveals the jump; both modes
 * @param reorderWindow how long a node holds back a room message that arrives ahead of a missing one
 *        before it reads the missing ones from the log (default 50ms). When several nodes write to
 *        a room, a node's own messages overtake the others' (in-process versus through Redis); this
 *        window lets the late ones arrive instead of costing a database read. {@code 0} reads at once
 * @param redisTimeout longest wait for Redis on a caller's thread (subscriptions, registry writes;
 *        default 2s). Publishing never waits
 */
@ConfigurationProperties("parley.cluster")
public record ClusterProperties(
        @DefaultValue("2s") Duration heartbeatInterval,
        @DefaultValue("6s") Duration nodeTtl,
        @DefaultValue("5s") Duration roomCheckInterval,
        @DefaultValue("50ms") Duration reorderWindow,
        @DefaultValue("2s") Duration redisTimeout) {

    public ClusterProperties {
        if (heartbeatInterval.toMillis() < 10 || roomCheckInterval.toMillis() < 10 || redisTimeout.toMillis() < 10) {
            throw new IllegalArgumentException(
                    "parley.cluster.heartbeat-interval, room-check-interval and redis-timeout must be at least 10ms");
        }
        if (reorderWindow.isNegative() || reorderWindow.compareTo(roomCheckInterval) > 0) {
            throw new IllegalArgumentException("parley.cluster.reorder-window must be between 0 and room-check-interval");
        }
        if (nodeTtl.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("parley.cluster.node-ttl (" + nodeTtl
                    + ") must exceed parley.cluster.heartbeat-interval (" + heartbeatInterval + ")");
        }
    }
}
