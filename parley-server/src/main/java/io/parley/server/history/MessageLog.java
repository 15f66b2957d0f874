package io.parley.server.history;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * The durable log of room messages: the source of truth for every delivery, replay and history page.
 *
 * <p>Guarantees: each room's sequence numbers are 1, 2, 3, ... without gaps or repeats, however many
 * senders and nodes append at once; a message is visible to readers only after it is committed; at
 * most one message exists per {@code (room, sender, clientMsgId)}. Implementations are thread-safe.
 */
public interface MessageLog {

    /**
     * Appends a message, creating the room's log on its first message. The future completes after
     * the commit, on a log thread, in sequence order per room; or exceptionally (with an
     * {@link AppendFailedException}) when the log is overloaded, stopped, or the store is unreachable:
     * then the caller must not acknowledge. Normally nothing was committed; if the store committed but
     * its reply was lost, the message exists, and a retry finds it. A retry with the same
     * {@code (room, sender, clientMsgId)} completes with the original message and
     * {@code duplicate = true}.
     */
    CompletableFuture<Appended> append(String room, String sender, UUID clientMsgId, String text);

    /** The room's newest sequence, 0 when it has no message. */
    long lastSeq(String room);

    /** Up to {@code limit} messages with {@code seq > afterSeq}, ascending. */
    List<StoredMessage> after(String room, long afterSeq, int limit);

    /** The newest {@code limit} messages with {@code seq < beforeSeq} (all when null), ascending. */
    List<StoredMessage> before(String room, @Nullable Long beforeSeq, int limit);
}
