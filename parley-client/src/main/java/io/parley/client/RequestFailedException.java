package io.parley.client;

import io.parley.protocol.ErrorCode;
import io.parley.protocol.ServerFrame;

/** The server answered a request (a send, a join, a history page …) with an {@code error} frame. */
public final class RequestFailedException extends RuntimeException {

    private final ServerFrame.Error error;

    public RequestFailedException(ServerFrame.Error error) {
        super(error.code().wire() + ": " + error.message());
        this.error = error;
    }

    public ServerFrame.Error error() {
        return error;
    }

    public ErrorCode code() {
        return error.code();
    }
}
