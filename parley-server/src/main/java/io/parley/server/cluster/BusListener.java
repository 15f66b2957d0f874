package io.parley.server.cluster;

/**
 * Receives the events of the rooms this node subscribes to. Called on the publishing thread for
 * events published on this node, and on the bus's dispatch thread for events of other nodes; must
 * not block for long.
 */
public interface BusListener {

    /**
     * An event of {@code room} published by any node. {@code json} is its protocol encoding, made
     * once by the publishing node and carried by the bus as is: a receiver sends these exact bytes
     * to its clients rather than encoding the event again, and routes it by {@code event}, its
     * summary, rather than decoding it.
     */
    void onRoomEvent(String room, RoomEvent event, String json);

    /**
     * The bus lost its connection and subscriptions, and got them back: events published meanwhile
     * were lost, so the listener checks every subscribed room against the log.
     */
    default void onResubscribed() {
    }
}
