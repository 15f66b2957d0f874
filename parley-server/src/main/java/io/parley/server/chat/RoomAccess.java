package io.parley.server.chat;

import io.parley.protocol.BadFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.RoomName;

/**
 * Who may do what in a room. Public rooms: anyone logged in may join and read; only members may
 * send. Direct rooms ({@code dm:a:b}): only the two participants, for everything.
 */
final class RoomAccess {

    private RoomAccess() {
    }

    /** Throws {@code forbidden} unless {@code user} may join and read {@code room}. */
    static void checkRead(String room, String user) {
        if (!RoomName.mayAccess(room, user)) {
            throw new BadFrame(ErrorCode.FORBIDDEN, "only its two participants may use a direct room");
        }
    }
}
