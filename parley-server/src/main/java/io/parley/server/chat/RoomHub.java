package io.parley.server.chat;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.protocol.FrameCodec;
import io.parley.server.cluster.Bus;
import io.parley.server.cluster.BusListener;
import io.parley.server.cluster.ClusterProperties;
import io.parley.server.cluster.Presence;
import io.parley.server.cluster.RoomEvent;
import io.parley.server.connection.Outgoing;
import io.parley.server.history.MessageLog;
import io.parley.server.history.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * This node's rooms: for each room with at least one local subscriber, the subscriptions, the bus
 * subscription, the last sequence delivered here, and the room's presence as its subscribers were
 * told it ({@link RoomPresence}, fed by {@link PresenceFeed}: one snapshot per joining subscription,
 * then coalesced deltas).
 *
 * <p>Delivery is in sequence order and gapless per room. A message event at or below the room's head
 * is a duplicate and dropped. One above {@code head + 1} is held back: when several nodes write to a
 * room, this node's own messages arrive in-process before the others' come through the bus, so the
 * missing ones usually follow within milliseconds, and the held messages go out as soon as the run
 * is complete. Whatever is still missing after {@code parley.cluster.reorder-window} was lost by the
 * bus (pub/sub is fire-and-forget): it is read from the {@link MessageLog} and delivered first.
 * Each message is encoded once and the same {@link Outgoing} goes to every local subscriber.
 *
 * <p>Meters: {@code parley.chat.gap.fills} (reads of missing messages from the log) and
 * {@code parley.chat.gap.messages} (messages delivered from the log by those reads).
 *
 * <h2>Threads</h2>
 * Fan-out runs on {@link DeliveryLanes}, never on the thread that publishes: {@link #onRoomEvent}
 * (the committer, a bus thread) hands the event to the room's lane and returns. A room's state (its
 * subscribers, head and held messages) is touched only by its lane, one task at a time, so it needs
 * no lock, and a room's deliveries keep the order in which its events arrived. No lane ever waits
 * on I/O: the slow calls run first, on the caller's thread or on this hub's filler thread, and their
 * result is then merged on the lane.
 * <ul>
 * <li><b>Opening.</b> The first subscriber of a room subscribes to the bus and reads the room's head
 * from the log on its own thread, while the room is in the map but not yet open; events that arrive
 * meanwhile are held on the lane. Then the lane opens the room at that head, dropping what the head
 * covers and delivering what follows it. Other subscribers of the room wait for the opening.
 * <li><b>Filling.</b> A missing range is read from the log on the filler thread, then delivered on
 * the lane (what a concurrent event already delivered is dropped as a duplicate).
 * <li><b>Presence.</b> The opener also reads the room's online set, after the bus subscription; a
 * presence notice schedules a read on the {@link PresenceFeed}'s thread, merged on the lane.
 * <li><b>Subscribe and unsubscribe</b> run on the lane and the caller waits for them (microseconds),
 * so a subscription gets nothing after {@link #unsubscribe} returned.
 * <li><b>Big rooms.</b> Once a room has had {@value #SHARDED_FROM} subscribers, its lane no longer
 * writes to all of them itself: it keeps the order (head, held messages, fills) and hands each
 * message to the lanes of its subscribers' connections ({@link DeliveryLanes#laneOf}, by connection
 * id), each of which offers it to its share; the room's own share is served inline. A connection is
 * always served by the same lane, which gets the room's messages in order, so every connection still
 * sees them in sequence order; a room stays split until it closes, so no connection ever changes
 * lane while a message is on its way. One room of 1,000 members is written by every lane at once
 * instead of by one thread in turn.
 * </ul>
 * Thread-safe: every method may be called from any thread.
 */
@Component
public class RoomHub implements BusListener, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RoomHub.class);

    /** Held-back messages per room beyond which the log is read at once rather than after the window. */
    static final int MAX_HELD = 1000;

    /** Most messages read from the log per query when filling a gap. */
    private static final int FILL_PAGE = 500;

    /**
     * Subscribers from which a room's fan-out is split across the lanes of their connections: below,
     * a hand-over to another lane costs more than the writes it would take off this one.
     */
    static final int SHARDED_FROM = 64;

    private static final Subscription[] NONE = new Subscription[0];

    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final Bus bus;
    private final MessageLog messageLog;
    private final PresenceFeed presence;
    private final FrameCodec codec;
    private final long reorderWindowNanos;
    private final DeliveryLanes lanes;
    private final ScheduledExecutorService filler;
    private final Counter gapFills;
    private final Counter gapMessages;

    public RoomHub(Bus bus, MessageLog messageLog, Presence presence, FrameCodec codec, ClusterProperties properties,
            ChatProperties chat, MeterRegistry meters) {
        this.bus = bus;
        this.messageLog = messageLog;
        this.codec = codec;
        this.reorderWindowNanos = properties.reorderWindow().toNanos();
        this.lanes = new DeliveryLanes(DeliveryLanes.defaultCount());
        this.presence = new PresenceFeed(presence, lanes, chat.presenceWindow(), meters);
        this.filler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "parley-room-fill");
            thread.setDaemon(true);
            return thread;
        });
        this.gapFills = Counter.builder("parley.chat.gap.fills").description("Reads of messages the bus lost from the message log")
                .register(meters);
        this.gapMessages = Counter.builder("parley.chat.gap.messages")
                .description("Messages delivered from the log because the bus lost them").register(meters);
        bus.listen(this);
    }

    private enum State { OPENING, OPEN, REMOVED }

    /**
     * One room as seen by this node. {@link #opened} and {@link #opener} may be used by any thread;
     * every other field only by the room's lane.
     */
    private static final class Room {
        final String name;
        /** The room's lane. */
        final int lane;
        /**
         * Once {@link #sharded}: the subscriptions by the lane of their connection. Copy-on-write: a
         * fan-out handed to another lane keeps the array it was given.
         */
        Subscription[][] byLane = new Subscription[0][];
        boolean sharded;
        final RoomPresence presence;
        /** Completes (on the lane) once the room is open or has failed to open. */
        final CompletableFuture<Void> opened = new CompletableFuture<>();
        final AtomicBoolean opener = new AtomicBoolean();
        final Set<Subscription> subscriptions = new LinkedHashSet<>();
        final TreeMap<Long, Outgoing> held = new TreeMap<>();
        State state = State.OPENING;
        long head;
        boolean fillScheduled;
        boolean filling;
        long fillUntil;

        Room(String name, int lane, FrameCodec codec) {
            this.name = name;
            this.lane = lane;
            this.presence = new RoomPresence(name, codec);
        }
    }

    /**
     * Adds a subscription in replay mode and returns the room's head on this node: the caller replays
     * up to it from the log, then calls {@link Subscription#finishReplay}. The first subscriber of a
     * room opens it (bus subscribe, then a read of the head) on its own thread; a failure of either
     * is thrown here and leaves the room closed.
     */
    long subscribe(Subscription subscription) {
        String name = subscription.room();
        while (true) {
            Room room = rooms.computeIfAbsent(name, n -> new Room(n, lanes.laneOf(n), codec));
            if (room.opener.compareAndSet(false, true)) {
                open(room);
            }
            room.opened.join();
            long head = lanes.call(name, () -> {
                if (room.state != State.OPEN) {
                    return -1L;
                }
                if (room.subscriptions.add(subscription)) {
                    joined(room, subscription);
                }
                return room.head;
            });
            if (head >= 0) {
                return head;
            }
            // Removed meanwhile (its last subscriber left): a new Room of that name opens again.
        }
    }

    /** The slow part of opening, on the first subscriber's thread; the lane merges its result. */
    private void open(Room room) {
        long head;
        List<String> online;
        try {
            // Subscribe before reading the head and the online set: later changes arrive as events.
            bus.subscribe(room.name);
            head = messageLog.lastSeq(room.name);
            online = presence.read(room.name);
        }
        catch (RuntimeException e) {
            lanes.execute(room.name, () -> {
                remove(room);
                room.opened.completeExceptionally(e);
            });
            throw e;
        }
        lanes.execute(room.name, () -> {
            room.head = head;
            room.state = State.OPEN;
            presence.opened(room.presence, online);
            releaseHeld(room);
            scheduleFillIfMissing(room);
            room.opened.complete(null);
        });
    }

    /** Removes {@code subscription}; the room is closed when its last one leaves. Waits for the room's lane. */
    void unsubscribe(Subscription subscription) {
        Room room = rooms.get(subscription.room());
        if (room == null) {
            return;
        }
        try {
            lanes.call(room.name, () -> {
                subscription.cancel(); // nothing more, even from a fan-out already on another lane
                if (room.subscriptions.remove(subscription)) {
                    left(room, subscription);
                }
                presence.forget(room.presence, subscription);
                if (room.subscriptions.isEmpty() && room.state == State.OPEN) {
                    remove(room);
                }
                return null;
            });
        } catch (RejectedExecutionException stopping) {
            log.debug("Room {} not unsubscribed: the node is stopping", room.name);
        }
    }

    /**
     * Sends {@code subscription} its presence snapshot, after what its caller sent it (joined,
     * replay), and the room's presence deltas from then on. Returns without waiting for the lane.
     */
    void tellPresence(Subscription subscription) {
        Room room = rooms.get(subscription.room());
        if (room == null) {
            return;
        }
        try {
            lanes.execute(room.name, () -> {
                if (room.state == State.OPEN && room.subscriptions.contains(subscription)) {
                    presence.tell(room.presence, subscription);
                }
            });
        } catch (RejectedExecutionException stopping) {
            log.debug("Presence of room {} not sent: the node is stopping", room.name);
        }
    }

    /**
     * Reads the online set of every room with a local subscriber again within a presence window:
     * recovery after lost notices (the periodic room check and a resubscription of the bus).
     */
    void refreshPresence() {
        for (Room room : rooms.values()) {
            try {
                lanes.execute(room.name, () -> presence.notice(room.presence));
            } catch (RejectedExecutionException stopping) {
                return;
            }
        }
    }

    /** On the lane: closes the room. */
    private void remove(Room room) {
        room.state = State.REMOVED;
        room.held.clear();
        presence.closed(room.presence);
        // Unsubscribe before the room leaves the map: a new Room of the same name subscribes only
        // after this, so the bus never sees its subscribe overtaken by this unsubscribe.
        bus.unsubscribe(room.name);
        rooms.remove(room.name, room);
    }

    /** Rooms with local subscribers, for the periodic check against the log. */
    Set<String> roomNames() {
        return Set.copyOf(rooms.keySet());
    }

    /** Hands the event to the room's lane and returns: the fan-out never runs on the publishing thread. */
    @Override
    public void onRoomEvent(String roomName, RoomEvent event, String json) {
        Room room = rooms.get(roomName);
        if (room == null) {
            return;
        }
        Runnable task;
        switch (event.kind()) {
            case MESSAGE -> {
                // Timed from its commit: each socket's write completion records the delivery latency.
                Outgoing frame = Outgoing.roomMessage(json, roomName, event.seq(), event.committed());
                task = () -> deliver(room, frame);
            }
            case TYPING -> {
                Outgoing frame = Outgoing.control(json);
                String user = Objects.requireNonNull(event.user(), "user");
                task = () -> typing(room, user, frame);
            }
            // A notice only: the room's online set is read again, coalesced (see PresenceFeed).
            case PRESENCE -> task = () -> presence.notice(room.presence);
            default -> {
                return;
            }
        }
        try {
            lanes.execute(roomName, () -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("Delivery of an event of room {} failed: {}", roomName, e.toString());
                }
            });
        } catch (RejectedExecutionException stopping) {
            log.debug("Event of room {} not delivered: the node is stopping", roomName);
        }
    }

    @Override
    public void onResubscribed() {
        catchUpAll();
        refreshPresence();
    }

    /** {@link #catchUp} for every room with a local subscriber; returns how many rooms could not be checked. */
    int catchUpAll() {
        int failed = 0;
        for (String name : roomNames()) {
            try {
                catchUp(name);
            } catch (RuntimeException e) {
                failed++;
                log.debug("Room {} not checked against the log: {}", name, e.toString());
            }
        }
        return failed;
    }

    /**
     * Delivers what the log has beyond this node's head for {@code roomName}: recovery after lost
     * events. Reads the log's head on the caller's thread (a failure is thrown); the missing messages
     * are read on the filler thread and delivered on the room's lane after this returns.
     */
    void catchUp(String roomName) {
        Room room = rooms.get(roomName);
        if (room == null) {
            return;
        }
        long last = messageLog.lastSeq(roomName);
        lanes.execute(roomName, () -> {
            if (room.state == State.OPEN && last > room.head) {
                log.debug("Room {} on this node is behind the log ({} < {}): delivering the missing messages", roomName, room.head, last);
                fill(room, last + 1);
            }
        });
    }

    // ---- on the room's lane ----

    private void deliver(Room room, Outgoing message) {
        if (room.state == State.REMOVED || (room.state == State.OPEN && message.seq() <= room.head)) {
            return;
        }
        if (room.state == State.OPEN && message.seq() == room.head + 1) {
            fanOut(room, message);
            releaseHeld(room);
            return;
        }
        // Opening, or a jump (normal when several nodes write to the room): hold it; when open,
        // wait briefly for the missing ones.
        room.held.put(message.seq(), message);
        if (room.state == State.OPEN) {
            scheduleFillIfMissing(room);
        }
    }

    /** If held messages wait for missing ones: reads them now if too many are held, else after the reorder window. */
    private void scheduleFillIfMissing(Room room) {
        if (room.held.isEmpty() || room.held.firstKey() <= room.head + 1) {
            return;
        }
        if (room.held.size() > MAX_HELD) {
            fill(room, room.held.firstKey());
        } else if (!room.fillScheduled) {
            room.fillScheduled = true;
            try {
                filler.schedule(() -> lanes.execute(room.name, () -> windowPassed(room)), reorderWindowNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException stopping) {
                room.fillScheduled = false;
            }
        }
    }

    /** The reorder window has passed: read what is still missing from the log. */
    private void windowPassed(Room room) {
        room.fillScheduled = false;
        if (room.state == State.OPEN && !room.held.isEmpty() && room.held.firstKey() > room.head + 1) {
            fill(room, room.held.firstKey());
        }
    }

    /** Starts (or widens) a read of every message between the head and {@code untilExclusive} from the log. */
    private void fill(Room room, long untilExclusive) {
        room.fillUntil = Math.max(room.fillUntil, untilExclusive);
        if (room.filling) {
            return;
        }
        room.filling = true;
        gapFills.increment();
        readMissing(room, room.head);
    }

    /** Reads the next page after {@code after} on the filler thread, then merges it on the lane. */
    private void readMissing(Room room, long after) {
        int count = (int) Math.max(1, Math.min(FILL_PAGE, room.fillUntil - after - 1));
        try {
            filler.execute(() -> {
                List<StoredMessage> page;
                try {
                    page = messageLog.after(room.name, after, count);
                } catch (RuntimeException e) {
                    // The log is unreachable: the held messages stay; the next event or the room check retries.
                    log.warn("Missing messages of room {} not readable from the log: {}", room.name, e.toString());
                    lanes.execute(room.name, () -> room.filling = false);
                    return;
                }
                lanes.execute(room.name, () -> merge(room, after, page));
            });
        } catch (RejectedExecutionException stopping) {
            room.filling = false;
        }
    }

    /**
     * Delivers a page read from the log after {@code after} (skipping what is already delivered), then
     * releases the held messages, and reads on while messages are missing and the reads make progress.
     */
    private void merge(Room room, long after, List<StoredMessage> page) {
        if (room.state != State.OPEN) {
            room.filling = false;
            return;
        }
        for (StoredMessage stored : page) {
            if (stored.seq() == room.head + 1) {
                fanOut(room, Outgoing.roomMessage(codec.encode(Messages.frame(stored)), room.name, stored.seq(), stored.ts()));
                gapMessages.increment();
            }
        }
        releaseHeld(room);
        if (!page.isEmpty() && room.head > after && room.head + 1 < room.fillUntil) {
            readMissing(room, room.head);
            return;
        }
        room.filling = false;
    }

    /** Delivers the held messages that now follow the head without a gap; drops those at or below it. */
    private void releaseHeld(Room room) {
        while (!room.held.isEmpty()) {
            Map.Entry<Long, Outgoing> first = room.held.firstEntry();
            if (first.getKey() > room.head + 1) {
                return;
            }
            room.held.pollFirstEntry();
            if (first.getKey() == room.head + 1) {
                fanOut(room, first.getValue());
            }
        }
    }

    /** A subscription was added: in a split room, to its connection's share; a room that grew big enough is split. */
    private void joined(Room room, Subscription subscription) {
        if (room.sharded) {
            int lane = laneOf(subscription);
            Subscription[] share = room.byLane[lane];
            Subscription[] grown = java.util.Arrays.copyOf(share, share.length + 1);
            grown[share.length] = subscription;
            room.byLane[lane] = grown;
        } else if (room.subscriptions.size() >= SHARDED_FROM) {
            List<List<Subscription>> shares = new java.util.ArrayList<>();
            for (int i = 0; i < lanes.count(); i++) {
                shares.add(new java.util.ArrayList<>());
            }
            for (Subscription each : room.subscriptions) {
                shares.get(laneOf(each)).add(each);
            }
            Subscription[][] byLane = new Subscription[lanes.count()][];
            for (int i = 0; i < byLane.length; i++) {
                byLane[i] = shares.get(i).toArray(NONE);
            }
            room.byLane = byLane;
            room.sharded = true;
        }
    }

    /** A subscription was removed: from its connection's share, in a split room. */
    private void left(Room room, Subscription subscription) {
        if (room.sharded) {
            int lane = laneOf(subscription);
            Subscription[] share = room.byLane[lane];
            Subscription[] shrunk = new Subscription[Math.max(0, share.length - 1)];
            int n = 0;
            for (Subscription each : share) {
                if (each != subscription && n < shrunk.length) {
                    shrunk[n++] = each;
                }
            }
            room.byLane[lane] = (n == shrunk.length) ? shrunk : share; // not found: unchanged
        }
    }

    private int laneOf(Subscription subscription) {
        return lanes.laneOf(subscription.connection().id());
    }

    /**
     * Offers the same frame (one String, encoded once) to every local subscription: on this lane in
     * a small room; in a split one, each lane's share on its lane, this lane's own share last.
     */
    private void fanOut(Room room, Outgoing message) {
        room.head = message.seq();
        if (!room.sharded) {
            for (Subscription subscription : room.subscriptions) {
                offer(subscription, message);
            }
            return;
        }
        Subscription[][] byLane = room.byLane;
        for (int lane = 0; lane < byLane.length; lane++) {
            Subscription[] share = byLane[lane];
            if (lane != room.lane && share.length > 0) {
                try {
                    lanes.execute(lane, () -> offerAll(share, message));
                } catch (RejectedExecutionException stopping) {
                    return;
                }
            }
        }
        offerAll(byLane[room.lane], message);
    }

    private static void offerAll(Subscription[] share, Outgoing message) {
        for (Subscription subscription : share) {
            offer(subscription, message);
        }
    }

    /** One recipient's failure never stops the fan-out to the others. */
    private static void offer(Subscription subscription, Outgoing message) {
        try {
            subscription.offer(message);
        } catch (RuntimeException e) {
            log.warn("Delivery of {} to {} failed: {}", message, subscription.connection(), e.toString());
        }
    }

    private void typing(Room room, String user, Outgoing frame) {
        for (Subscription subscription : room.subscriptions) {
            if (!subscription.connection().user().equals(user) && subscription.isLive()) {
                subscription.connection().send(frame);
            }
        }
    }

    /**
     * Waits until every task handed to {@code room}'s lane before this call has run (tests: events
     * are delivered asynchronously).
     */
    void awaitDelivered(String room) {
        lanes.call(room, () -> null);
        lanes.awaitAll(); // the shares of a split room, handed to the other lanes before
    }

    @Override
    public void destroy() {
        presence.shutdown();
        filler.shutdownNow();
        lanes.shutdown();
    }
}
