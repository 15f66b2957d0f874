package io.parley.client;

import org.jspecify.annotations.Nullable;

/**
 * An HTTP call of {@link ParleyHttp} answered with an error status. Carries the status and the
 * server's JSON error ({@code {"error":"code","message":"..."}}) when it sent one.
 */
public final class ParleyHttpException extends RuntimeException {

    private final int status;
    private final @Nullable String error;
    private final String serverMessage;

    public ParleyHttpException(String request, int status, @Nullable String error, String serverMessage) {
        super(request + " → HTTP " + status + (error == null ? "" : " " + error)
                + (serverMessage.isEmpty() ? "" : ": " + serverMessage));
        this.status = status;
        this.error = error;
        this.serverMessage = serverMessage;
    }

    public int status() {
        return status;
    }

    /** The server's error code, such as {@code "username_taken"}, or null if the body had none. */
    public @Nullable String error() {
        return error;
    }

    /** The server's message, or the start of a non-JSON body; empty if none. */
    public String serverMessage() {
        return serverMessage;
    }
}
