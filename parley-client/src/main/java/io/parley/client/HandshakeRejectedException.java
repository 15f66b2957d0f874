package io.parley.client;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * The server answered the WebSocket upgrade with an HTTP status instead of {@code 101}: 401 without
 * a valid session (log in again), 403 for a refused {@code Origin}, 503 when the node is full (then
 * {@link #retryAfter()} says how long to wait).
 */
public final class HandshakeRejectedException extends RuntimeException {

    private final int status;
    private final @Nullable Duration retryAfter;

    public HandshakeRejectedException(int status, @Nullable Duration retryAfter) {
        super("WebSocket handshake rejected with HTTP " + status
                + (retryAfter == null ? "" : " (Retry-After " + retryAfter.toSeconds() + " s)"));
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    /** The server's {@code Retry-After}, when it sent one in seconds. */
    public @Nullable Duration retryAfter() {
        return retryAfter;
    }

    /** Whether retrying with the same credentials can succeed: false for 401 and 403. */
    public boolean isRetryable() {
        return status != 401 && status != 403;
    }
}
