package io.parley.server.cluster;

/**
 * Receives the events sent to this node's channel. Called on the sending thread for events sent by
 * this node to itself, and on the bus's dispatch thread otherwise; must not block for long.
 */
@FunctionalInterface
public interface NodeEventListener {

    void onNodeEvent(NodeEvent event);
}
