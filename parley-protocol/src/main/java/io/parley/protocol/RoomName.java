package io.parley.protocol;

import java.util.List;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Room names. A public room is {@code [a-z0-9_-]{1,64}}. A direct conversation is
 * {@code dm:<userA>:<userB>} with the two user names sorted and distinct; only those two users may
 * join or read it.
 */
public final class RoomName {

    private static final Pattern PUBLIC = Pattern.compile("[a-z0-9_-]{1,64}");
    private static final Pattern USER = Pattern.compile("[a-z0-9_]{3,32}");
    private static final String DM_PREFIX = "dm:";

    private RoomName() {
    }

    /** Throws {@link BadFrame} unless {@code room} is a valid public or direct room name. */
    public static String check(@Nullable String room) {
        if (room == null) {
            throw new BadFrame("missing field 'room'");
        }
        if (PUBLIC.matcher(room).matches()) {
            return room;
        }
        if (room.startsWith(DM_PREFIX)) {
            List<String> users = participantsOrNull(room);
            if (users != null) {
                return room;
            }
            if (isWithOneself(room)) {
                throw new BadFrame("a direct room is between two distinct users: there is no direct room with oneself");
            }
            throw new BadFrame("a direct room is dm:<userA>:<userB>, two distinct user names in sorted order");
        }
        throw new BadFrame("room must match [a-z0-9_-]{1,64} or dm:<userA>:<userB>");
    }

    public static boolean isValid(@Nullable String room) {
        return room != null && (PUBLIC.matcher(room).matches() || participantsOrNull(room) != null);
    }

    public static boolean isDirect(String room) {
        return room.startsWith(DM_PREFIX);
    }

    /** The two participants of a valid direct room name. */
    public static List<String> participants(String room) {
        List<String> users = participantsOrNull(room);
        if (users == null) {
            throw new IllegalArgumentException("not a direct room: " + room);
        }
        return users;
    }

    /** The direct room of two distinct users, whatever their order. */
    public static String direct(String userA, String userB) {
        if (!USER.matcher(userA).matches() || !USER.matcher(userB).matches() || userA.equals(userB)) {
            throw new BadFrame("a direct room needs two distinct valid user names");
        }
        return userA.compareTo(userB) < 0 ? DM_PREFIX + userA + ":" + userB : DM_PREFIX + userB + ":" + userA;
    }

    /** Whether {@code user} may join and read {@code room}: anyone for a public room, the two participants for a direct one. */
    public static boolean mayAccess(String room, String user) {
        return !isDirect(room) || participants(room).contains(user);
    }

    /** Whether {@code room} is {@code dm:<user>:<user>}, the same valid user name twice. */
    private static boolean isWithOneself(String room) {
        String[] parts = room.substring(DM_PREFIX.length()).split(":", -1);
        return parts.length == 2 && USER.matcher(parts[0]).matches() && parts[0].equals(parts[1]);
    }

    private static @Nullable List<String> participantsOrNull(String room) {
        if (!room.startsWith(DM_PREFIX)) {
            return null;
        }
        String[] parts = room.substring(DM_PREFIX.length()).split(":", -1);
        if (parts.length != 2 || !USER.matcher(parts[0]).matches() || !USER.matcher(parts[1]).matches()
                || parts[0].compareTo(parts[1]) >= 0) {
            return null;
        }
        return List.of(parts[0], parts[1]);
    }
}
