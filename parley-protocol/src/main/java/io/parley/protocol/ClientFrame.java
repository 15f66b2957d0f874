package io.parley.protocol;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.jspecify.annotations.Nullable;

/**
 * A frame sent by a client. Each record validates itself in its constructor and throws
 * {@link BadFrame} when a field is missing or out of range, so a decoded frame is always valid.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ClientFrame.Join.class, name = "join"),
        @JsonSubTypes.Type(value = ClientFrame.Leave.class, name = "leave"),
        @JsonSubTypes.Type(value = ClientFrame.Send.class, name = "send"),
        @JsonSubTypes.Type(value = ClientFrame.History.class, name = "history"),
        @JsonSubTypes.Type(value = ClientFrame.Typing.class, name = "typing"),
        @JsonSubTypes.Type(value = ClientFrame.Ping.class, name = "ping"),
        @JsonSubTypes.Type(value = ClientFrame.Read.class, name = "read"),
        @JsonSubTypes.Type(value = ClientFrame.Auth.class, name = "auth")})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ClientFrame {

    /** The wire {@code type} of a frame, such as {@code "send"}. */
    static String typeOf(ClientFrame frame) {
        for (JsonSubTypes.Type type : ClientFrame.class.getAnnotation(JsonSubTypes.class).value()) {
            if (type.value() == frame.getClass()) {
                return type.name();
            }
        }
        throw new IllegalStateException("unregistered frame " + frame.getClass());
    }

    /**
     * Become a member of {@code room} (persisted) and subscribe this connection to it. The server
     * answers {@code joined}, then every message with a sequence above {@code since} in order, then
     * live messages, with no gap and no duplicate between the two.
     *
     * @param since the last sequence the client already has, or {@code null} for none (no replay)
     */
    record Join(String room, @Nullable Long since) implements ClientFrame {
        public Join {
            RoomName.check(room);
            if (since != null && since < 0) {
                throw new BadFrame("since must be >= 0");
            }
        }
    }

    /** Stop being a member of {@code room}; this connection no longer receives its messages. */
    record Leave(String room) implements ClientFrame {
        public Leave {
            RoomName.check(room);
        }
    }

    /**
     * Post {@code text} to {@code room}: 1..{@value Protocol#MAX_TEXT} chars, no control character but
     * tab and line breaks, no lone surrogate, not only whitespace ({@link Texts#checkMessage}).
     * Retrying with the same {@code clientMsgId} never creates a second message: the server answers with the sequence of the first.
     */
    record Send(String room, UUID clientMsgId, String text) implements ClientFrame {
        public Send {
            RoomName.check(room);
            if (clientMsgId == null) {
                throw new BadFrame("missing field 'clientMsgId'");
            }
            if (text == null) {
                throw new BadFrame("missing field 'text'");
            }
            if (text.isEmpty()) {
                throw new BadFrame("text must not be empty");
            }
            if (text.length() > Protocol.MAX_TEXT) {
                throw new BadFrame(ErrorCode.TOO_LARGE, "text must be at most " + Protocol.MAX_TEXT + " chars");
            }
            Texts.checkMessage(text);
        }
    }

    /**
     * Ask for up to {@code limit} messages of {@code room} with a sequence below {@code before}
     * (the newest ones when {@code before} is null), answered in ascending order.
     */
    record History(String room, @Nullable Long before, @Nullable Integer limit) implements ClientFrame {
        public History {
            RoomName.check(room);
            if (before != null && before < 1) {
                throw new BadFrame("before must be >= 1");
            }
            if (limit != null && (limit < 1 || limit > Protocol.MAX_HISTORY_LIMIT)) {
                throw new BadFrame("limit must be 1.." + Protocol.MAX_HISTORY_LIMIT);
            }
        }

        public int limitOrDefault() {
            return limit == null ? Protocol.DEFAULT_HISTORY_LIMIT : limit;
        }
    }

    /** The user is typing in {@code room}. Relayed to the room's other members; never stored. */
    record Typing(String room) implements ClientFrame {
        public Typing {
            RoomName.check(room);
        }
    }

    /**
     * The user has read {@code room} up to sequence {@code seq}. The stored position only moves
     * forward and never past the room's head; answered with {@code read} carrying the stored value,
     * which also goes to the user's other connections on every node when it moved.
     */
    record Read(String room, long seq) implements ClientFrame {
        public Read {
            RoomName.check(room);
            if (seq < 0) {
                throw new BadFrame("seq must be >= 0");
            }
        }
    }

    /** Application-level ping; answered with {@code pong} carrying the same id (at most {@value Protocol#MAX_PING_ID} printable chars). */
    record Ping(@Nullable String id) implements ClientFrame {
        public Ping {
            if (id != null && id.length() > Protocol.MAX_PING_ID) {
                throw new BadFrame(ErrorCode.TOO_LARGE, "id must be at most " + Protocol.MAX_PING_ID + " chars");
            }
            if (id != null) {
                Texts.checkPrintable("id", id);
            }
        }
    }

    /**
     * A new access token for this connection (a token connection only), sent after the server's
     * {@code refresh} frame and before the current token expires. Answered with {@code authed}; a
     * token that is invalid, of another user or of another login is answered with an
     * {@code unauthorized} error, and the connection keeps its current expiry.
     */
    record Auth(String token) implements ClientFrame {
        public Auth {
            if (token == null || token.isBlank()) {
                throw new BadFrame("missing field 'token'");
            }
            if (token.length() > Protocol.MAX_TOKEN) {
                throw new BadFrame(ErrorCode.TOO_LARGE, "token must be at most " + Protocol.MAX_TOKEN + " chars");
            }
            for (int i = 0; i < token.length(); i++) {
                char c = token.charAt(i);
                if (c <= 0x20 || c >= 0x7f) {
                    throw new BadFrame("token must be printable ASCII");
                }
            }
        }

        @Override
        public String toString() {
            return "Auth[token=***]";
        }
    }
}
