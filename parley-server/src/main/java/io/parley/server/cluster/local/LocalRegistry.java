package io.parley.server.cluster.local;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.parley.server.cluster.NodeIdentity;
import io.parley.server.cluster.Registry;

/**
 * The registry of a standalone node: a count of open connections per user; every connected user is
 * on this node. Thread-safe: counts change atomically under {@link ConcurrentHashMap#merge}.
 */
public final class LocalRegistry implements Registry {

    private final String nodeId;
    private final Map<String, Integer> connections = new ConcurrentHashMap<>();

    public LocalRegistry(NodeIdentity node) {
        this.nodeId = node.id();
    }

    @Override
    public void connected(String user) {
        connections.merge(user, 1, Integer::sum);
    }

    @Override
    public void disconnected(String user) {
        connections.computeIfPresent(user, (u, count) -> count > 1 ? count - 1 : null);
    }

    @Override
    public Set<String> nodesOf(String user) {
        return connections.containsKey(user) ? Set.of(nodeId) : Set.of();
    }
}
