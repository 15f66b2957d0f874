package io.parley.server.connection;

import java.io.IOException;
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
 * Writes through the container's asynchronous send, {@code RemoteEndpoint.Async#sendText(String,
 * SendHandler)} of the native JSR-356 session: no thread waits for the client. On Tomcat the call
 * writes what the socket accepts without blocking and completes on a container thread.
 *
 * <p>Closes go through the Spring session (so its decorators see them) on the {@code closer} pool:
 * Tomcat sends the close frame with a blocking send that waits for a pending write (50 ms for an
 * abnormal close, 20 s for 1000), which must not stall the watchdog or a broadcast.
 *
 * <p>One write at a time (the queue guarantees it), so one {@link SendHandler} — this object — serves
 * every write without allocating.
 */
final class StandardFrameSink implements FrameSink, SendHandler {

    private static final Logger log = LoggerFactory.getLogger(StandardFrameSink.class);

    private final WebSocketSession session;
    private final Session nativeSession;
    private final RemoteEndpoint.Async remote;
    private final Executor closer;
    private volatile @Nullable Consumer<@Nullable Throwable> done;

    private StandardFrameSink(WebSocketSession session, Session nativeSession, Executor closer) {
        this.session = session;
        this.nativeSession = nativeSession;
        this.remote = nativeSession.getAsyncRemote();
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
    public void write(String text, Consumer<@Nullable Throwable> done) {
        this.done = done;
        try {
            remote.sendText(text, this);
        }
        catch (RuntimeException ex) { // closed session, or a container that refuses the send
            done.accept(ex);
        }
    }

    @Override
    public void onResult(SendResult result) {
        Consumer<@Nullable Throwable> target = done;
        if (target != null) {
            target.accept(result.isOK() ? null : result.getException());
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
