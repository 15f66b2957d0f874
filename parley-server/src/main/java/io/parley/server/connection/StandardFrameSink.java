package io.parley.server.connection;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.NativeWebSocketSession;
import org.springframework.web.socket.handler.WebSocketSessionDecorator;

/**
 * Writes through the container's asynchronous send of the native JSR-356 session: no thread waits
 * for the client. On Tomcat the frame's UTF-8 bytes, encoded once for all its recipients, are written
 * as one text frame ({@link TomcatTextFrames}); elsewhere its text goes through {@code
 * RemoteEndpoint.Async#sendText(String, SendHandler)}, which encodes it per send. Either call writes
 * what the socket accepts without blocking and completes on a container thread.
 *
 * <p>Closes go through the Spring session (so its decorators see them) on the {@code closer} pool:
 * Tomcat sends the close frame with a blocking send that waits for a pending write (50 ms for an
 * abnormal close, 20 s for 1000), which must not stall the watchdog or a broadcast.
 *
 * <p>A peer's close is reported at once. Tomcat answers a client's close frame with a blocking send
 * of its own close frame, queued behind the write in progress, and only then tells the endpoint (and
 * so Parley) that the socket closed; that send waits {@value #BLOCKING_SEND_TIMEOUT_PROPERTY}, 20 s
 * by default. A client that closes without reading what it was sent would keep its queue and its
 * pending write until the watchdog ended it with 4500. Parley sends nothing with a blocking send on
 * Tomcat but pings, and those only when no write is pending, so each session gets {@link #CLOSE_SEND_TIMEOUT_MILLIS} for it: the close frame goes out if
 * the peer takes it within that time, and the queue is released right after.
 *
 * <p>One write at a time (the queue guarantees it), so one {@link SendHandler} — this object — serves
 * every write without allocating.
 *
 * <p><b>Pings.</b> JSR-356 has no asynchronous ping: {@code sendPing} blocks. On Tomcat it does not
 * touch the text state machine (control frames may go between the fragments of a message, so no
 * {@code IllegalStateException}), but it waits for the permit that a pending asynchronous
 * {@code sendText} holds until its write completes; past the session's blocking-send timeout (here
 * {@link #CLOSE_SEND_TIMEOUT_MILLIS}, Tomcat's default 20 s) Tomcat closes the session with 1001 and
 * throws. So the queue hands a ping over only when no write of its own is pending ({@link
 * OutboundQueue#ping}): the permit is free and the ping, two bytes, goes into the socket's buffer
 * at once. It can still wait if the kernel's send buffer happens to be full (a stalled reader whose
 * last write just fitted): for at most {@link #CLOSE_SEND_TIMEOUT_MILLIS}, after which Tomcat closes
 * the session and the queue sees a failed write.
 */
final class StandardFrameSink implements FrameSink, SendHandler {

    private static final Logger log = LoggerFactory.getLogger(StandardFrameSink.class);

    private final WebSocketSession session;
    private final Session nativeSession;
    private final RemoteEndpoint.Async remote;
    private final @Nullable Object tomcatEndpoint; // TomcatTextFrames.endpoint(remote)
    private final Executor closer;
    private volatile @Nullable Consumer<@Nullable Throwable> done;

    /** Tomcat's bound on a blocking send, read per send from the session's user properties. */
    static final String BLOCKING_SEND_TIMEOUT_PROPERTY = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

    /** How long the close frame that answers a peer's close may wait behind a pending write. */
    static final long CLOSE_SEND_TIMEOUT_MILLIS = 100;

    private StandardFrameSink(WebSocketSession session, Session nativeSession, Executor closer) {
        this.session = session;
        this.nativeSession = nativeSession;
        nativeSession.getUserProperties().put(BLOCKING_SEND_TIMEOUT_PROPERTY, CLOSE_SEND_TIMEOUT_MILLIS);
        this.remote = nativeSession.getAsyncRemote();
        this.tomcatEndpoint = TomcatTextFrames.endpoint(remote);
        this.closer = closer;
    }

    /** A sink over the session's native JSR-356 session, or {@code null} if it has none. */
    static @Nullable FrameSink of(WebSocketSession session, Executor closer) {
        if (WebSocketSessionDecorator.unwrap(session) instanceof NativeWebSocketSession nativeAware) {
            Session nativeSession = nativeAware.getNativeSession(Session.class);
            if (nativeSession != null) {
                return new StandardFrameSink(session, nativeSession, closer);
            }
        }
        return null;
    }

    @Override
    public void write(Outgoing frame, Consumer<@Nullable Throwable> done) {
        this.done = done;
        try {
            Object endpoint = tomcatEndpoint;
            if (endpoint != null) {
                TomcatTextFrames.send(endpoint, frame.payload(), this);
            }
            else {
                remote.sendText(frame.text(), this);
            }
        }
        catch (RuntimeException ex) { // closed session, or a container that refuses the send
            done.accept(ex);
        }
    }

    @Override
    public void ping(Consumer<@Nullable Throwable> done) {
        Throwable failure = null;
        try {
            remote.sendPing(ByteBuffer.allocate(0)); // Tomcat clears the buffer after the send: never share one
        }
        catch (IOException | RuntimeException ex) {
            failure = ex;
        }
        done.accept(failure);
    }

    /** On a container thread: nothing thrown here may escape into the container. */
    @Override
    public void onResult(SendResult result) {
        Consumer<@Nullable Throwable> target = done;
        if (target != null) {
            try {
                target.accept(result.isOK() ? null : result.getException());
            }
            catch (RuntimeException ex) {
                log.warn("Completion of a write on {} failed", this, ex);
            }
        }
    }

    @Override
    public void close(CloseStatus status) {
        try {
            closer.execute(() -> closeNow(session, status));
        }
        catch (RejectedExecutionException ex) {
            closeNow(session, status); // shutting down
        }
    }

    @Override
    public boolean isOpen() {
        return nativeSession.isOpen();
    }

    static void closeNow(WebSocketSession session, CloseStatus status) {
        try {
            session.close(status);
        }
        catch (IOException | RuntimeException ex) {
            // Could be part of the normal workflow: the client went away first.
            log.debug("Failed to close session {} with {}: {}", session.getId(), status, ex.toString());
        }
    }

    @Override
    public String toString() {
        return "session " + session.getId();
    }
}
