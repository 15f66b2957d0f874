package io.parley.server.connection;

import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.springframework.web.socket.CloseStatus;

/**
 * The socket as an {@link OutboundQueue} sees it: a non-blocking text writer with a completion
 * callback. The production implementation writes through the container's asynchronous send
 * ({@link StandardFrameSink}); tests use a fake whose completions they control.
 *
 * <p>The queue calls {@link #write} and {@link #ping} for at most one frame at a time: it never
 * starts a write or a ping before the previous one has completed. {@link #close} and {@link #isOpen} may be called from any thread at
 * any time, including while a write is pending.
 */
public interface FrameSink {

    /**
     * Starts writing {@code frame} as one text frame and returns without waiting for the peer: its
     * {@link Outgoing#payload() UTF-8 bytes} where the container can send them as text, its {@link
     * Outgoing#text() text} otherwise. Calls {@code done}
     * exactly once when the write has completed, with {@code null} on success or the failure, on any
     * thread, possibly before this method returns. Should not throw; if it does, the queue treats the
     * exception as the write's failure.
     */
    void write(Outgoing frame, Consumer<@Nullable Throwable> done);

    /**
     * Sends one WebSocket ping frame (empty payload), with the same contract as {@link #write}:
     * {@code done} is called exactly once, possibly before this method returns. May block the caller
     * for a bounded time where the container offers only a blocking ping (JSR-356's {@code sendPing}).
     */
    void ping(Consumer<@Nullable Throwable> done);

    /** Closes the socket with {@code status}. Must not block the caller on the peer; must not throw. */
    void close(CloseStatus status);

    /** Whether the socket is still open. */
    boolean isOpen();
}
