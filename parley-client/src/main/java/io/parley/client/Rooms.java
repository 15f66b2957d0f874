package io.parley.client;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.parley.protocol.ServerFrame;
import org.jspecify.annotations.Nullable;

/**
 * The rooms a client is in: those it asked to join and has not left, each with its
 * {@link RoomSequencer} and the outcome of its first join. Every connection re-joins all of them.
 *
 * <p>Changed only on the client's event loop; {@link #lastSeq} and {@link #names} may be read from
 * any thread.
 */
final class Rooms {

    private final Map<String, RoomSequencer> sequencers = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<ServerFrame.Joined>> joins = new HashMap<>();

    /**
     * Adds {@code room}, or, if it is already in, ties {@code result} to its first join.
     *
     * @return the new room's sequencer (the caller sends the join), or null if it was already in
     */
    @Nullable RoomSequencer add(String room, @Nullable Long since, CompletableFuture<ServerFrame.Joined> result) {
        CompletableFuture<ServerFrame.Joined> existing = joins.get(room);
        if (existing != null) {
            existing.whenComplete((joined, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(joined);
                }
            });
            return null;
        }
        RoomSequencer sequencer = new RoomSequencer(room, since == null ? RoomSequencer.UNKNOWN : since);
        sequencers.put(room, sequencer);
        joins.put(room, result);
        return sequencer;
    }

    /** Takes {@code room} out; a join still unanswered is cancelled. */
    void remove(String room) {
        sequencers.remove(room);
        CompletableFuture<ServerFrame.Joined> join = joins.remove(room);
        if (join != null) {
            join.completeExceptionally(new CancellationException("left " + room + " before it was joined"));
        }
    }

    void joined(ServerFrame.Joined joined) {
        RoomSequencer sequencer = sequencers.get(joined.room());
        if (sequencer != null) {
            sequencer.onJoined(joined.lastSeq());
            CompletableFuture<ServerFrame.Joined> join = joins.get(joined.room());
            if (join != null) {
                join.complete(joined);
            }
        }
    }

    /** The server refused to (re-)join {@code room}: it is taken out, and its join fails if still pending. */
    void joinFailed(String room, Throwable error) {
        sequencers.remove(room);
        CompletableFuture<ServerFrame.Joined> join = joins.remove(room);
        if (join != null) {
            join.completeExceptionally(error);
        }
    }

    @Nullable RoomSequencer get(String room) {
        return sequencers.get(room);
    }

    Collection<RoomSequencer> all() {
        return sequencers.values();
    }

    Set<String> names() {
        return Set.copyOf(sequencers.keySet());
    }

    long lastSeq(String room) {
        RoomSequencer sequencer = sequencers.get(room);
        return sequencer == null ? 0 : Math.max(0, sequencer.delivered());
    }

    /** A connection ended: forget held messages and fills in flight; the re-join replays them. */
    void connectionLost() {
        sequencers.values().forEach(RoomSequencer::reset);
    }

    /** The client closed: joins still unanswered fail. The rooms stay, so {@link #lastSeq} still answers. */
    void failPendingJoins(Throwable error) {
        joins.values().forEach(join -> join.completeExceptionally(error));
        sequencers.values().forEach(RoomSequencer::reset);
    }
}
