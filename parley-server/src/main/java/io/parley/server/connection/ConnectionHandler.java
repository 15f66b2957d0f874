package io.parley.server.connection;

import io.parley.protocol.ClientFrame;

/**
 * The state and behaviour of one connection above the socket, created by {@link FrameHandler#onOpen}
 * and kept on the socket's session by the connection layer for the connection's life.
 *
 * <p>Called on the container's thread for that socket, one frame at a time (never concurrently for
 * one connection); {@link #onClose} may run on another container thread, concurrently with a frame
 * still being handled. A {@link io.parley.protocol.BadFrame} thrown from {@link #onFrame} is
 * answered with an {@code error} frame and the connection stays open; any other exception is logged
 * and answered with {@code internal}.
 */
public interface ConnectionHandler {

    /** A valid frame from the client. */
    void onFrame(ClientFrame frame);

    /** The connection closed, for whatever reason. Called once. */
    void onClose();
}
