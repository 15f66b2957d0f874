package io.parley.server.chat;

import java.util.LinkedHashSet;
import java.util.Set;

import io.parley.protocol.CloseCodes;
import io.parley.server.cluster.Bus;
import io.parley.server.cluster.NodeEvent;
import io.parley.server.cluster.NodeEventListener;
import io.parley.server.cluster.NodeIdentity;
import io.parley.server.cluster.Registry;
import io.parley.server.connection.Connection;
import io.parley.server.connection.Connections;
import io.parley.server.connection.HttpSessionEnded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.CloseStatus;

/**
 * Closes, with 1008, the connections of an HTTP session that ended, wherever they are: the node where
 * the user logged out sends {@link NodeEvent.SessionEnded} to each node the {@link Registry} says
 * holds a connection of the user (itself in-process, the others on their node channels), and each of
 * them closes its connections opened with that session. Nodes without a connection of the user get
 * nothing. Thread-safe.
 */
@Component
class SessionTermination implements HttpSessionEnded, NodeEventListener {

    private static final Logger log = LoggerFactory.getLogger(SessionTermination.class);
    static final CloseStatus LOGGED_OUT = new CloseStatus(CloseCodes.POLICY_VIOLATION, "logged out");

    private final Registry registry;
    private final Bus bus;
    private final Connections connections;
    private final String nodeId;

    SessionTermination(Registry registry, Bus bus, Connections connections, NodeIdentity node) {
        this.registry = registry;
        this.bus = bus;
        this.connections = connections;
        this.nodeId = node.id();
        bus.listen(this);
    }

    @Override
    public void httpSessionEnded(String user, String httpSessionId) {
        Set<String> nodes = new LinkedHashSet<>(registry.nodesOf(user));
        nodes.add(nodeId);
        NodeEvent event = new NodeEvent.SessionEnded(user, httpSessionId);
        for (String node : nodes) {
            bus.send(node, event);
        }
    }

    @Override
    public void onNodeEvent(NodeEvent event) {
        if (event instanceof NodeEvent.SessionEnded ended) {
            for (Connection connection : connections.ofHttpSession(ended.httpSessionId())) {
                if (connection.user().equals(ended.user())) {
                    log.debug("{} closed: its HTTP session ended", connection);
                    connection.close(LOGGED_OUT);
                }
            }
        }
    }
}
