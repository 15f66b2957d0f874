package io.parley.server.ops;

import java.util.List;

/**
 * Where each node posts its latest {@link NodeStats} and any node reads every live node's: the
 * cluster-wide view behind the admin page. {@link LocalNodeStatsBoard} in standalone mode (this
 * node only), {@link RedisNodeStatsBoard} in cluster mode. Implementations are thread-safe; their
 * calls block for at most the store's timeout and throw when the store is unreachable.
 */
interface NodeStatsBoard {

    /** Posts this node's latest stats, replacing its previous ones. */
    void publish(NodeStats stats);

    /** The latest stats of every node that posted within the staleness bound, ordered by node id. */
    List<NodeStats> read();

    /** Removes this node's stats (it is stopping). */
    void withdraw(String node);
}
