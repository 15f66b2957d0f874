package io.parley.server.cluster.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.lettuce.core.RedisCommandInterruptedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part of the registry, kept in memory and mirrored to Redis: a count of local
 * connections per entry ({@code u <user>}, {@code p <room> <user>}, see {@link RegistryStore}). Redis
 * is written only when a count goes from 0 to 1 or from 1 to 0, so a user with many tabs on this node
 * costs one entry.
 *
 * <p>The memory side is the truth for this node. A write to Redis that fails (Redis down, timeout)
 * leaves this object <em>dirty</em>, and the next heartbeat replaces the node's entries in Redis with
 * the ones here ({@link #sync}), as it does when it finds that Redis lost them (restart, or this node
 * was reaped after a long pause).
 *
 * <p>Thread-safe. Changes to one entry are serialized by a lock striped on the entry, held across the
 * Redis write, so Redis sees each entry's additions and removals in the order they happened here;
 * {@link #sync} takes every stripe, so no change slips between its snapshot and its write.
 */
final class NodeEntries {

    private static final Logger log = LoggerFactory.getLogger(NodeEntries.class);
    private static final int STRIPES = 64;

    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final Object[] stripes = new Object[STRIPES];
    private final RegistryStore store;
    private final RegistryMetrics metrics;
    private volatile boolean dirty;

    NodeEntries(RegistryStore store, RegistryMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    static String user(String user) {
        return "u " + user;
    }

    static String presence(String room, String user) {
        return "p " + room + " " + user;
    }

    /**
     * One more local connection for {@code entry}. True when a room's online set changed, or may have:
     * when Redis could not be written, the caller announces a change that a later sync confirms.
     */
    boolean add(String entry) {
        synchronized (stripe(entry)) {
            if (counts.merge(entry, 1, Integer::sum) > 1) {
                return false;
            }
            return write(entry, store::add);
        }
    }

    /** One local connection less for {@code entry}; true when a room's online set changed (or may have). */
    boolean remove(String entry) {
        synchronized (stripe(entry)) {
            boolean[] last = {false};
            counts.computeIfPresent(entry, (e, count) -> {
                last[0] = count == 1;
                return count > 1 ? count - 1 : null;
            });
            return last[0] && write(entry, store::remove);
        }
    }

    boolean contains(String entry) {
        return counts.containsKey(entry);
    }

    /** The users with a local connection subscribed to {@code room}, sorted: presence when Redis is unreachable. */
    List<String> localUsers(String room) {
        String prefix = "p " + room + " ";
        List<String> users = new ArrayList<>();
        for (String entry : counts.keySet()) {
            if (entry.startsWith(prefix)) {
                users.add(entry.substring(prefix.length()));
            }
        }
        users.sort(null);
        return users;
    }

    /** The rooms with a local subscriber, from the entries. */
    List<String> localRooms() {
        List<String> rooms = new ArrayList<>();
        for (String entry : counts.keySet()) {
            if (entry.startsWith("p ")) {
                String room = entry.substring(2, entry.indexOf(' ', 2));
                if (!rooms.contains(room)) {
                    rooms.add(room);
                }
            }
        }
        return rooms;
    }

    boolean isDirty() {
        return dirty;
    }

    /**
     * Replaces this node's entries in Redis with the ones in memory; returns the rooms whose online
     * set changed. Throws when Redis fails, leaving this object dirty.
     */
    List<String> sync() {
        return syncAll(0);
    }

    private List<String> syncAll(int stripe) {
        if (stripe == STRIPES) {
            dirty = false;
            try {
                return store.sync(List.copyOf(counts.keySet()));
            } catch (RuntimeException e) {
                dirty = true;
                throw e;
            }
        }
        synchronized (stripes[stripe]) {
            return syncAll(stripe + 1);
        }
    }

    private boolean write(String entry, Function<String, Boolean> operation) {
        try {
            return operation.apply(entry);
        } catch (RedisCommandInterruptedException e) {
            // The caller's thread is being stopped (shutdown): no warning; a later sync settles it.
            Thread.currentThread().interrupt();
            dirty = true;
            return true;
        } catch (RuntimeException e) {
            if (!dirty) {
                log.warn("Registry write to Redis failed ({}); this node keeps its entries and restores them on a later heartbeat", e.toString());
            }
            dirty = true;
            metrics.writeFailed();
            return true;
        }
    }

    private Object stripe(String entry) {
        return stripes[Math.floorMod(entry.hashCode(), STRIPES)];
    }
}
