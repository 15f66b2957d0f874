package io.parley.server.connection;

/**
 * What an {@link OutboundQueue} does when its buffer exceeds the buffer limit, or when the node-wide
 * budget sheds it. Spring's {@code ConcurrentWebSocketSessionDecorator.OverflowStrategy} has the
 * first two; {@link #RESYNC} is Parley's, and the default for a chat, because it loses nothing.
 *
 * <p>Control frames (welcome, acks, errors, history pages, presence, gaps) are never dropped. When
 * {@link #DROP} or {@link #RESYNC} has dropped every room message and the control frames alone still
 * exceed the limit, the socket is terminated as under {@link #TERMINATE}.
 */
public enum OverflowStrategy {

    /** Clear the buffer and close the socket with 4500 {@code SESSION_NOT_RELIABLE}. The client reconnects and resumes. */
    TERMINATE,

    /**
     * Drop buffered room messages, oldest first, until the buffer is within the limit. The client is
     * not told; it only notices a jump in a room's sequence. Counted in {@code parley.outbound.dropped}.
     */
    DROP,

    /**
     * Drop every buffered room message and queue, per affected room, one {@code gap(room, from, to)}
     * frame in place of the first dropped message, naming the dropped range. The connection stays
     * open; the client fetches the range with {@code history}. Repeated overflows before a gap is
     * written widen that gap instead of queueing another one.
     */
    RESYNC
}
