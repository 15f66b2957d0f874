package io.parley.client;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Opens WebSocket connections that carry whole text messages. The seam between
 * {@link ParleyClient}'s reliability logic and the socket: {@link JdkWebSocketTransport} in
 * production, a fake in unit tests.
 *
 * <p>Contract of the callbacks of one {@link #connect} call: at most one {@link Listener#onOpen},
 * before any {@link Listener#onText}; then exactly one terminal callback, {@link Listener#onClose}
 * or {@link Listener#onError} (only {@code onError}, for a failed handshake, when there was no
 * {@code onOpen}). Callbacks of one connection never run concurrently.
 */
interface Transport {

    /** Close code reported when the connection ended without a close frame (RFC 6455 section 7.1.5). */
    int ABNORMAL_CLOSURE = 1006;

    /**
     * Starts opening a connection; the outcome arrives through {@code listener}. A refused upgrade
     * is reported as {@link Listener#onError} with a {@link HandshakeRejectedException}.
     */
    void connect(URI uri, Map<String, String> headers, Duration timeout, Listener listener);

    /** One open connection. Thread-safe. */
    interface Connection {

        /**
         * Queues one text message. Messages go out in the order of the calls, one at a time. If a
         * send fails, the connection is aborted and the listener hears {@code onClose(1006)} or
         * {@code onError}.
         */
        void send(String text);

        /** Sends a close frame after the queued messages and stops; no more callbacks matter. */
        void close(int code, String reason);

        /**
         * Drops the connection at once, as a lost network would; the listener then receives
         * {@code onClose(1006, ...)} unless a terminal callback was already made.
         */
        void abort();
    }

    interface Listener {

        void onOpen(Connection connection);

        /**
         * One whole text message. The transport reads the next message only once the returned
         * stage completes: that is the flow control of the connection.
         */
        CompletionStage<?> onText(String text);

        /** The connection closed, by a close frame from the server or abnormally (1006). */
        void onClose(int code, String reason);

        /** The connection failed, or could not be opened. */
        void onError(Throwable error);
    }
}
