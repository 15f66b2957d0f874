package io.parley.server.chat;

import java.util.ArrayDeque;

import io.parley.server.connection.Connection;
import io.parley.server.connection.Outgoing;

/**
 * One connection's subscription to one room: the hand-off from replay to live delivery.
 *
 * <p>A subscription starts in replay: live messages the room delivers meanwhile are held back. When
 * the replay has sent everything up to the room's head at subscription time, {@link #finishReplay}
 * sends the held-back messages above that head, in order, and from then on each live message goes
 * straight to the connection. A message at or below the last one sent is never sent again, so there
 * is neither a gap nor a duplicate at the boundary. Thread-safe: the room delivers on bus threads
 * while the connection's thread replays.
 */
final class Subscription {

    private final Connection connection;
    private final String room;
    private final ArrayDeque<Outgoing> held = new ArrayDeque<>();
    private boolean replaying = true;
    private boolean cancelled;
    private long delivered;

    Subscription(Connection connection, String room) {
        this.connection = connection;
        this.room = room;
    }

    Connection connection() {
        return connection;
    }

    String room() {
        return room;
    }

    /** A live room message, in sequence order. Ignored once {@linkplain #cancel() cancelled}. */
    synchronized void offer(Outgoing message) {
        if (cancelled) {
            return;
        }
        if (replaying) {
            held.add(message);
        } else if (message.seq() > delivered) {
            delivered = message.seq();
            connection.send(message);
        }
    }

    /** The replay sent every message up to {@code head}: release the held-back ones and go live. */
    synchronized void finishReplay(long head) {
        if (cancelled) {
            return;
        }
        delivered = head;
        for (Outgoing message : held) {
            if (message.seq() > delivered) {
                delivered = message.seq();
                connection.send(message);
            }
        }
        held.clear();
        replaying = false;
    }

    /**
     * Ends the subscription: from now on nothing more is sent, even what a fan-out already on its way
     * offers ({@link RoomHub} unsubscribes with it).
     */
    synchronized void cancel() {
        cancelled = true;
        held.clear();
    }

    synchronized boolean isLive() {
        return !replaying;
    }
}
