package io.parley.server.connection;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PingMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketMessage;
import org.springframework.web.socket.WebSocketSession;

/**
 * The fallback for a session without a JSR-356 native session: a blocking
 * {@link WebSocketSession#sendMessage} on a small shared pool. The queue's callers still never wait,
 * but a slow client holds a pool thread until its write completes or the watchdog closes it (at
 * most the send-time limit plus one check interval), and can delay other sockets' writes meanwhile.
 */
final class BlockingFrameSink implements FrameSink {

    private final WebSocketSession session;
    private final Executor sender;
    private final Executor closer;

    BlockingFrameSink(WebSocketSession session, Executor sender, Executor closer) {
        this.session = session;
        this.sender = sender;
        this.closer = closer;
    }

    @Override
    public void write(Outgoing frame, Consumer<@Nullable Throwable> done) {
        send(new TextMessage(frame.text()), done);
    }

    private void send(WebSocketMessage<?> message, Consumer<@Nullable Throwable> done) {
        try {
            sender.execute(() -> {
                Throwable failure = null;
                try {
                    session.sendMessage(message);
                }
                catch (IOException | RuntimeException ex) {
                    failure = ex;
                }
                done.accept(failure);
            });
        }
        catch (RejectedExecutionException ex) {
            done.accept(ex);
        }
    }

    @Override
    public void ping(Consumer<@Nullable Throwable> done) {
        send(new PingMessage(), done);
    }

    @Override
    public void close(CloseStatus status) {
        try {
            closer.execute(() -> StandardFrameSink.closeNow(session, status));
        }
        catch (RejectedExecutionException ex) {
            StandardFrameSink.closeNow(session, status);
        }
    }

    @Override
    public boolean isOpen() {
        return session.isOpen();
    }

    @Override
    public String toString() {
        return "session " + session.getId();
    }
}
