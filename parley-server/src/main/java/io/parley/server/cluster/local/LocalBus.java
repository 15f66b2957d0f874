package io.parley.server.cluster.local;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.Bus;
import io.parley.server.cluster.BusListener;
import org.jspecify.annotations.Nullable;

/**
 * The bus of a standalone node: events go straight to this node's listener, on the publishing
 * thread, for the rooms it subscribes to. Nothing is lost, so no resubscription ever happens.
 * Thread-safe.
 */
public final class LocalBus implements Bus {

    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private volatile @Nullable BusListener listener;

    @Override
    public void listen(BusListener listener) {
        this.listener = listener;
    }

    @Override
    public void publish(String room, ServerFrame event) {
        BusListener target = listener;
        if (target != null && rooms.contains(room)) {
            target.onRoomEvent(room, event);
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
