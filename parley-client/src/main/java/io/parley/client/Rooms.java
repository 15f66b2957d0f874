package io.parley.client;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.parley.protocol.ServerFrame;
import org.jspecify.annotations.Nullable;

/**
 * The rooms a client is in: those it asked to join and has not left, each with its
 * {@link RoomSequencer}, the outcome of its first join, and its online users as the server last
 * told them (the {@code presence} snapshot that follows every join, with the {@code presence-delta}s
 * applied since). Every connection re-joins all of them.
 *
 * <p>Changed only on the client's event loop; {@link #lastSeq}, {@link #names} and {@link #online}
 * may be read from any thread.
 */
final class Rooms {

    private final Map<String, RoomSequencer> sequencers = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<ServerFrame.Joined>> joins = new HashMap<>();
    /** Per room, an immutable sorted set, replaced on every change. */
    private final Map<String, SortedSet<String>> online = new ConcurrentHashMap<>();

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
        online.remove(room);
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
        online.remove(room);
        CompletableFuture<ServerFrame.Joined> join = joins.remove(room);
        if (join != null) {
            join.completeExceptionally(error);
        }
    }

    /** A snapshot: it replaces the room's online set. Ignored for a room this client is not in. */
    void presence(ServerFrame.Presence snapshot) {
        if (sequencers.containsKey(snapshot.room())) {
            online.put(snapshot.room(), Collections.unmodifiableSortedSet(new TreeSet<>(snapshot.online())));
        }
    }

    /**
     * A change since the last snapshot or change: applied to the room's set. Ignored before the
     * room's first snapshot (the server never sends one earlier) and for a room this client is not in.
     */
    void presence(ServerFrame.PresenceDelta delta) {
        SortedSet<String> users = online.get(delta.room());
        if (users == null || !sequencers.containsKey(delta.room())) {
            return;
        }
        TreeSet<String> changed = new TreeSet<>(users);
        changed.removeAll(delta.left());
        changed.addAll(delta.joined());
        online.put(delta.room(), Collections.unmodifiableSortedSet(changed));
    }

    /** The online users of {@code room}, sorted; empty before its first snapshot or when not in it. */
    SortedSet<String> online(String room) {
        SortedSet<String> users = online.get(room);
        return users == null ? Collections.emptySortedSet() : users;
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
