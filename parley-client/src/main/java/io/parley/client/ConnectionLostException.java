package io.parley.client;

/**
 * A request that is not retried across connections (a {@code ping}) failed because its connection
 * ended, or was made while the client was not connected. Sends, joins, leaves and history requests
 * are never failed with this: they wait for the next connection.
 */
public final class ConnectionLostException extends RuntimeException {

    public ConnectionLostException(String message) {
        super(message);
    }
}
