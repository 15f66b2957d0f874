package io.parley.server.connection;

/**
 * What an {@link OutboundQueue} does when its buffer exceeds the buffer limit, or when the node-wide
 * budget sheds it. Spring's {@code ConcurrentWebSocketSessionDecorator.OverflowStrategy} has the
 * first two; {@link #RESYNC} is Parley's, and the default for a chat, because it loses nothing.
 *
 * <p>Control frames (welcome, acks, errors, history pages, gaps) are never dropped. State frames
 * (presence snapshots and deltas) are never dropped alone: under {@link #DROP} and {@link #RESYNC}
 * the buffered state frames of a room are replaced by the room's current snapshot wherever they
 * weigh more than it, so the client's presence list is right again. When {@link #DROP} or
 * {@link #RESYNC} has shed what it may and the rest still exceeds the limit, the socket is
 * terminated as under {@link #TERMINATE}.
 */
public enum OverflowStrategy {

    /** Clear the buffer and close the socket with 4500 {@code SESSION_NOT_RELIABLE}. The client reconnects and resumes. */
    TERMINATE,

    /**
     * Drop buffered room messages, oldest first, until the buffer is within the limit. The client is
     * not told; it only notices a jump in a room's sequence. Counted in {@code parley.outbound.dropped}.
     * If dropping every message is not enough, state frames are replaced by snapshots as under
     * {@link #RESYNC}.
     */
    DROP,

    /**
     * Drop every buffered room message and queue, per affected room, one {@code gap(room, from, to)}
     * frame in place of the first dropped message, naming the dropped range; and replace, per room,
     * the buffered state frames by one current snapshot where that frees bytes. The connection stays
     * open; the client fetches the range with {@code history}. Repeated overflows before a gap is
     * written widen that gap instead of queueing another one.
     */
    RESYNC
}
