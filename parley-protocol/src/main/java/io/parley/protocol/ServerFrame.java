package io.parley.protocol;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import org.jspecify.annotations.Nullable;

/** A frame sent by the server. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = ServerFrame.Welcome.class, name = "welcome"),
        @JsonSubTypes.Type(value = ServerFrame.Joined.class, name = "joined"),
        @JsonSubTypes.Type(value = ServerFrame.Left.class, name = "left"),
        @JsonSubTypes.Type(value = ServerFrame.Sent.class, name = "sent"),
        @JsonSubTypes.Type(value = ServerFrame.Message.class, name = "message"),
        @JsonSubTypes.Type(value = ServerFrame.History.class, name = "history"),
        @JsonSubTypes.Type(value = ServerFrame.Typing.class, name = "typing"),
        @JsonSubTypes.Type(value = ServerFrame.Presence.class, name = "presence"),
        @JsonSubTypes.Type(value = ServerFrame.PresenceDelta.class, name = "presence-delta"),
        @JsonSubTypes.Type(value = ServerFrame.Gap.class, name = "gap"),
        @JsonSubTypes.Type(value = ServerFrame.Pong.class, name = "pong"),
        @JsonSubTypes.Type(value = ServerFrame.Error.class, name = "error"),
        @JsonSubTypes.Type(value = ServerFrame.Refresh.class, name = "refresh"),
        @JsonSubTypes.Type(value = ServerFrame.Authed.class, name = "authed"),
        @JsonSubTypes.Type(value = ServerFrame.Read.class, name = "read"),
        @JsonSubTypes.Type(value = ServerFrame.Room.class, name = "room")})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ServerFrame {

    /** The first frame on every connection. */
    record Welcome(String user, String node, int protocol) implements ServerFrame {
    }

    /** {@code room} joined; {@code lastSeq} is its newest sequence (0 when empty) at the time of joining. */
    record Joined(String room, long lastSeq) implements ServerFrame {
    }

    record Left(String room) implements ServerFrame {
    }

    /** The sender's acknowledgement: the message is committed with sequence {@code seq}. */
    record Sent(String room, UUID clientMsgId, long seq) implements ServerFrame {
    }

    /** A committed room message. */
    record Message(String room, long seq, String from, String text, Instant ts, UUID clientMsgId)
            implements ServerFrame {
    }

    /** A page of messages, ascending by sequence. */
    record History(String room, List<Message> messages) implements ServerFrame {
    }

    record Typing(String room, String user) implements ServerFrame {
    }

    /**
     * A snapshot: the users of {@code room} that are online now, sorted. Sent once after each
     * {@code join}, and again whenever this connection's {@link PresenceDelta}s were shed (it was
     * too slow): it replaces whatever the client had for the room.
     */
    record Presence(String room, List<String> online) implements ServerFrame {
        public Presence {
            online = online == null ? List.of() : List.copyOf(online);
        }
    }

    /**
     * A change of {@code room}'s online users since the last {@code presence} or
     * {@code presence-delta} on this connection: remove {@code left}, add {@code joined} (a user is
     * never in both; each sorted). Changes are coalesced per room over
     * {@code parley.chat.presence-window}, so a burst of joins is a few of these, not one per join.
     * Empty lists are left out of the JSON.
     */
    record PresenceDelta(
            String room,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> joined,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> left) implements ServerFrame {
        public PresenceDelta {
            joined = joined == null ? List.of() : List.copyOf(joined);
            left = left == null ? List.of() : List.copyOf(left);
        }
    }

    /**
     * Messages {@code from}..{@code to} (inclusive) of {@code room} were not delivered on this
     * connection; the client fetches them with {@code history}. Live delivery goes on after {@code to}.
     */
    record Gap(String room, long from, long to) implements ServerFrame {
    }

    record Pong(@Nullable String id) implements ServerFrame {
    }

    /** A request failed; the connection stays open. {@code ref} is the offending frame's clientMsgId, else its type. */
    record Error(ErrorCode code, String message, @Nullable String ref) implements ServerFrame {
    }

    /**
     * The access token of this connection expires at {@code expiresAt}: refresh it over HTTP and send
     * the new one in an {@code auth} frame before then, or the connection is closed with 4001.
     */
    record Refresh(Instant expiresAt) implements ServerFrame {
    }

    /** The {@code auth} frame's token was accepted: the connection now expires at {@code expiresAt}. */
    record Authed(Instant expiresAt) implements ServerFrame {
    }

    /**
     * The user's read position in {@code room} is {@code seq}: the answer to a {@code read} frame,
     * and pushed to the user's other connections (on every node) when the position moved.
     */
    record Read(String room, long seq) implements ServerFrame {
    }

    /**
     * The user became a member of {@code room} without joining it (the other participant's first
     * message to a direct room): pushed to the user's connections on every node. {@code kind} is
     * {@code "direct"} or {@code "public"}.
     */
    record Room(String room, String kind) implements ServerFrame {
    }
}
