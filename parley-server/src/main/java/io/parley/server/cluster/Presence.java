package io.parley.server.cluster;

import java.util.List;

/**
 * Who is online in each room: a user is online in a room while at least one of their connections,
 * on any node, is subscribed to it; two tabs count once, and the user goes offline when the last one
 * closes. Implementations are thread-safe.
 */
public interface Presence {

    /** A connection of {@code user} on this node subscribed to {@code room}. True when the room's online set changed. */
    boolean enter(String room, String user);

    /** A connection of {@code user} on this node left {@code room} (or closed). True when the room's online set changed. */
    boolean exit(String room, String user);

    /** The users online in {@code room}, sorted. */
    List<String> online(String room);
}
