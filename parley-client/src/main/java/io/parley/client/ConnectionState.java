package io.parley.client;

/**
 * The life cycle of a {@link ParleyClient}, reported to state listeners as {@link StateChange}s.
 *
 * <pre>
 * NEW → CONNECTING → CONNECTED ⇄ RECONNECTING → RESUMED ⇄ RECONNECTING …
 *                 ↘ CLOSED (first connection failed)    any state → CLOSED
 * </pre>
 */
public enum ConnectionState {

    /** Built, {@link ParleyClient#connect()} not called yet. Never reported as a change. */
    NEW,

    /** The first connection is being opened (handshake, then the server's {@code welcome}). */
    CONNECTING,

    /** The first connection is open: {@code welcome} received. Requests flow. */
    CONNECTED,

    /**
     * The connection was lost (or a reconnect attempt failed) and another attempt is scheduled
     * after a backoff delay. Reported once per attempt. Sends made now wait in the outbox.
     */
    RECONNECTING,

    /**
     * A later connection is open, every room has been re-joined with {@code since} (the server is
     * replaying what was missed) and every un-acknowledged send has been sent again.
     */
    RESUMED,

    /**
     * Terminal: {@link ParleyClient#close()} was called, the server closed with a code that must
     * not be retried ({@code 1000}, {@code 1008}), the WebSocket handshake was refused with 401 or
     * 403, or the first connection failed. Pending requests fail with {@link ClientClosedException}.
     */
    CLOSED;

    /** Whether requests are being sent to the server now ({@link #CONNECTED} or {@link #RESUMED}). */
    public boolean isOpen() {
        return this == CONNECTED || this == RESUMED;
    }
}
