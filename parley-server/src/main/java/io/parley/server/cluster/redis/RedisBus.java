package io.parley.server.cluster.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.Bus;
import io.parley.server.cluster.BusListener;
import io.parley.server.cluster.NodeEvent;
import io.parley.server.cluster.NodeEventListener;
import io.parley.server.cluster.RoomEvent;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import tools.jackson.databind.json.JsonMapper;

/**
 * The bus of a cluster node on Redis pub/sub.
 *
 * <h2>Channels</h2>
 * With {@code <p>} = {@code parley.redis.key-prefix}:
 * <ul>
 * <li>{@code <p>:room:<room>}: a room's events (messages, presence, typing). A node subscribes while
 *     it has a local subscriber in the room and unsubscribes when the last one leaves.</li>
 * <li>{@code <p>:node:<node id>}: events for one node ({@link NodeEvent}), subscribed for the node's
 *     whole life.</li>
 * </ul>
 * Payloads are {@link BusEnvelope}s. One PUBLISH per event, whatever the number of receivers.
 *
 * <h2>Connections</h2>
 * Two per node, whatever the number of clients and rooms, named with {@code CLIENT SETNAME}
 * {@code <p>:<node id>:bus-subscriber} and {@code :bus-publisher}. Lettuce reconnects them by itself;
 * commands issued while one is disconnected fail at once rather than queue.
 *
 * <h2>Guarantees</h2>
 * <ul>
 * <li>{@link #publish} delivers to this node's listener in-process first, on the caller's thread,
 *     then issues an asynchronous PUBLISH and returns without waiting: local delivery never depends
 *     on Redis, and the message log's committer thread never waits for it. A failed PUBLISH is
 *     counted and logged (once per outage); receivers recover the lost messages from the log.</li>
 * <li>Room events received from Redis are routed on the subscriber connection's event-loop thread,
 *     in the order Redis delivered them: the envelope is read in one streaming pass (the event
 *     itself is not decoded, see {@link BusEnvelope}) and handed to the listener, whose
 *     {@link BusListener#onRoomEvent} only queues it on the room's lane. Node events, whose listeners
 *     may close sockets, and the resubscription, which waits for Redis, run on {@value
 *     #DISPATCH_THREADS} dispatch threads ({@code parley-bus-dispatch-<n>}), each channel always on
 *     the same one. This node's own events coming back are skipped.</li>
 * <li>{@link #subscribe} returns once Redis confirmed the subscription. While the subscriber
 *     connection is down it only records the room; when the connection is back, every recorded room
 *     is subscribed again and the listener's {@link BusListener#onResubscribed()} runs, so that each
 *     room is checked against the log for what was published meanwhile.</li>
 * </ul>
 * Thread-safe.
 */
