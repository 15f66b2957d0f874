package io.parley.server.cluster;

import io.parley.protocol.ServerFrame;

/**
 * Receives the events of the rooms this node subscribes to. Called on the publishing thread for
 * events published on this node, and on the bus's dispatch thread for events of other nodes; must
 * not block for long.
 */
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
