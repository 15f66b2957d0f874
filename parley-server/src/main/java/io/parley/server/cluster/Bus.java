package io.parley.server.cluster;

import io.parley.protocol.ServerFrame;

/**
 * Carries events between the nodes of a cluster: one channel per room, and one channel per node for
 * events meant for that node only. A node receives a room's events only while it is subscribed to
 * that room, which it is while it holds at least one connection subscribed to the room.
 *
 * <p>Delivery between nodes is at most once and may be lost (Redis pub/sub is fire-and-forget): the
 * message log is the truth, and receivers detect a jump in sequence and read the missing range from
 * it. Delivery to this node's own listener never depends on anything outside the process: an event
 * published here reaches the local listener on the publishing thread, before {@link #publish}
 * returns, even while the broker is unreachable.
 *
 * <p>Implementations are thread-safe. {@link #publish} and {@link #send} never block on the broker
 * or on a receiver; {@link #subscribe} may block briefly (it returns once the subscription is
 * confirmed, or once it is known to be restored later with {@link BusListener#onResubscribed()}).
 */
public interface Bus {

    /** Registers the one listener of room events of this node. Called once, at startup, before any subscription. */
    void listen(BusListener listener);

    /** Adds a listener of this node's own channel; every listener gets every event. Called at startup. */
    void listen(NodeEventListener listener);

    /** Publishes an event of {@code room} to every node subscribed to it, this one included. */
    void publish(String room, ServerFrame event);

    /** Sends {@code event} to the node {@code nodeId} only (this one included: then in-process). */
    void send(String nodeId, NodeEvent event);

    /**
     * Starts receiving {@code room}'s events on this node. Idempotent. When it returns, every event
     * published later reaches this node, or, if the broker is unreachable, the listener's
     * {@link BusListener#onResubscribed()} is called once the subscription is back.
     */
    void subscribe(String room);

    /** Stops receiving {@code room}'s events on this node. Idempotent. */
    void unsubscribe(String room);
}
