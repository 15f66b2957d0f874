package io.parley.server.chat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.server.cluster.Presence;
import io.parley.server.connection.Outgoing;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence frames of this node's rooms, at a cost of a few frames per member per burst of changes
 * rather than one full list per member per change.
 *
 * <p>A change of a room's online set (a join or leave anywhere in the cluster, a node reaped) reaches
 * every node as a <em>notice</em> on the room's bus channel ({@code presence-delta}). A notice does
 * not go to clients as is: notices cross between nodes and may be lost, and the registry is the
 * truth. Instead a notice has the room's online set ({@link Presence#online}) read, at most once per
 * {@code parley.chat.presence-window} per room: at once when the room was quiet for a window, else
 * a window after the previous read. The read is compared with the room's baseline
 * ({@link RoomPresence}) and the difference goes to every local subscriber of the room as one
 * {@code presence-delta}, encoded once. Notices that arrive while a read is pending cost nothing
 * more; if one arrived after the read had started, one more read follows. So a burst of N joins
 * costs each member about (burst length / window) + 2 frames, and the node one read per window per
 * room; a lone change is seen at once.
 *
 * <p>A new subscription gets one {@code presence} snapshot (the baseline, with its own user) after
 * its {@code joined} and replay; the deltas follow it. Presence frames are {@linkplain Outgoing#state
 * state frames}: a slow socket's queue may replace them by the room's current snapshot.
 *
 * <p>Meters: {@code parley.chat.presence.snapshots} (snapshots sent to joining subscriptions),
 * {@code parley.chat.presence.deltas} (delta frames handed to sockets), {@code parley.chat.presence.reads}
 * (reads of a room's online set).
 *
 * <h2>Threads</h2>
 * The methods marked "lane" run on the room's delivery lane. Reads of the online set (Redis in
 * cluster mode) run on this feed's own thread ({@code parley-presence}), never on a lane, and their
 * result is merged on the lane; no lock is held across them. Thread-safe otherwise.
 */
final class PresenceFeed {

    private static final Logger log = LoggerFactory.getLogger(PresenceFeed.class);

    private final Presence presence;
    private final DeliveryLanes lanes;
    private final long windowNanos;
    private final ScheduledExecutorService reader;
    private final Counter snapshots;
    private final Counter deltas;
    private final Counter reads;

    PresenceFeed(Presence presence, DeliveryLanes lanes, Duration window, MeterRegistry meters) {
        this.presence = presence;
        this.lanes = lanes;
        this.windowNanos = window.toNanos();
        this.reader = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "parley-presence");
            thread.setDaemon(true);
            return thread;
        });
        this.snapshots = Counter.builder("parley.chat.presence.snapshots")
                .description("Presence snapshots sent to joining subscriptions").register(meters);
        this.deltas = Counter.builder("parley.chat.presence.deltas")
                .description("Presence deltas handed to sockets (one per recipient)").register(meters);
        this.reads = Counter.builder("parley.chat.presence.reads")
                .description("Reads of a room's online set (coalesced over the presence window)").register(meters);
    }

    /** The room's online set, read on the caller's thread (the room's opener): I/O in cluster mode. */
    List<String> read(String room) {
        reads.increment();
        return presence.online(room);
    }

    /** Lane: the room opened with {@code online} read after its bus subscription. */
    void opened(RoomPresence room, List<String> online) {
        room.open(online);
        if (room.notices() > 0) {
            // Notices that came while it opened may be newer than the read.
            scheduleRead(room);
        }
    }

    /** Lane: {@code subscription} is live: its snapshot now, the deltas from now on. */
    void tell(RoomPresence room, Subscription subscription) {
        if (room.closed || room.told().contains(subscription)) {
            return;
        }
        subscription.connection().send(room.tell(subscription));
        snapshots.increment();
    }

    /** Lane: {@code subscription} left the room: no more presence frames for it. */
    void forget(RoomPresence room, Subscription subscription) {
        room.forget(subscription);
    }

    /** Lane: the room is closed on this node (its last subscriber left). */
    void closed(RoomPresence room) {
        room.closed = true;
        room.told().clear();
    }

    /** Lane: the room's online set changed somewhere (or may have): read it within a window. */
    void notice(RoomPresence room) {
        if (room.closed) {
            return;
        }
        room.noticed();
        if (room.open && !room.readPending) {
            scheduleRead(room);
        }
    }

    /** Lane: a read at once if the last one was a window ago or more, else a window after the last one. */
    private void scheduleRead(RoomPresence room) {
        long now = System.nanoTime();
        long at = Math.max(now, room.lastReadAt + windowNanos);
        room.lastReadAt = at;
        room.readPending = true;
        try {
            reader.schedule(() -> readAndMerge(room), at - now, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            room.readPending = false;
        }
    }

    /** On the reader thread: the slow part, then the merge on the lane. */
    private void readAndMerge(RoomPresence room) {
        long seen = room.notices();
        List<String> online;
        try {
            online = read(room.room());
        } catch (RuntimeException e) {
            log.warn("Presence of room {} not readable ({}); trying again in a window", room.room(), e.toString());
            online = null;
        }
        List<String> result = online;
        try {
            lanes.execute(room.room(), () -> merge(room, result, seen));
        } catch (RejectedExecutionException stopping) {
            log.debug("Presence of room {} not delivered: the node is stopping", room.room());
        }
    }

    /** Lane: sends the difference with the baseline to every told subscription; reads again if noticed meanwhile. */
    private void merge(RoomPresence room, @Nullable List<String> online, long seen) {
        room.readPending = false;
        if (room.closed) {
            return;
        }
        if (online == null) {
            scheduleRead(room);
            return;
        }
        Outgoing delta = room.update(online);
        if (delta != null) {
            for (Subscription subscription : room.told()) {
                subscription.connection().send(delta);
            }
            deltas.increment(room.told().size());
        }
        if (room.notices() != seen) {
            scheduleRead(room);
        }
    }

    void shutdown() {
        reader.shutdownNow();
    }
}
