package io.parley.server.cluster.local;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.Bus;
import io.parley.server.cluster.BusListener;
import io.parley.server.cluster.NodeEvent;
import io.parley.server.cluster.NodeEventListener;
import io.parley.server.cluster.RoomEvent;
import io.parley.server.cluster.NodeIdentity;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus of a standalone node: events go straight to this node's listeners, on the publishing
 * thread, for the rooms it subscribes to. Nothing is lost, so no resubscription ever happens.
 * Thread-safe.
 */
public final class LocalBus implements Bus {

    private static final Logger log = LoggerFactory.getLogger(LocalBus.class);

    private final String nodeId;
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private volatile @Nullable BusListener listener;
    private final List<NodeEventListener> nodeListeners = new CopyOnWriteArrayList<>();

    private final FrameCodec codec;

    public LocalBus(NodeIdentity node, FrameCodec codec) {
        this.nodeId = node.id();
        this.codec = codec;
    }

    @Override
    public void listen(BusListener listener) {
        this.listener = listener;
    }

    @Override
    public void listen(NodeEventListener listener) {
        nodeListeners.add(listener);
    }

    @Override
    public void publish(String room, ServerFrame event) {
        BusListener target = listener;
        if (target != null && rooms.contains(room)) {
            target.onRoomEvent(room, RoomEvent.of(event), codec.encode(event));
        }
    }

    @Override
    public void send(String nodeId, NodeEvent event) {
        if (!this.nodeId.equals(nodeId)) {
            log.debug("No node {} in standalone mode; {} dropped", nodeId, event);
            return;
        }
        for (NodeEventListener target : nodeListeners) {
            target.onNodeEvent(event);
        }
    }

    @Override
    public void subscribe(String room) {
        rooms.add(room);
    }

    @Override
    public void unsubscribe(String room) {
        rooms.remove(room);
    }
}
