package io.parley.server.connection;

import org.jspecify.annotations.Nullable;

/**
 * Joins the parts of one inbound text message, so the container's message buffer can stay small
 * (a few hundred bytes per socket) while Parley still accepts frames up to
 * {@code parley.websocket.max-frame-size}: a message that fits the container's buffer arrives in one
 * part and passes through untouched; a larger one is copied into a builder that exists only while
 * it arrives. One per socket; not thread-safe: the container delivers a socket's messages one at a
 * time, in order.
 */
final class TextAssembler {

    private final int maxChars;
    private @Nullable StringBuilder pending;
    private boolean discarding;

    /** @param maxChars longest message accepted, in chars (the limit the container's buffer used to set) */
    TextAssembler(int maxChars) {
        this.maxChars = maxChars;
    }

    /**
     * Adds one part; returns the whole message with its last part, {@code null} before it.
     *
     * @throws TooLarge when the message grows past the maximum; its remaining parts are ignored
     */
    @Nullable String add(String part, boolean last) {
        if (discarding) {
            discarding = !last;
            return null;
        }
        StringBuilder builder = pending;
        if (builder == null) {
            if (last) {
                return check(part);
            }
            builder = pending = new StringBuilder(Math.min(maxChars, 4 * part.length()));
        }
        if (builder.length() + part.length() > maxChars) {
            pending = null;
            discarding = !last;
            throw new TooLarge(maxChars);
        }
        builder.append(part);
        if (!last) {
            return null;
        }
        pending = null;
        return builder.toString();
    }

    private String check(String whole) {
        if (whole.length() > maxChars) {
            throw new TooLarge(maxChars);
        }
        return whole;
    }

    /** An inbound message longer than the maximum frame size: the socket is to be closed with 1009. */
    static final class TooLarge extends RuntimeException {

        TooLarge(int maxChars) {
            super("frame exceeds " + maxChars + " chars", null, false, false);
        }
    }
}
