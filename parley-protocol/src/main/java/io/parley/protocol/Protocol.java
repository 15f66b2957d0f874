package io.parley.protocol;

/** Protocol-wide constants. Changing any of them is a protocol version change. */
public final class Protocol {

    /** The protocol version announced in {@code welcome}. */
    public static final int VERSION = 1;

    /**
     * The WebSocket subprotocol a browser offers, with {@link #BEARER_SUBPROTOCOL_PREFIX} and its
     * access token, when it cannot set {@code Authorization}; the server selects this one, never the token.
     */
    public static final String SUBPROTOCOL = "parley.v1";

    /** Prefix of the {@code Sec-WebSocket-Protocol} entry that carries an access token: {@code bearer.<token>}. */
    public static final String BEARER_SUBPROTOCOL_PREFIX = "bearer.";

    /** Longest message text, in UTF-16 chars, as counted by {@link String#length()}. */
    public static final int MAX_TEXT = 4000;

    /** Largest page of {@code history}. */
    public static final int MAX_HISTORY_LIMIT = 200;

    /** Page size of {@code history} when the client names none. */
    public static final int DEFAULT_HISTORY_LIMIT = 50;

    /** Longest {@code ping} id. */
    public static final int MAX_PING_ID = 64;

    /** Longest access token an {@code auth} frame may carry. */
    public static final int MAX_TOKEN = 4096;

    /**
     * Longest client frame the codec parses, in chars: a longer one is refused with {@code too_large}
     * before any parsing, whatever the socket's own limit ({@code parley.websocket.max-frame-size}).
     * The largest valid frame (a 4000-char text, every char written as a six-char escape) is under 25,000.
     */
    public static final int MAX_FRAME_CHARS = 65_536;

    /** Deepest nesting of arrays and objects in a client frame (a valid one has depth 1; unknown fields may nest). */
    public static final int MAX_JSON_DEPTH = 16;

    /** Most JSON tokens in a client frame (a valid one has about a dozen). */
    public static final int MAX_JSON_TOKENS = 1024;

    /** Longest number in a client frame, in digits (a {@code long} has at most 19). */
    public static final int MAX_JSON_NUMBER_LENGTH = 24;

    /** Longest field name in a client frame. */
    public static final int MAX_JSON_NAME_LENGTH = 64;

    private Protocol() {
    }
}
