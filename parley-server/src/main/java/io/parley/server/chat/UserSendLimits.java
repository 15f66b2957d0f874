package io.parley.server.chat;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.parley.server.cluster.Registry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The per-user rate of {@code send} frames, across all of the user's connections on all nodes: a
 * token bucket of {@code parley.chat.send-rate} messages a second with bursts of {@code
 * parley.chat.send-burst}, whatever the number of sockets the user opens.
 *
 * <p><b>Across nodes, without a store round trip per message.</b> Each node keeps one bucket per user
 * who has a connection on it, shared by that user's local connections, and gives it the user's quota
 * divided by the number of nodes that hold the user's connections ({@link Registry#nodesOf}, read
 * again at most every {@code parley.chat.send-rate-refresh} while the user sends). A user flooding
 * from connections on {@code n} nodes is limited to {@code n × rate/n}: the user's rate. The price of
 * the approximation: a user connected to two nodes who sends from one only gets half the rate (10
 * messages a second by default, far above a person's); right after the user connects to one more
 * node, the nodes' shares add up to more than the quota until each has re-read the count (bounded
 * by one refresh interval); and when Redis cannot be read each node counts itself alone, so the
 * user gets up to the full rate per node. An exact limit (a Lua token bucket in Redis) would cost a
 * Redis round trip on the frame thread for every message.
 *
 * <p>Standalone, the registry knows this node only: the bucket is the user's, exactly.
 *
 * <p>Thread-safe. A connection takes its user's bucket at open and gives it back at close; the
 * bucket lives while the user has a connection on this node.
 */
@Component
public class UserSendLimits {

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Registry registry;
    private final double rate;
    private final int burst;
    private final long refreshNanos;
    private final LongSupplier clock;

    @Autowired
    public UserSendLimits(Registry registry, ChatProperties properties) {
        this(registry, properties, System::nanoTime);
    }

    UserSendLimits(Registry registry, ChatProperties properties, LongSupplier clock) {
        this.registry = registry;
        this.rate = properties.sendRate();
        this.burst = properties.sendBurst();
        this.refreshNanos = properties.sendRateRefresh().toNanos();
        this.clock = clock;
    }

    /** The bucket of {@code user} on this node, for one more connection of theirs; give it back with {@link #release}. */
    Bucket acquire(String user) {
        return buckets.compute(user, (name, bucket) -> {
            Bucket held = bucket != null ? bucket : new Bucket(name);
            held.connections++;
            return held;
        });
    }

    /** One connection of the bucket's user closed; the bucket goes with the last one. */
    void release(Bucket bucket) {
        buckets.computeIfPresent(bucket.user, (name, held) -> --held.connections > 0 ? held : null);
    }

    /** Users with a bucket on this node (for tests and metrics). */
    int users() {
        return buckets.size();
    }

    /**
     * One user's share of the quota on this node. {@link #tryAcquire} is called from the frame threads
     * of the user's local connections; its rare re-read of the node count happens outside the lock.
     */
    final class Bucket {
        private final String user;
        /** Guarded by the map's lock for the bucket's key. */
        private int connections;
        private double tokens;
        private double perNano;
        private double capacity;
        private long last;
        private volatile long refreshedAt;

        /** Made under the map's lock: no registry read here; the first {@link #tryAcquire} takes the share. */
        private Bucket(String user) {
            this.user = user;
            long now = clock.getAsLong();
            share(1, now);
            this.tokens = capacity;
            this.last = now;
            this.refreshedAt = now - refreshNanos;
        }

        /** Takes one message from the bucket; false when the user is over the limit (the message is refused). */
        boolean tryAcquire() {
            long now = clock.getAsLong();
            if (now - refreshedAt >= refreshNanos) {
                int nodes = nodes();
                synchronized (this) {
                    refill(now);
                    share(nodes, now);
                }
            }
            synchronized (this) {
                refill(now);
                if (tokens >= 1) {
                    tokens -= 1;
                    return true;
                }
                return false;
            }
        }

        /** The sustained rate this node allows the user now, in messages a second. */
        synchronized double rate() {
            return perNano * 1e9;
        }

        private void refill(long now) {
            if (now > last) {
                tokens = Math.min(capacity, tokens + (now - last) * perNano);
                last = now;
            }
        }

        private void share(int nodes, long now) {
            perNano = rate / nodes / 1e9;
            capacity = Math.max(1.0, (double) burst / nodes);
            tokens = Math.min(tokens, capacity);
            refreshedAt = now;
        }

        private int nodes() {
            return Math.max(1, registry.nodesOf(user).size());
        }
    }
}
