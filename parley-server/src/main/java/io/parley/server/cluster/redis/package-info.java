/**
 * Cluster mode on Redis: the bus on pub/sub ({@code RedisBus}), the registry and presence in Redis
 * ({@code RedisRegistry}, {@code RedisPresence}, {@code RegistryStore}), and the node heartbeat that
 * keeps them clean ({@code NodeHeartbeat}). Wired by {@code RedisClusterConfiguration}, profile
 * {@code cluster}.
 */
@NullMarked
package io.parley.server.cluster.redis;

import org.jspecify.annotations.NullMarked;
