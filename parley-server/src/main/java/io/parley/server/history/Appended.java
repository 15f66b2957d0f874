package io.parley.server.history;

/**
 * The outcome of an append: the committed message, and whether it already existed (a retry with the
 * same {@code clientMsgId}, answered with the original sequence and not delivered again).
 */
public record Appended(StoredMessage message, boolean duplicate) {
}
