package io.parley.server.ops;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The body of {@code GET /api/admin/nodes}: every live node's {@link NodeStats}, as the node that
 * answered sees them.
 *
 * @param node the node that answered
 * @param mode {@code standalone} or {@code cluster}
 * @param at when it answered (epoch milliseconds)
 * @param registeredNodes nodes in the cluster registry at that node's last heartbeat (cluster mode;
 *        1 standalone): more than {@code nodes.size()} means a registered node publishes no stats
 * @param warning why the view is partial (the board could not be read: this node only), else null
 * @param nodes the nodes' latest stats, by node id
 */
public record ClusterView(String node, String mode, long at, long registeredNodes, @Nullable String warning, List<NodeStats> nodes) {
}
