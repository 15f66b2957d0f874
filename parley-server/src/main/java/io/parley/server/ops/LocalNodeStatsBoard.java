package io.parley.server.ops;

import java.util.List;

import org.jspecify.annotations.Nullable;

/** Standalone mode's board: the one node's latest stats, in memory. Thread-safe. */
final class LocalNodeStatsBoard implements NodeStatsBoard {

    private volatile @Nullable NodeStats latest;

    @Override
    public void publish(NodeStats stats) {
        latest = stats;
    }

    @Override
    public List<NodeStats> read() {
        NodeStats stats = latest;
        return stats == null ? List.of() : List.of(stats);
    }

    @Override
    public void withdraw(String node) {
        latest = null;
    }
}
