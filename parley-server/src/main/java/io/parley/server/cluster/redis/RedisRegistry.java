package io.parley.server.cluster.redis;

import java.util.Set;

import io.parley.server.cluster.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry of a cluster node: which nodes hold each user's connections, in Redis (keys on
 * {@link RegistryStore}). This node's part is kept in {@link NodeEntries} and survives a Redis outage.
 * Thread-safe; see {@link NodeEntries} for what blocks and for how long.
 */
public final class RedisRegistry implements Registry {

    private static final Logger log = LoggerFactory.getLogger(RedisRegistry.class);

    private final NodeEntries entries;
    private final RegistryStore store;
    private final String nodeId;

    RedisRegistry(NodeEntries entries, RegistryStore store, String nodeId) {
        this.entries = entries;
        this.store = store;
        this.nodeId = nodeId;
    }

    @Override
    public void connected(String user) {
        entries.add(NodeEntries.user(user));
    }

    @Override
    public void disconnected(String user) {
        entries.remove(NodeEntries.user(user));
    }

    @Override
    public Set<String> nodesOf(String user) {
        try {
            return store.nodesOf(user);
        } catch (RuntimeException e) {
            log.warn("Nodes of {} not readable from Redis ({}); this node only", user, e.toString());
            return entries.contains(NodeEntries.user(user)) ? Set.of(nodeId) : Set.of();
        }
    }
}
