package io.parley.server.connection;

/**
 * What a connection's frames mean: implemented by {@code chat}, so that {@code connection} never
 * imports anything about rooms. At open it creates the connection's own {@link ConnectionHandler},
 * which the connection layer keeps on the socket's session: an inbound frame goes straight to it,
 * with no look-up by connection id.
 *
 * <p>{@link #onOpen} is called on the container's thread that opened the socket, before any frame
 * of that socket is delivered.
 */
public interface FrameHandler {

    /**
     * The connection is open and authenticated; nothing has been sent on it yet. Returns the handler
     * of this connection's frames and close.
     */
    ConnectionHandler onOpen(Connection connection);
}
