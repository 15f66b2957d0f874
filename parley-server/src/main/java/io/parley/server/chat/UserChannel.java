package io.parley.server.chat;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.Bus;
import io.parley.server.cluster.NodeEvent;
import io.parley.server.cluster.NodeEventListener;
import io.parley.server.cluster.NodeIdentity;
import io.parley.server.cluster.Registry;
import io.parley.server.connection.Connection;
import io.parley.server.connection.Outgoing;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Frames addressed to a user rather than a room ({@code read}, {@code room}): sent as
 * {@link NodeEvent.UserFrame} to each node the {@link Registry} says holds a connection of the user
 * (this one in-process), like a logout ({@link SessionTermination}); each node writes the frame to
 * its own connections of that user. Delivery to other nodes is at most once, as on the bus: a client
 * that missed one reads the state again with {@code GET /api/rooms}. Thread-safe.
 */
@Component
class UserChannel implements NodeEventListener {

    private final Registry registry;
    private final Bus bus;
    private final FrameCodec codec;
    private final String nodeId;
    private final Map<String, Set<Connection>> local = new ConcurrentHashMap<>();

    UserChannel(Registry registry, Bus bus, FrameCodec codec, NodeIdentity node) {
        this.registry = registry;
        this.bus = bus;
        this.codec = codec;
        this.nodeId = node.id();
        bus.listen(this);
    }

    void opened(Connection connection) {
        local.computeIfAbsent(connection.user(), user -> ConcurrentHashMap.newKeySet()).add(connection);
    }

    void closed(Connection connection) {
        local.computeIfPresent(connection.user(), (user, connections) -> {
            connections.remove(connection);
            return connections.isEmpty() ? null : connections;
        });
    }

    /** Sends {@code frame} to every connection of {@code user} on every node, except {@code except} (when given). */
    void send(String user, ServerFrame frame, @Nullable Connection except) {
        Set<String> nodes = new LinkedHashSet<>(registry.nodesOf(user));
        nodes.add(nodeId);
        NodeEvent event = new NodeEvent.UserFrame(user, codec.encode(frame), except == null ? null : except.id());
        for (String node : nodes) {
            bus.send(node, event);
        }
    }

    @Override
    public void onNodeEvent(NodeEvent event) {
        if (event instanceof NodeEvent.UserFrame frame) {
            Set<Connection> connections = local.get(frame.user());
            if (connections == null) {
                return;
            }
            for (Connection connection : connections) {
                if (!connection.id().equals(frame.except())) {
                    connection.send(Outgoing.control(frame.json()));
                }
            }
        }
    }
}
