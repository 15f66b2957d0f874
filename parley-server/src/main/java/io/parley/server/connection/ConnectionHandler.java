package io.parley.server.connection;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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

    /**
     * The node is draining and is about to close this connection ({@link Drain}): take no more
     * requests whose answer could be lost with the connection (refuse them with an error frame, code
     * {@code unavailable}), and complete once every such request already taken has been answered,
     * or the connection closed. The drain then writes what is queued and closes the connection with
     * 1012. May be called more than once (each call returns the same outcome), from any thread,
     * possibly while a frame is being handled. The default takes no such requests.
     */
    default CompletionStage<Void> quiesce() {
        return CompletableFuture.completedFuture(null);
    }
}
