package io.parley.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The codes of an {@code error} frame. An error frame never closes the connection: the client may
 * correct itself and go on.
 */
public enum ErrorCode {
    /** The frame is not valid JSON, has an unknown type, or a field is missing or malformed. */
    BAD_REQUEST("bad_request"),
    /** The connection's user is no longer authenticated. */
    UNAUTHORIZED("unauthorized"),
    /** The user may not act on that room (a direct conversation of others, a room not joined). */
    FORBIDDEN("forbidden"),
    /** The room does not exist. */
    NOT_FOUND("not_found"),
    /** Too many frames in too short a time; retry later. */
    RATE_LIMITED("rate_limited"),
    /** A field or the frame itself exceeds its size limit. */
    TOO_LARGE("too_large"),
    /** The server could not complete the request (for example, the database is unreachable). Safe to retry. */
    INTERNAL("internal"),
    /**
     * This node is draining (it closes the connection with 1012 shortly): the request was not
     * carried out, and nothing was stored. Send it again, with the same {@code clientMsgId}, on the
     * next connection.
     */
    UNAVAILABLE("unavailable");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    /** The code as written on the wire, such as {@code "bad_request"}. */
    @JsonValue
    public String wire() {
        return wire;
    }

    public static ErrorCode fromWire(String wire) {
        for (ErrorCode code : values()) {
            if (code.wire.equals(wire)) {
                return code;
            }
        }
        throw new IllegalArgumentException("unknown error code " + wire);
    }
}
