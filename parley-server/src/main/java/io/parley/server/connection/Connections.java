package io.parley.server.connection;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Every open connection of this node, by WebSocket session id: for drains, logouts and meters.
 * Written at open and close only; an inbound frame never looks a connection up here. Thread-safe.
 */
@Component
public class Connections {

    private final Map<String, Connection> byId = new ConcurrentHashMap<>();

    void add(Connection connection) {
        byId.put(connection.id(), connection);
    }

    @Nullable Connection remove(String id) {
        return byId.remove(id);
    }

    public int count() {
        return byId.size();
    }

    public Collection<Connection> all() {
        return List.copyOf(byId.values());
    }

    /** The connections opened with this HTTP session (closed when the session ends). */
    public List<Connection> ofHttpSession(String httpSessionId) {
        return byId.values().stream().filter(c -> httpSessionId.equals(c.httpSessionId())).toList();
    }
}
