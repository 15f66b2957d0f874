package io.parley.server.chat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.Bus;
import io.parley.server.cluster.BusListener;
import io.parley.server.cluster.Presence;
import io.parley.server.connection.Outgoing;
import io.parley.server.history.MessageLog;
import io.parley.server.history.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * This node's rooms: for each room with at least one local subscriber, the subscriptions, the bus
 * subscription, and the last sequence delivered here.
 *
 * <p>Delivery is in sequence order and gapless per room. A message event at or below the room's head
 * is a duplicate and dropped; one above {@code head + 1} means the bus lost events (pub/sub is
 * fire-and-forget), so the missing range is read from the {@link MessageLog} and delivered first.
 * Each message is encoded once and the same {@link Outgoing} goes to every local subscriber.
 *
 * <p>Thread-safe. Each room has its own lock, held while it delivers (enqueueing never blocks) and
 * while it subscribes or unsubscribes, so a room's subscriber set and head change atomically with
 * respect to its deliveries. Rooms never wait on each other.
 */
@Component
public class RoomHub implements BusListener {

    private static final Logger log = LoggerFactory.getLogger(RoomHub.class);

    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final Bus bus;
    private final MessageLog messageLog;
    private final Presence presence;
    private final FrameCodec codec;

    public RoomHub(Bus bus, MessageLog messageLog, Presence presence, FrameCodec codec) {
        this.bus = bus;
        this.messageLog = messageLog;
        this.presence = presence;
        this.codec = codec;
        bus.listen(this);
    }

    /** One room as seen by this node. Fields are guarded by the instance's lock. */
    private static final class Room {
        final String name;
        final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();
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
                rooms.remove(room.name, room);
                bus.unsubscribe(room.name);
            }
        }
    }

    /** Rooms with local subscribers, for the periodic check against the log. */
    Set<String> roomNames() {
        return Set.copyOf(rooms.keySet());
    }

    @Override
    public void onRoomEvent(String roomName, ServerFrame event) {
        Room room = rooms.get(roomName);
        if (room == null) {
            return;
        }
        try {
            if (event instanceof ServerFrame.Message message) {
                deliver(room, message);
            } else if (event instanceof ServerFrame.Typing typing) {
                Outgoing frame = Outgoing.control(codec.encode(typing));
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
        for (String name : roomNames()) {
            catchUp(name);
        }
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
                fill(room, last + 1);
            }
        }
    }

    private void deliver(Room room, ServerFrame.Message message) {
        synchronized (room) {
            if (!room.open || room.removed || message.seq() <= room.head) {
                return;
            }
            if (message.seq() > room.head + 1) {
                fill(room, message.seq());
            }
            fanOut(room, message);
        }
    }

    /** Reads and delivers every message between the head and {@code untilExclusive} from the log. Holds the room's lock. */
    private void fill(Room room, long untilExclusive) {
        log.info("Room {} on this node jumped from {} to {}: reading the missing messages from the log", room.name, room.head, untilExclusive);
        while (room.head + 1 < untilExclusive) {
            int count = (int) Math.min(500, untilExclusive - room.head - 1);
            List<StoredMessage> missing = messageLog.after(room.name, room.head, count);
            if (missing.isEmpty()) {
                return;
            }
            for (StoredMessage stored : missing) {
                fanOut(room, Messages.frame(stored));
            }
        }
    }

    private void fanOut(Room room, ServerFrame.Message message) {
        Outgoing frame = Outgoing.roomMessage(codec.encode(message), room.name, message.seq());
        for (Subscription subscription : room.subscriptions) {
            subscription.offer(frame);
        }
        room.head = message.seq();
    }
}
