package io.parley.server.ops;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import io.lettuce.core.api.sync.RedisCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cluster mode's board, in Redis: one hash, {@code <p>:admin:nodes} ({@code <p>} =
 * {@code parley.redis.key-prefix}), field = node id, value = that node's latest {@link NodeStats}
 * as JSON.
 * <ul>
 * <li>Each node writes its own field every {@code parley.cluster.heartbeat-interval} ({@code HSET}),
 *     and renews the hash's TTL ({@code PEXPIRE}, twice {@code parley.cluster.node-ttl}), so the key
 *     vanishes when every node is gone.</li>
 * <li>A reader ({@code HGETALL}) keeps the entries sampled within {@code parley.cluster.node-ttl} of
 *     its own clock and removes the older ones ({@code HDEL}): a node that died disappears from the
 *     admin page within that time, as it disappears from the registry. The nodes' clocks must agree
 *     to well within the TTL (NTP).</li>
 * <li>A node that stops removes its own field.</li>
 * </ul>
 * One write per node per interval and one read per admin poll: nothing on a chat path. Commands go
 * over the registry's Redis connection (Parley's Lettuce client: each waits at most
 * {@code parley.cluster.redis-timeout}, and fails at once while Redis is unreachable). Thread-safe.
 */
final class RedisNodeStatsBoard implements NodeStatsBoard {

    private static final Logger log = LoggerFactory.getLogger(RedisNodeStatsBoard.class);

    private final RedisCommands<String, String> redis;
    private final JsonMapper json;
    private final String key;
    private final Duration staleAfter;
    private final Clock clock;

    RedisNodeStatsBoard(RedisCommands<String, String> redis, JsonMapper json, String keyPrefix, Duration staleAfter, Clock clock) {
        this.redis = redis;
        this.json = json;
        this.key = keyPrefix + ":admin:nodes";
        this.staleAfter = staleAfter;
        this.clock = clock;
    }

    @Override
    public void publish(NodeStats stats) {
        redis.hset(key, stats.node(), json.writeValueAsString(stats));
        redis.pexpire(key, staleAfter.multipliedBy(2).toMillis());
    }

    @Override
    public List<NodeStats> read() {
        long oldest = clock.millis() - staleAfter.toMillis();
        List<NodeStats> live = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, String> entry : redis.hgetall(key).entrySet()) {
            NodeStats stats;
            try {
                stats = json.readValue(entry.getValue(), NodeStats.class);
            } catch (JacksonException unreadable) {
                log.debug("Dropping the unreadable admin stats of node {}: {}", entry.getKey(), unreadable.getOriginalMessage());
                stale.add(entry.getKey());
                continue;
            }
            if (stats.at() < oldest) {
                stale.add(entry.getKey());
            } else {
                live.add(stats);
            }
        }
        if (!stale.isEmpty()) {
            redis.hdel(key, stale.toArray(String[]::new));
        }
        live.sort(Comparator.comparing(NodeStats::node));
        return live;
    }

    @Override
    public void withdraw(String node) {
        redis.hdel(key, node);
    }
}
