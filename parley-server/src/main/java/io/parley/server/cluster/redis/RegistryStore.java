package io.parley.server.cluster.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * The registry's Redis side: one connection, and every write as one call of {@code registry.lua}, so
 * that each is atomic however many nodes write at once.
 *
 * <h2>Keys</h2>
 * With {@code <p>} = {@code parley.redis.key-prefix}:
 * <ul>
 * <li>{@code <p>:registry:nodes} (set): ids of the nodes that registered and were not removed yet.
 *     No TTL: a node leaves it when it stops, or when another node removes it after its death.</li>
 * <li>{@code <p>:registry:node:<id>} (string, TTL {@code parley.cluster.node-ttl}): the node's
 *     heartbeat, the epoch milliseconds of its last beat; renewed every
 *     {@code parley.cluster.heartbeat-interval}. Its absence is what makes a node dead.</li>
 * <li>{@code <p>:registry:node:<id>:entries} (set): what the node contributed, as members
 *     {@code u <user>} (a connection of the user) and {@code p <room> <user>} (a connection of the
 *     user subscribed to the room). No TTL: removed with the node.</li>
 * <li>{@code <p>:registry:user:<user>} (set): the ids of the nodes holding a connection of the user.</li>
 * <li>{@code <p>:registry:presence:<room>} (hash): user to the number of nodes where the user has a
 *     connection subscribed to the room; the room's online users are its fields.</li>
 * </ul>
 * User and presence keys carry no TTL of their own, like Spring Session's index keys: every member
 * is backed by an entry of a node, and is withdrawn with it, by the node itself ({@code remove},
 * {@code leave}) or by any live node once the heartbeat has expired ({@code reap}, which checks the
 * heartbeat in the same atomic step, so a node that beats again is never reaped). Empty sets and
 * hashes vanish by themselves.
 *
 * <h2>Commands</h2>
 * {@code EVALSHA} of {@code registry.lua} ({@code EVAL} after a {@code NOSCRIPT}, as after a Redis
 * restart), with the operation in {@code ARGV[1]}; reads are {@code SMEMBERS} and {@code HKEYS}. The
 * script computes key names from the prefix, so it needs a single Redis (or a replicated one), not
 * Redis Cluster.
 *
 * <p>Thread-safe; every call blocks its caller for at most {@code parley.cluster.redis-timeout} and
 * throws a Lettuce {@code RedisException} when Redis does not answer.
 */
final class RegistryStore {

    /** What a reap removed: the dead nodes, and the rooms whose online set changed. */
    record Reaped(List<String> nodes, List<String> rooms) {
    }

    /** What a heartbeat found: whether the node's heartbeat key still existed, and the registered nodes. */
    record Beat(boolean existed, long nodes) {
    }

    private static final String SCRIPT = load("registry.lua");
    private static final String SHA = sha1(SCRIPT);
    private static final String[] NO_KEYS = {};

    private final RedisCommands<String, String> redis;
    private final ClusterKeys keys;
    private final String nodeId;

    RegistryStore(RedisCommands<String, String> redis, ClusterKeys keys, String nodeId) {
        this.redis = redis;
        this.keys = keys;
        this.nodeId = nodeId;
    }

    /** Adds one entry of this node; true when a room's online set changed. */
    boolean add(String entry) {
        Long changed = run(ScriptOutputType.INTEGER, "add", nodeId, entry);
        return changed != null && changed == 1;
    }

    /** Withdraws one entry of this node; true when a room's online set changed. */
    boolean remove(String entry) {
        Long changed = run(ScriptOutputType.INTEGER, "remove", nodeId, entry);
        return changed != null && changed == 1;
    }

    /** Makes this node's entries exactly {@code entries}; returns the rooms whose online set changed. */
    List<String> sync(Collection<String> entries) {
        List<String> args = new ArrayList<>(entries.size() + 3);
        args.add("sync");
        args.add(keys.prefix());
        args.add(nodeId);
        args.addAll(entries);
        return strings(runArgs(ScriptOutputType.MULTI, args.toArray(String[]::new)));
    }

    Beat beat(Duration ttl) {
        List<Object> result = run(ScriptOutputType.MULTI, "beat", nodeId, Long.toString(ttl.toMillis()),
                Long.toString(System.currentTimeMillis()));
        return new Beat(((Number) result.get(0)).longValue() == 1, ((Number) result.get(1)).longValue());
    }

    /** Removes every node whose heartbeat expired, with its entries. */
    Reaped reap() {
        List<Object> result = runArgs(ScriptOutputType.MULTI, "reap", keys.prefix());
        int dead = ((Number) result.get(0)).intValue();
        List<String> rest = strings(result.subList(1, result.size()));
        return new Reaped(rest.subList(0, dead), distinct(rest.subList(dead, rest.size())));
    }

    /** Removes this node and its entries (graceful stop); returns the rooms whose online set changed. */
    List<String> leave() {
        return distinct(strings(run(ScriptOutputType.MULTI, "leave", nodeId)));
    }

    Set<String> nodesOf(String user) {
        return redis.smembers(keys.userNodes(user));
    }

    List<String> online(String room) {
        List<String> users = new ArrayList<>(redis.hkeys(keys.presence(room)));
        users.sort(null);
        return users;
    }

    private <T> T run(ScriptOutputType type, String operation, String... operands) {
        String[] args = new String[operands.length + 2];
        args[0] = operation;
        args[1] = keys.prefix();
        System.arraycopy(operands, 0, args, 2, operands.length);
        return runArgs(type, args);
    }

    private <T> T runArgs(ScriptOutputType type, String... args) {
        try {
            return redis.evalsha(SHA, type, NO_KEYS, args);
        } catch (RedisNoScriptException notLoaded) {
            return redis.eval(SCRIPT, type, NO_KEYS, args);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object list) {
        List<String> strings = new ArrayList<>();
        for (Object item : (List<Object>) list) {
            strings.add(String.valueOf(item));
        }
        return strings;
    }

    private static List<String> distinct(List<String> rooms) {
        return List.copyOf(new LinkedHashSet<>(rooms));
    }

    private static String load(String name) {
        try (InputStream in = RegistryStore.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }

    private static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
