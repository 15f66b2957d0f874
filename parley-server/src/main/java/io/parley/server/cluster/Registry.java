package io.parley.server.cluster;

import java.util.Set;

/**
 * Who is connected where: for each user, the nodes that hold at least one of their connections.
 * Used to send per-user events ({@link NodeEvent}) only to the nodes that need them.
 *
 * <p>A node reports its own connections only; entries of a node that stops (or dies) are removed,
 * by itself or by the others within a bounded time. Implementations are thread-safe and never let
 * an unreachable store fail the caller: they keep this node's part in memory and restore it later.
 */
public interface Registry {

    /** A connection of {@code user} opened on this node. */
    void connected(String user);

    /** A connection of {@code user} on this node closed. */
    void disconnected(String user);

    /**
     * The ids of the nodes holding a connection of {@code user}, this one included when it does. When
     * the store is unreachable, this node only (if it holds one): the caller reaches no other node.
     */
    Set<String> nodesOf(String user);
}
