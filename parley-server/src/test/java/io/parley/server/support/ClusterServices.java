package io.parley.server.support;

import java.util.Map;
import java.util.UUID;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * The real Redis (127.0.0.1:6379) and PostgreSQL (127.0.0.1:5432, trust auth) of this machine, as
 * one test's private slice: a database of its own, created here and dropped at {@link #close()},
 * and a Redis key prefix of its own, whose keys are deleted at close.
 */
public final class ClusterServices implements AutoCloseable {

    public static final String REDIS = "redis://127.0.0.1:6379";

    private final TestDatabase database;
    private final String prefix;
    private final RedisClient redisClient = RedisClient.create(REDIS);
    private final StatefulRedisConnection<String, String> redis = redisClient.connect();

    public ClusterServices() {
        String id = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        // Not migrated here: the nodes run Flyway themselves, as in production.
        this.database = TestDatabases.create(TestDatabases.Engine.POSTGRESQL, false);
        this.prefix = "parley-it-" + id;
    }

    /** The properties that put a node in cluster mode on this slice. */
    public Map<String, String> nodeProperties() {
        return Map.of(
                "spring.profiles.active", "cluster",
                "spring.datasource.url", jdbcUrl(),
                "spring.datasource.username", "postgres",
                "spring.data.redis.url", REDIS,
                "parley.redis.key-prefix", prefix);
    }

    public String jdbcUrl() {
        return database.jdbcUrl();
    }

    public String prefix() {
        return prefix;
    }

    /** Synchronous Redis commands, for assertions on what nodes stored. */
    public io.lettuce.core.api.sync.RedisCommands<String, String> redis() {
        return redis.sync();
    }

    /** PostgreSQL "goes down" for this slice: its database refuses connections and the open ones are cut. */
    public void databaseDown() {
        database.refuseConnections();
    }

    /** The database accepts connections again. */
    public void databaseUp() {
        database.allowConnections();
    }

    @Override
    public void close() {
        ScanIterator<String> keys = ScanIterator.scan(redis.sync(), ScanArgs.Builder.matches(prefix + ":*").limit(500));
        while (keys.hasNext()) {
            redis.sync().del(keys.next());
        }
        redis.close();
        redisClient.shutdown();
        database.close();
    }
}
