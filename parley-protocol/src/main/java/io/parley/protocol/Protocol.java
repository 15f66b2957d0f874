package io.parley.protocol;

/** Protocol-wide constants. Changing any of them is a protocol version change. */
public final class Protocol {

    /** The protocol version announced in {@code welcome}. */
    public static final int VERSION = 1;

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

    private Protocol() {
    }
}
