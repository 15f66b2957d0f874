package io.parley.server.connection;

/**
 * Where the newest snapshot of a state comes from: the state of one room that a connection is told
 * about by a snapshot followed by changes (today a room's presence: a {@code presence} snapshot,
 * then {@code presence-delta}s). Every {@linkplain Outgoing#state state frame} carries its source,
 * so that an {@link OutboundQueue} that sheds the buffered state frames of a room can put the
 * current snapshot in their place: the client's state is then right again, and nothing was
 * silently lost.
 *
 * <p>Implementations must be thread-safe and answer at once: {@link #snapshot()} is called under an
 * outbound queue's lock, from whichever thread is shedding, so it may not block, do I/O or take a
 * lock that a queue's caller may hold.
 */
@FunctionalInterface
public interface StateSource {

    /**
     * The current snapshot of the state, as a state frame of the same room whose source is this one
     * (so that it can itself be replaced by a newer one). Encoded once and shared by every queue
     * that takes it.
     */
    Outgoing snapshot();
}
