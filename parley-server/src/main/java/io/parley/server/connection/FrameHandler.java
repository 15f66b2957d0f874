package io.parley.server.connection;

import io.parley.protocol.ClientFrame;

/**
 * What a connection's frames mean: implemented by {@code chat}, so that {@code connection} never
 * imports anything about rooms.
 *
 * <p>Called on the container's thread for that socket, one frame at a time per connection (never
 * concurrently for one connection, concurrently for different ones). A {@link io.parley.protocol.BadFrame}
 * thrown from {@link #onFrame} is answered with an {@code error} frame and the connection stays open;
 * any other exception is logged and answered with {@code internal}.
 */
public interface FrameHandler {

    /** The connection is open and authenticated; nothing has been sent on it yet. */
    void onOpen(Connection connection);

    /** A valid frame from the client. */
    void onFrame(Connection connection, ClientFrame frame);

    /** The connection closed, for whatever reason. Called once. */
    void onClose(Connection connection);
}
