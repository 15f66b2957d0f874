package io.parley.server.cluster.redis;

import java.util.List;

import io.parley.server.cluster.Presence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence across the cluster: per room, the users with a subscribed connection on any node, counted
 * once per user (hash {@code <p>:registry:presence:<room>}, see {@link RegistryStore}). A user with
 * connections on two nodes is online until both close; a dead node's users are withdrawn when it is
 * reaped, and the reaper announces the change (see {@link NodeHeartbeat}).
 *
 * <p>While Redis is unreachable, {@link #enter} and {@link #exit} report a change (so that the room
 * is told to look again) and {@link #online} answers with this node's users only; when Redis is back,
 * the next heartbeat restores this node's entries and announces every local room. Thread-safe.
 */
public final class RedisPresence implements Presence {

    private static final Logger log = LoggerFactory.getLogger(RedisPresence.class);

    private final NodeEntries entries;
    private final RegistryStore store;

    RedisPresence(NodeEntries entries, RegistryStore store) {
        this.entries = entries;
        this.store = store;
    }

    @Override
    public boolean enter(String room, String user) {
        return entries.add(NodeEntries.presence(room, user));
    }

    @Override
    public boolean exit(String room, String user) {
        return entries.remove(NodeEntries.presence(room, user));
    }

    @Override
    public List<String> online(String room) {
        try {
            return store.online(room);
        } catch (RuntimeException e) {
            log.debug("Presence of {} not readable from Redis ({}); this node's users only", room, e.toString());
            return entries.localUsers(room);
        }
    }
}
