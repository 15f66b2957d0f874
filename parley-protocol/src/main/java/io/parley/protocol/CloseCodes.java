package io.parley.protocol;

/**
 * Every WebSocket close code Parley uses, with its meaning and whether a client should reconnect.
 * A client that reconnects resumes each room with {@code join} and {@code since}: nothing is lost.
 */
public final class CloseCodes {

    /** 1000: ordinary close, asked for by the client. Do not reconnect. */
    public static final int NORMAL = 1000;

    /** 1001: the server is going away without a drain (process exit). Reconnect with backoff. */
    public static final int GOING_AWAY = 1001;

    /**
     * 1008: policy violation: the HTTP session ended (logout), or the token login was revoked (do not
     * reconnect; log in again); or, with the reason {@link #RATE_LIMIT_REASON}, the client kept sending
     * over its rate limits after being told {@code rate_limited} (do not reconnect at once: back off).
     */
    public static final int POLICY_VIOLATION = 1008;

    /** The reason of a 1008 close for a client that ignored its {@code rate_limited} answers. */
    public static final String RATE_LIMIT_REASON = "rate limit";

    /** 1002: the client broke the WebSocket protocol (an unmasked frame, a reserved opcode or RSV bit); sent by the container. */
    public static final int PROTOCOL_ERROR = 1002;

    /** 1003: the client sent a binary message; Parley takes text only. */
    public static final int UNSUPPORTED_DATA = 1003;

    /** 1007: a text message was not valid UTF-8; sent by the container. */
    public static final int INVALID_PAYLOAD = 1007;

    /** 1009: a frame exceeded the maximum frame size. Reconnect; do not resend that frame. */
    public static final int TOO_BIG = 1009;

    /** 1011: an unexpected server error. Reconnect with backoff. */
    public static final int SERVER_ERROR = 1011;

    /** 1012: this node is draining (restart, scale-in). Reconnect at once, with jitter; another node answers. */
    public static final int SERVICE_RESTART = 1012;

    /** 1013: the node is at capacity. Reconnect with backoff. */
    public static final int TRY_AGAIN_LATER = 1013;

    /** 4000: no first frame or no pong in time; the connection was presumed dead. Reconnect. */
    public static final int IDLE_TIMEOUT = 4000;

    /**
     * 4001: the access token of a token connection expired and no {@code auth} frame renewed it in
     * time. Refresh the token over HTTP, then reconnect with the new one and resume.
     */
    public static final int TOKEN_EXPIRED = 4001;

    /**
     * 4500: the connection could not keep up (send-time or buffer limit exceeded, as Spring's
     * {@code CloseStatus.SESSION_NOT_RELIABLE}). Reconnect and resume.
     */
    public static final int SESSION_NOT_RELIABLE = 4500;

    private CloseCodes() {
    }

    /** Whether a client that sees this close code should reconnect on its own. */
    public static boolean shouldReconnect(int code) {
        return code != NORMAL && code != POLICY_VIOLATION;
    }
}
