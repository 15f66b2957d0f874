package io.parley.server.chat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.Bus;
import io.parley.server.cluster.BusListener;
import io.parley.server.cluster.ClusterProperties;
import io.parley.server.cluster.Presence;
import io.parley.server.connection.Outgoing;
import io.parley.server.history.MessageLog;
import io.parley.server.history.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * This node's rooms: for each room with at least one local subscriber, the subscriptions, the bus
 * subscription, and the last sequence delivered here.
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
 * <p>Thread-safe. Each room has its own lock, held while it delivers (enqueueing never blocks), while
 * it reads a missing range from the log, and while it subscribes or unsubscribes, so a room's
 * subscriber set and head change atomically with respect to its deliveries. Rooms never wait on each
 * other. Reads after a reorder window run on this hub's own thread, never on the publisher's.
 */
@Component
public class RoomHub implements BusListener, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RoomHub.class);

    /** Held-back messages per room beyond which the log is read at once rather than after the window. */
    static final int MAX_HELD = 1000;

    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final Bus bus;
    private final MessageLog messageLog;
    private final Presence presence;
    private final FrameCodec codec;
    private final long reorderWindowNanos;
    private final ScheduledExecutorService filler;
    private final Counter gapFills;
    private final Counter gapMessages;

    public RoomHub(Bus bus, MessageLog messageLog, Presence presence, FrameCodec codec, ClusterProperties properties,
            MeterRegistry meters) {
        this.bus = bus;
        this.messageLog = messageLog;
        this.presence = presence;
        this.codec = codec;
        this.reorderWindowNanos = properties.reorderWindow().toNanos();
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

    /** One room as seen by this node. Fields are guarded by the instance's lock. */
    private static final class Room {
        final String name;
        final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
        final TreeMap<Long, Outgoing> held = new TreeMap<>();
        boolean fillScheduled;
        boolean open;
        boolean removed;
        long head;

        Room(String name) {
            this.name = name;
        }
    }

    /**
     * Adds a subscription in replay mode and returns the room's head on this node: the caller replays
     * up to it from the log, then calls {@link Subscription#finishReplay}.
     */
    long subscribe(Subscription subscription) {
        while (true) {
            Room room = rooms.computeIfAbsent(subscription.room(), Room::new);
            synchronized (room) {
                if (room.removed) {
                    continue;
                }
                if (!room.open) {
                    // Subscribe before reading the head: whatever is committed later arrives as an event.
                    bus.subscribe(room.name);
                    room.head = messageLog.lastSeq(room.name);
                    room.open = true;
                }
                room.subscriptions.add(subscription);
                return room.head;
            }
        }
    }

    void unsubscribe(Subscription subscription) {
        Room room = rooms.get(subscription.room());
        if (room == null) {
            return;
        }
        synchronized (room) {
            room.subscriptions.remove(subscription);
            if (room.subscriptions.isEmpty() && !room.removed) {
                room.removed = true;
                room.held.clear();
                // Unsubscribe before the room leaves the map: a new Room of the same name subscribes
                // only after this, so the bus never sees its subscribe overtaken by this unsubscribe.
                bus.unsubscribe(room.name);
                rooms.remove(room.name, room);
            }
        }
    }

    /** Rooms with local subscribers, for the periodic check against the log. */
    Set<String> roomNames() {
        return Set.copyOf(rooms.keySet());
    }

    @Override
    public void onRoomEvent(String roomName, ServerFrame event, String json) {
        Room room = rooms.get(roomName);
        if (room == null) {
            return;
        }
        try {
            if (event instanceof ServerFrame.Message message) {
                deliver(room, Outgoing.roomMessage(json, roomName, message.seq()));
            } else if (event instanceof ServerFrame.Typing typing) {
                Outgoing frame = Outgoing.control(json);
                for (Subscription subscription : room.subscriptions) {
                    if (!subscription.connection().user().equals(typing.user()) && subscription.isLive()) {
                        subscription.connection().send(frame);
                    }
                }
            } else if (event instanceof ServerFrame.Presence) {
                // Recomputed here: presence events of several nodes may cross, the registry is the truth.
                Outgoing frame = Outgoing.control(codec.encode(new ServerFrame.Presence(roomName, presence.online(roomName))));
                for (Subscription subscription : room.subscriptions) {
                    subscription.connection().send(frame);
                }
            }
        } catch (RuntimeException e) {
            log.warn("Delivery of an event of room {} failed: {}", roomName, e.toString());
        }
    }

    @Override
    public void onResubscribed() {
        catchUpAll();
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

    /** Delivers what the log has beyond this node's head for {@code roomName}: recovery after lost events. */
    void catchUp(String roomName) {
        Room room = rooms.get(roomName);
        if (room == null) {
            return;
        }
        synchronized (room) {
            if (!room.open || room.removed) {
                return;
            }
            long last = messageLog.lastSeq(roomName);
            if (last > room.head) {
                log.debug("Room {} on this node is behind the log ({} < {}): delivering the missing messages", roomName, room.head, last);
                fill(room, last + 1);
                releaseHeld(room);
            }
        }
    }

    private void deliver(Room room, Outgoing message) {
        synchronized (room) {
            if (!room.open || room.removed || message.seq() <= room.head) {
                return;
            }
            if (message.seq() == room.head + 1) {
                fanOut(room, message);
                releaseHeld(room);
                return;
            }
            // A jump: normal when several nodes write to the room. Wait briefly for the missing ones.
            room.held.put(message.seq(), message);
            if (room.held.size() > MAX_HELD) {
                fillHeld(room);
            } else if (!room.fillScheduled) {
                room.fillScheduled = true;
                try {
                    filler.schedule(() -> fillHeldLater(room), reorderWindowNanos, TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException stopping) {
                    room.fillScheduled = false;
                }
            }
        }
    }

    /** The reorder window has passed: read what is still missing from the log. On the filler thread. */
    private void fillHeldLater(Room room) {
        try {
            synchronized (room) {
                room.fillScheduled = false;
                if (room.open && !room.removed) {
                    fillHeld(room);
                }
            }
        } catch (RuntimeException e) {
            // The log is unreachable: the held messages stay; the next event or the room check retries.
            log.warn("Missing messages of room {} not readable from the log: {}", room.name, e.toString());
        }
    }

    /** Reads the messages missing before the first held one, then releases the held ones. Holds the room's lock. */
    private void fillHeld(Room room) {
        if (!room.held.isEmpty() && room.held.firstKey() > room.head + 1) {
            fill(room, room.held.firstKey());
        }
        releaseHeld(room);
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

    /** Reads and delivers every message between the head and {@code untilExclusive} from the log. Holds the room's lock. */
    private void fill(Room room, long untilExclusive) {
        gapFills.increment();
        while (room.head + 1 < untilExclusive) {
            int count = (int) Math.min(500, untilExclusive - room.head - 1);
            List<StoredMessage> missing = messageLog.after(room.name, room.head, count);
            if (missing.isEmpty()) {
                return;
            }
            for (StoredMessage stored : missing) {
                if (stored.seq() >= untilExclusive) {
                    return;
                }
                fanOut(room, Outgoing.roomMessage(codec.encode(Messages.frame(stored)), room.name, stored.seq()));
                gapMessages.increment();
            }
        }
    }

    /** Offers the same frame (one String, encoded once) to every local subscription. Holds the room's lock. */
    private void fanOut(Room room, Outgoing message) {
        for (Subscription subscription : room.subscriptions) {
            subscription.offer(message);
        }
        room.head = message.seq();
    }

    @Override
    public void destroy() {
        filler.shutdownNow();
    }
}
