package io.parley.server.cluster.redis;

/**
 * Names of every Redis key and channel of the bus and the registry, all under one prefix
 * ({@code parley.redis.key-prefix}). The layout is documented on {@link RedisBus} (channels) and
 * {@link RegistryStore} (keys); {@code registry.lua} builds the same key names from the prefix.
 */
final class ClusterKeys {

    private final String prefix;
    private final String roomChannelPrefix;

    ClusterKeys(String prefix) {
        if (prefix.isBlank() || prefix.contains(" ")) {
            throw new IllegalArgumentException("parley.redis.key-prefix must be non-blank without spaces, was '" + prefix + "'");
        }
        this.prefix = prefix;
        this.roomChannelPrefix = prefix + ":room:";
    }

    String prefix() {
        return prefix;
    }

    /** The channel of a room's events. */
    String roomChannel(String room) {
        return roomChannelPrefix + room;
    }

    /** The room of a room channel, or null when {@code channel} is not one. */
    @org.jspecify.annotations.Nullable String roomOf(String channel) {
        return channel.startsWith(roomChannelPrefix) ? channel.substring(roomChannelPrefix.length()) : null;
    }

    /** The channel of events for one node. */
    String nodeChannel(String nodeId) {
        return prefix + ":node:" + nodeId;
    }

    /** Set: the ids of the nodes that registered and were not removed yet. */
    String nodes() {
        return prefix + ":registry:nodes";
    }

    /** String with a TTL: a node's heartbeat. */
    String heartbeat(String nodeId) {
        return prefix + ":registry:node:" + nodeId;
    }

    /** Set: what a node contributed to the user and presence keys. */
    String entries(String nodeId) {
        return heartbeat(nodeId) + ":entries";
    }

    /** Set: the ids of the nodes holding a connection of {@code user}. */
    String userNodes(String user) {
        return prefix + ":registry:user:" + user;
    }

    /** Hash: user to the number of nodes where the user has a connection subscribed to {@code room}. */
    String presence(String room) {
        return prefix + ":registry:presence:" + room;
    }
}
