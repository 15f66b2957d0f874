package io.parley.server.cluster;

import io.parley.protocol.ServerFrame;

/**
 * Carries room events between the nodes of a cluster: one channel per room. A node receives a
 * room's events only while it is subscribed to that room, which it is while it holds at least one
 * connection subscribed to the room.
 *
 * <p>Delivery is at most once and may be lost (Redis pub/sub is fire-and-forget): the message log is
 * the truth, and receivers detect a jump in sequence and read the missing range from it.
 * Implementations are thread-safe; {@link #publish} never blocks on a receiver.
 */
public interface Bus {

    /** Registers the one listener of this node. Called once, at startup, before any subscription. */
    void listen(BusListener listener);

    /** Publishes an event of {@code room} to every node subscribed to it, this one included. */
    void publish(String room, ServerFrame event);

    /** Starts receiving {@code room}'s events on this node. Idempotent. */
    void subscribe(String room);

    /** Stops receiving {@code room}'s events on this node. Idempotent. */
    void unsubscribe(String room);
}
