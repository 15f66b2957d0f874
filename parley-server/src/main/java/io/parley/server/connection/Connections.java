package io.parley.server.connection;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Every open connection of this node, by WebSocket session id, with a count per user: for
 * admission, drains, logouts and meters. Written at open and close only; an inbound frame never
 * looks a connection up here. Also the slots reserved by handshakes that {@link Admission} let
 * through and that have not opened yet: an admitted handshake holds a slot from admission until its
 * connection is {@linkplain #add added} (which takes the slot) or the handshake fails ({@link
 * #cancelReservation()}), so a burst of concurrent handshakes cannot pass the connection limit.
 * Thread-safe.
 */
@Component
public class Connections {

    private final Map<String, Connection> byId = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> perUser = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger reserved = new AtomicInteger();
    private final ConnectionStats stats = new ConnectionStats();

    void add(Connection connection) {
        byId.put(connection.id(), connection);
        perUser.compute(connection.user(), (user, count) -> {
            AtomicInteger counted = count != null ? count : new AtomicInteger();
            counted.incrementAndGet();
            return counted;
        });
        open.incrementAndGet();
        reserved.getAndUpdate(slots -> slots > 0 ? slots - 1 : 0);
    }

    @Nullable Connection remove(String id) {
        Connection removed = byId.remove(id);
        if (removed != null) {
            open.decrementAndGet();
            perUser.computeIfPresent(removed.user(), (user, count) -> count.decrementAndGet() == 0 ? null : count);
        }
        return removed;
    }

    /**
     * Reserves a slot for a handshake if open connections and reserved slots together stay within
     * {@code max}; false otherwise.
     */
    boolean tryReserve(int max) {
        for (;;) {
            int slots = reserved.get();
            if (open.get() + slots >= max) {
                return false;
            }
            if (reserved.compareAndSet(slots, slots + 1)) {
                return true;
            }
        }
    }

    /** Gives back the slot of an admitted handshake that did not open a connection. */
    void cancelReservation() {
        reserved.getAndUpdate(slots -> slots > 0 ? slots - 1 : 0);
    }

    /** Open connections and reserved slots. */
    int inUse() {
        return open.get() + reserved.get();
    }

    /** The counters of this node's sockets: closes by code, inbound frames, heartbeats. */
    public ConnectionStats stats() {
        return stats;
    }

    public int count() {
        return open.get();
    }

    /** Connections of {@code user} open on this node. */
    public int countOf(String user) {
        AtomicInteger count = perUser.get(user);
        return count == null ? 0 : count.get();
    }

    /** Distinct users with a connection on this node. */
    public int users() {
        return perUser.size();
    }

    public Collection<Connection> all() {
        return List.copyOf(byId.values());
    }

    /** The connections opened with this HTTP session (closed when the session ends). */
    public List<Connection> ofHttpSession(String httpSessionId) {
        return byId.values().stream().filter(c -> httpSessionId.equals(c.httpSessionId())).toList();
    }
}
