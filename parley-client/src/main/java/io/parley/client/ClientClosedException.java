package io.parley.client;

import org.jspecify.annotations.Nullable;

/**
 * The client is {@link ConnectionState#CLOSED}: every request still pending then fails with this,
 * and so does every later call. Un-acknowledged sends failed this way may or may not have been
 * committed by the server.
 */
public final class ClientClosedException extends RuntimeException {

    private final @Nullable Integer closeCode;

    public ClientClosedException(String message, @Nullable Integer closeCode, @Nullable Throwable cause) {
        super(message, cause);
        this.closeCode = closeCode;
    }

    /** The WebSocket close code that ended the client, if a close ended it. */
    public @Nullable Integer closeCode() {
        return closeCode;
    }
}
