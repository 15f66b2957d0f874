package io.parley.server.chat;

import io.parley.protocol.BadFrame;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.RoomName;
import io.parley.protocol.ServerFrame;
import io.parley.server.connection.Connection;
import io.parley.server.connection.Outgoing;
import io.parley.server.history.MessageLog;
import org.springframework.stereotype.Component;

/**
 * Per-user state that follows the user across connections and nodes: the read position of each
 * room ({@code read} frames, {@link ReadPositions}) and the announcement of a room the user became a
 * member of without joining it ({@code room} frames). Both reach the user's connections on every
 * node through {@link UserChannel}. Thread-safe.
 */
@Component
class ReadState {

    private final RoomAccess access;
    private final ReadPositions positions;
    private final Memberships memberships;
    private final MessageLog messageLog;
    private final UserChannel users;
    private final FrameCodec codec;

    ReadState(RoomAccess access, ReadPositions positions, Memberships memberships, MessageLog messageLog, UserChannel users,
            FrameCodec codec) {
        this.access = access;
        this.positions = positions;
        this.memberships = memberships;
        this.messageLog = messageLog;
        this.users = users;
        this.codec = codec;
    }

    /**
     * A {@code read} frame: members of a public room and participants of a direct room only. The
     * position is clamped to the room's head and never moves back; the connection gets the stored
     * value, and the user's other connections get it too when this frame set it.
     */
    void read(Connection connection, ClientFrame.Read read) {
        String room = read.room();
        String user = connection.user();
        access.checkRead(room, user);
        if (!RoomName.isDirect(room) && !memberships.isMember(room, user)) {
            throw new BadFrame(ErrorCode.FORBIDDEN, "join the room before marking it read");
        }
        long requested = Math.min(read.seq(), messageLog.lastSeq(room));
        long stored = positions.advance(user, room, requested);
        ServerFrame.Read answer = new ServerFrame.Read(room, stored);
        connection.send(Outgoing.control(codec.encode(answer)));
        if (stored == requested && stored > 0) {
            users.send(user, answer, connection);
        }
    }

    /** {@code user} sent message {@code seq} of {@code room}: their own messages are never unread. */
    void sent(String user, String room, long seq) {
        positions.advanceLater(user, room, seq);
    }

    /** {@code user} was made a member of {@code room} by someone else's action: tell all their connections. */
    void becameMember(String user, String room) {
        users.send(user, new ServerFrame.Room(room, RoomName.isDirect(room) ? "direct" : "public"), null);
    }

    void opened(Connection connection) {
        users.opened(connection);
    }

    void closed(Connection connection) {
        users.closed(connection);
    }
}