public final class RedisBus implements Bus, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RedisBus.class);

    /** Node events waiting for dispatch, all threads together; beyond, they are dropped (and counted). */
    static final int DISPATCH_QUEUE = 100_000;

    /**
     * Dispatch threads, for node events and the resubscription. A channel's events always go to the
     * same one, so they keep Redis's order. Room events do not pass through them: a hand-off per
     * message cost a thread wake-up on the receiving node, and routing a room event is a
     * queue insert (S3's profile in docs/benchmarks.md).
     */
    static final int DISPATCH_THREADS = 2;

    private final RedisClient client;
    private final ClusterKeys keys;
    private final String nodeId;
    private final FrameCodec codec;
    private final JsonMapper json = JsonMapper.builder().build();
    private final BusMetrics metrics;
    private final Duration timeout;
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor[] dispatchers = new ThreadPoolExecutor[DISPATCH_THREADS];
    private final StatefulRedisPubSubConnection<String, String> subscriber;
    private final StatefulRedisConnection<String, String> publisher;
    private final AtomicLong publishFailuresInARow = new AtomicLong();
    private volatile boolean connected;
    private volatile boolean closing;
    private volatile @Nullable BusListener listener;
    private final List<NodeEventListener> nodeListeners = new CopyOnWriteArrayList<>();

    RedisBus(RedisClient client, RedisURI uri, ClusterKeys keys, String nodeId, FrameCodec codec, BusMetrics metrics,
            Duration timeout) {
        this.client = client;
        this.keys = keys;
        this.nodeId = nodeId;
        this.codec = codec;
        this.metrics = metrics;
        this.timeout = timeout;
        for (int i = 0; i < DISPATCH_THREADS; i++) {
            String name = "parley-bus-dispatch-" + i;
            dispatchers[i] = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(DISPATCH_QUEUE / DISPATCH_THREADS),
                    runnable -> {
                        Thread thread = new Thread(runnable, name);
                        thread.setDaemon(true);
                        return thread;
                    });
        }
        this.subscriber = client.connectPubSub(StringCodec.UTF8, named(uri, "bus-subscriber"));
        this.subscriber.addListener(new Receiver());
        this.publisher = client.connect(StringCodec.UTF8, named(uri, "bus-publisher"));
        client.addListener(new SubscriberState());
        this.subscriber.sync().subscribe(keys.nodeChannel(nodeId));
        this.connected = true;
        metrics.gauges(rooms::size, () -> connected ? 1 : 0);
    }

    private RedisURI named(RedisURI uri, String role) {
        RedisURI copy = RedisURI.builder(uri).withClientName(keys.prefix() + ":" + nodeId + ":" + role).build();
        copy.setTimeout(timeout);
        return copy;
    }

    @Override
    public void listen(BusListener listener) {
        this.listener = listener;
    }

    @Override
    public void listen(NodeEventListener listener) {
        nodeListeners.add(listener);
    }

    @Override
    public void publish(String room, ServerFrame event) {
        String eventJson = codec.encode(event);
        RoomEvent summary = RoomEvent.of(event);
        BusListener local = listener;
        if (local != null) {
            local.onRoomEvent(room, summary, eventJson);
        }
        metrics.published(event);
        publish(keys.roomChannel(room), BusEnvelope.encode(codec.mapper(), nodeId, System.currentTimeMillis(), summary, eventJson));
    }

    @Override
    public void send(String targetNode, NodeEvent event) {
        if (targetNode.equals(nodeId)) {
            for (NodeEventListener local : nodeListeners) {
                local.onNodeEvent(event);
            }
            return;
        }
        metrics.publishedToNode();
        publish(keys.nodeChannel(targetNode), BusEnvelope.encode(json, nodeId, System.currentTimeMillis(), event));
    }

    private void publish(String channel, String payload) {
        publisher.async().publish(channel, payload).whenComplete((receivers, failure) -> {
            if (failure == null) {
                long failed = publishFailuresInARow.getAndSet(0);
                if (failed > 0) {
                    log.info("Bus publishes to Redis again after {} failed", failed);
                }
                return;
            }
            metrics.publishFailed();
            if (publishFailuresInARow.getAndIncrement() == 0) {
                log.warn("Bus publish to Redis failed ({}); other nodes recover the lost events from the log", failure.toString());
            }
        });
    }

    @Override
    public void subscribe(String room) {
        if (!rooms.add(room) || !connected) {
            return;
        }
        try {
            subscriber.async().subscribe(keys.roomChannel(room)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // The room stays recorded: it is subscribed again, and checked against the log, by resubscribe.
            log.warn("Subscription of room {} not confirmed by Redis ({}); retrying with every room", room, e.toString());
            dispatch("", this::resubscribe);
        }
    }

    @Override
    public void unsubscribe(String room) {
        if (rooms.remove(room) && connected) {
            subscriber.async().unsubscribe(keys.roomChannel(room));
        }
    }

    /** Whether the subscriber connection is up (for health). */
    boolean isConnected() {
        return connected;
    }

    int subscribedRooms() {
        return rooms.size();
    }

    /** Subscribes every recorded room again, then lets the listener check them against the log. On the dispatch thread. */
    private void resubscribe() {
        List<String> channels = new ArrayList<>();
        channels.add(keys.nodeChannel(nodeId));
        for (String room : rooms) {
            channels.add(keys.roomChannel(room));
        }
        try {
            subscriber.async().subscribe(channels.toArray(String[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return;
            }
            log.warn("Resubscription of {} rooms failed ({}); retried when the connection is back", channels.size() - 1, e.toString());
            return;
        }
        connected = true;
        metrics.resubscribed();
        log.info("Bus subscriptions restored ({} rooms); checking them against the message log", channels.size() - 1);
        BusListener target = listener;
        if (target != null) {
            target.onResubscribed();
        }
    }

    /** Runs {@code task} on the dispatch thread of {@code channel}: one thread per channel, in order. */
    private void dispatch(String channel, Runnable task) {
        try {
            dispatchers[Math.floorMod(channel.hashCode(), DISPATCH_THREADS)].execute(task);
        } catch (RejectedExecutionException e) {
            metrics.dropped();
        }
    }

    /** One pub/sub message of {@code channel}; {@code room} is the channel's room, {@code null} for a node channel. */
    private void receive(String channel, @Nullable String room, String payload) {
        BusEnvelope envelope;
        try {
            envelope = BusEnvelope.decode(codec.mapper(), payload);
        } catch (IllegalArgumentException e) {
            log.warn("Ignored a malformed bus message on {}: {}", channel, e.getMessage());
            return;
        }
        if (envelope.origin().equals(nodeId)) {
            return;
        }
        metrics.received(envelope.publishedAt());
        try {
            if (room != null) {
                BusListener target = listener;
                if (target != null) {
                    target.onRoomEvent(room, envelope.roomEvent(codec), envelope.event());
                }
            } else {
                NodeEvent event = envelope.nodeEvent(json);
                for (NodeEventListener target : nodeListeners) {
                    target.onNodeEvent(event);
                }
            }
        } catch (RuntimeException e) {
            log.warn("Bus event on {} from {} failed: {}", channel, envelope.origin(), e.toString());
        }
    }

    /**
     * Pub/sub messages, on a Lettuce event-loop thread: a room event is routed here (nothing on its
     * path blocks), a node event is handed to its dispatch thread.
     */
    private final class Receiver extends RedisPubSubAdapter<String, String> {
        @Override
        public void message(String channel, String message) {
            String room = keys.roomOf(channel);
            if (room != null) {
                receive(channel, room, message);
            } else {
                dispatch(channel, () -> receive(channel, null, message));
            }
        }
    }

    /** Connection events of the subscriber connection: lost, then back. */
    private final class SubscriberState implements RedisConnectionStateListener {
        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            if (connection == subscriber && connected && !closing) {
                connected = false;
                log.warn("Bus subscriber connection to Redis lost; local delivery goes on, other nodes' events resume when it is back");
            }
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, java.net.SocketAddress address) {
            if (connection == subscriber && !connected) {
                dispatch("", RedisBus.this::resubscribe);
            }
        }
    }

    @Override
    public void destroy() {
        closing = true;
        for (ThreadPoolExecutor dispatcher : dispatchers) {
            dispatcher.shutdownNow();
        }
        subscriber.close();
        publisher.close();
    }

    @Override
    public String toString() {
        return "RedisBus[node=" + nodeId + ", rooms=" + rooms.size() + ", connected=" + connected + ", " + metrics + "]";
    }
}
