package io.parley.server.chat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.connection.Outgoing;
import io.parley.server.connection.StateSource;
import org.jspecify.annotations.Nullable;

/**
 * One room's presence on this node: the online users as this node's subscribers of the room were
 * last told them (the <em>baseline</em>), the subscriptions that were told (those that got their
 * snapshot), and the bookkeeping of {@link PresenceFeed}'s coalesced reads.
 *
 * <p>Every subscription that got its snapshot has since been sent every change of the baseline as
 * a delta, in order, so its client's set is the baseline (plus, right after its join, its own user,
 * which the next change confirms). That is what makes a delta computed once valid for all of them,
 * and the current snapshot a valid replacement for any of their shed state frames
 * ({@link #snapshot()}, the {@link StateSource} of every presence frame of the room).
 *
 * <p>Confined to the room's delivery lane, except {@link #snapshot()} and {@link #notices()}, which
 * any thread may read.
 */
final class RoomPresence implements StateSource {

    private final String room;
    private final FrameCodec codec;
    /** Subscriptions that got their snapshot, and so get the deltas. */
    private final Set<Subscription> told = new LinkedHashSet<>();
    /** The baseline, sorted. */
    private List<String> online = List.of();
    private volatile Outgoing snapshot;
    /** Change notices seen; written by the lane only. */
    private volatile long notices;
    /** Open: the baseline was read after the room's bus subscription; notices before that only count. */
    boolean open;
    boolean closed;
    /** A read of the online set is scheduled or running. */
    boolean readPending;
    /** When the last read was scheduled to start ({@link System#nanoTime()}). */
    long lastReadAt = Long.MIN_VALUE / 2;

    RoomPresence(String room, FrameCodec codec) {
        this.room = room;
        this.codec = codec;
        this.snapshot = encodeSnapshot(online);
    }

    String room() {
        return room;
    }

    /** The current snapshot: {@code presence} with the baseline. Any thread, at once. */
    @Override
    public Outgoing snapshot() {
        return snapshot;
    }

    long notices() {
        return notices;
    }

    void noticed() {
        notices++;
    }

    /** The first baseline, read when the room opened. */
    void open(List<String> users) {
        replace(sorted(users));
        open = true;
    }

    /**
     * The snapshot for a new subscription of {@code user}: the baseline's, shared, when it has the
     * user, else one of its own with the user added (the user is online: this subscription counts);
     * from now on the subscription gets the deltas.
     */
    Outgoing tell(Subscription subscription) {
        told.add(subscription);
        String user = subscription.connection().user();
        int at = Collections.binarySearch(online, user);
        if (at >= 0) {
            return snapshot;
        }
        List<String> withUser = new ArrayList<>(online.size() + 1);
        withUser.addAll(online);
        withUser.add(-at - 1, user);
        return encodeSnapshot(withUser);
    }

    void forget(Subscription subscription) {
        told.remove(subscription);
    }

    Set<Subscription> told() {
        return told;
    }

    /**
     * Makes {@code users} the baseline; returns the delta from the old one as a state frame of the
     * room, or null when nothing changed.
     */
    @Nullable Outgoing update(List<String> users) {
        List<String> now = sorted(users);
        List<String> joined = new ArrayList<>();
        List<String> left = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < online.size() || j < now.size()) {
            int order = i == online.size() ? 1 : j == now.size() ? -1 : online.get(i).compareTo(now.get(j));
            if (order == 0) {
                i++;
                j++;
            } else if (order < 0) {
                left.add(online.get(i++));
            } else {
                joined.add(now.get(j++));
            }
        }
        if (joined.isEmpty() && left.isEmpty()) {
            return null;
        }
        replace(now);
        return Outgoing.state(codec.encode(new ServerFrame.PresenceDelta(room, joined, left)), room, this);
    }

    private void replace(List<String> users) {
        online = users;
        snapshot = encodeSnapshot(users);
    }

    private Outgoing encodeSnapshot(List<String> users) {
        return Outgoing.state(codec.encode(new ServerFrame.Presence(room, users)), room, this);
    }

    private static List<String> sorted(List<String> users) {
        List<String> copy = new ArrayList<>(users);
        copy.sort(null);
        return List.copyOf(copy);
    }
}
