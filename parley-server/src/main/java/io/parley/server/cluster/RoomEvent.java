package io.parley.server.cluster;

import java.time.Instant;

import io.parley.protocol.ServerFrame;
import org.jspecify.annotations.Nullable;

/**
 * What a node needs to route an event of a room to its local members without decoding the event:
 * its kind and, for a message, its sequence and commit time; for a typing notice, its user. The
 * event itself travels as the JSON text its publisher encoded, sent to clients as it is.
 *
 * @param kind what the event is
 * @param seq the sequence of a message in its room; {@code 0} for the other kinds
 * @param committed when a message was committed; {@code null} for the other kinds, or unknown
 * @param user who is typing, for {@link Kind#TYPING}; {@code null} otherwise
 */
public record RoomEvent(Kind kind, long seq, @Nullable Instant committed, @Nullable String user) {

    /** The kinds of room events a node delivers; {@link #OTHER} is passed over. */
    public enum Kind {
        MESSAGE, TYPING, PRESENCE, OTHER
    }

    /** The summary of {@code frame}. */
    public static RoomEvent of(ServerFrame frame) {
        if (frame instanceof ServerFrame.Message message) {
            return message(message.seq(), message.ts());
        }
        if (frame instanceof ServerFrame.Typing typing) {
            return typing(typing.user());
        }
        if (frame instanceof ServerFrame.PresenceDelta) {
            return new RoomEvent(Kind.PRESENCE, 0, null, null);
        }
        return new RoomEvent(Kind.OTHER, 0, null, null);
    }

    /** A message with sequence {@code seq}, committed at {@code committed}. */
    public static RoomEvent message(long seq, @Nullable Instant committed) {
        return new RoomEvent(Kind.MESSAGE, seq, committed, null);
    }

    /** {@code user} is typing. */
    public static RoomEvent typing(String user) {
        return new RoomEvent(Kind.TYPING, 0, null, user);
    }
}
