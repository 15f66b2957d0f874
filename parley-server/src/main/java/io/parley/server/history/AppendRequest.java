package io.parley.server.history;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * One queued append and the future its caller holds. Compared by identity, so a queue can remove
 * exactly this request. Created on the caller's thread, completed once on a committer thread (or
 * by whoever removes it from its queue).
 */
final class AppendRequest {

    final String room;
    final String sender;
    final UUID clientMsgId;
    final String text;
    /** {@link System#nanoTime()} when queued: the batch window counts from the oldest request. */
    final long enqueuedNanos;
    final CompletableFuture<Appended> future = new CompletableFuture<>();

    AppendRequest(String room, String sender, UUID clientMsgId, String text, long enqueuedNanos) {
        this.room = room;
        this.sender = sender;
        this.clientMsgId = clientMsgId;
        this.text = text;
        this.enqueuedNanos = enqueuedNanos;
    }

    /** The identity a retry shares with its original. */
    MessageKey key() {
        return new MessageKey(room, sender, clientMsgId);
    }

    /** The idempotency key of a message: unique in the log. */
    record MessageKey(String room, String sender, UUID clientMsgId) {
    }

    @Override
    public String toString() {
        return "AppendRequest[" + room + ", " + sender + ", " + clientMsgId + "]";
    }
}
