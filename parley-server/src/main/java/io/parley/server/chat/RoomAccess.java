package io.parley.server.chat;

import io.parley.protocol.BadFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.RoomName;
import org.springframework.stereotype.Component;

/**
 * Who may do what in a room, the same for every frame and for the HTTP API. Public rooms: anyone
 * logged in may join and read; only members may send (checked by the caller). Direct rooms
 * ({@code dm:a:b}): only the two participants, for everything, and only when the other participant
 * has an account: a direct room with a user who does not exist is {@code not_found}, and one with
 * oneself is not a room name at all ({@code bad_request}, from {@link RoomName#check}).
 *
 * <p>Thread-safe. A direct room costs one account look-up per check; callers that check once per
 * connection and room (a send) cache the answer.
 */
@Component
class RoomAccess {

    private final UserDirectory users;

    RoomAccess(UserDirectory users) {
        this.users = users;
    }

    /** Throws {@code forbidden} unless {@code user} may join and read {@code room}, {@code not_found} for a direct room with nobody. */
    void checkRead(String room, String user) {
        if (!RoomName.isDirect(room)) {
            return;
        }
        if (!RoomName.mayAccess(room, user)) {
            throw new BadFrame(ErrorCode.FORBIDDEN, "only its two participants may use a direct room");
        }
        for (String participant : RoomName.participants(room)) {
            if (!participant.equals(user) && !users.exists(participant)) {
                throw new BadFrame(ErrorCode.NOT_FOUND, "no user '" + participant + "': a direct room needs two existing users");
            }
        }
    }
}
