package io.parley.server.cluster;

import io.parley.protocol.ServerFrame;

/** Receives the events of the rooms this node subscribes to. Called on bus threads; must not block. */
public interface BusListener {

    /** An event of {@code room} published by any node. */
    void onRoomEvent(String room, ServerFrame event);

    /**
     * The bus lost its connection and subscriptions, and got them back: events published meanwhile
     * were lost, so the listener checks every subscribed room against the log.
     */
    default void onResubscribed() {
    }
}
