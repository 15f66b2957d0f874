package io.parley.server.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.Bus;
import io.parley.server.cluster.BusListener;
import org.jspecify.annotations.Nullable;

/** A {@link Bus} for unit tests: records subscriptions and publications, delivers to the listener at once. */
final class RecordingBus implements Bus {

    final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    final List<ServerFrame> published = new ArrayList<>();
    @Nullable BusListener listener;

    @Override
    public void listen(BusListener listener) {
        this.listener = listener;
    }

    @Override
    public synchronized void publish(String room, ServerFrame event) {
        published.add(event);
        deliver(room, event);
    }

    /** Delivers an event as if another node had published it. */
    void deliver(String room, ServerFrame event) {
        if (listener != null && subscribed.contains(room)) {
            listener.onRoomEvent(room, event);
        }
    }

    @Override
    public void subscribe(String room) {
        subscribed.add(room);
    }

    @Override
    public void unsubscribe(String room) {
        subscribed.remove(room);
    }
}
