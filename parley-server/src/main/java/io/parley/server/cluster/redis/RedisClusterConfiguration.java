package io.parley.server.cluster.redis;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.protocol.FrameCodec;
import io.parley.server.cluster.Bus;
import io.parley.server.cluster.ClusterProperties;
import io.parley.server.cluster.NodeIdentity;
import io.parley.server.cluster.Presence;
import io.parley.server.cluster.Registry;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/**
 * Cluster mode: the bus on Redis pub/sub, the registry and presence in Redis, and the node heartbeat.
 * They replace the in-process ones of {@code LocalClusterConfiguration}.
 *
 * <p>Parley's own Lettuce client on Spring Boot's Redis address ({@code spring.data.redis.*},
 * standalone Redis), with options of its own: commands issued while a connection is down fail at
 * once instead of queueing, none waits longer than {@code parley.cluster.redis-timeout}, and a lost
 * connection is retried at most {@value #MAX_RECONNECT_DELAY_MILLIS} ms apart (Lettuce's default
 * backs off to 30 s), so cross-node delivery resumes within that of Redis coming back. Two event-loop
 * threads. These client resources replace Spring Boot's default ones, so the HTTP session store's
 * connections reconnect as promptly. Three connections per node: the bus's subscriber and publisher, and the registry's.
 */
@Configuration(proxyBeanMethods = false)
@Profile("cluster")
class RedisClusterConfiguration {

    static final long MAX_RECONNECT_DELAY_MILLIS = 2000;

    @Bean(destroyMethod = "shutdown")
    ClientResources parleyRedisResources() {
        return DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.fullJitter(Duration.ofMillis(50), Duration.ofMillis(MAX_RECONNECT_DELAY_MILLIS), 100,
                        TimeUnit.MILLISECONDS))
                .build();
    }

    /**
     * Spring Boot's Redis address and credentials: host, port and database; an ACL user and password
     * ({@code spring.data.redis.username}/{@code password}, or in the URL); TLS when the URL is
     * {@code rediss://} or {@code spring.data.redis.ssl.enabled}/{@code ssl.bundle} is set, as for
     * Spring Boot's own connections (the session store's).
     */
    @Bean
    RedisURI parleyRedisUri(DataRedisConnectionDetails details, ClusterProperties properties,
            @Value("${spring.data.redis.url:}") String url) {
        DataRedisConnectionDetails.Standalone standalone = details.getStandalone();
        RedisURI.Builder uri = RedisURI.builder().withHost(standalone.getHost()).withPort(standalone.getPort())
                .withDatabase(standalone.getDatabase()).withTimeout(properties.redisTimeout())
                .withSsl(details.getSslBundle() != null || url.regionMatches(true, 0, "rediss://", 0, 9));
        String password = details.getPassword();
        if (password != null) {
            String username = details.getUsername();
            if (username != null) {
                uri.withAuthentication(username, password);
            } else {
                uri.withPassword(password.toCharArray());
            }
        }
        return uri.build();
    }

    /** With TLS, the key and trust material of {@code spring.data.redis.ssl.bundle} when set, else the JVM's defaults. */
    @Bean(destroyMethod = "shutdown")
    RedisClient parleyRedisClient(RedisURI parleyRedisUri, ClientResources parleyRedisResources, ClusterProperties properties,
            DataRedisConnectionDetails details) {
        RedisClient client = RedisClient.create(parleyRedisResources, parleyRedisUri);
        ClientOptions.Builder options = ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(RedisBus.DISPATCH_QUEUE)
                .timeoutOptions(TimeoutOptions.enabled(properties.redisTimeout()));
        SslBundle bundle = details.getSslBundle();
        if (bundle != null) {
            SslOptions.Builder ssl = SslOptions.builder()
                    .keyManager(bundle.getManagers().getKeyManagerFactory())
                    .trustManager(bundle.getManagers().getTrustManagerFactory());
            if (bundle.getOptions().getCiphers() != null) {
                ssl.cipherSuites(bundle.getOptions().getCiphers());
            }
            if (bundle.getOptions().getEnabledProtocols() != null) {
                ssl.protocols(bundle.getOptions().getEnabledProtocols());
            }
            options.sslOptions(ssl.build());
        }
        client.setOptions(options.build());
        return client;
    }

    @Bean
    ClusterKeys parleyClusterKeys(@Value("${parley.redis.key-prefix:parley}") String prefix) {
        return new ClusterKeys(prefix);
    }

    @Bean
    RedisBus redisBus(RedisClient parleyRedisClient, RedisURI parleyRedisUri, ClusterKeys keys, NodeIdentity node,
            FrameCodec codec, MeterRegistry meters, ClusterProperties properties) {
        return new RedisBus(parleyRedisClient, parleyRedisUri, keys, node.id(), codec, new BusMetrics(meters),
                properties.redisTimeout());
    }

    @Bean(destroyMethod = "close")
    StatefulRedisConnection<String, String> parleyRegistryConnection(RedisClient parleyRedisClient, RedisURI parleyRedisUri,
            ClusterKeys keys, NodeIdentity node) {
        return parleyRedisClient.connect(StringCodec.UTF8,
                RedisURI.builder(parleyRedisUri).withClientName(keys.prefix() + ":" + node.id() + ":registry").build());
    }

    @Bean
    RegistryMetrics registryMetrics(MeterRegistry meters) {
        return new RegistryMetrics(meters);
    }

    @Bean
    RegistryStore registryStore(StatefulRedisConnection<String, String> parleyRegistryConnection, ClusterKeys keys, NodeIdentity node) {
        return new RegistryStore(parleyRegistryConnection.sync(), keys, node.id());
    }

    @Bean
    NodeEntries nodeEntries(RegistryStore store, RegistryMetrics metrics) {
        return new NodeEntries(store, metrics);
    }

    @Bean
    RedisRegistry redisRegistry(NodeEntries entries, RegistryStore store, NodeIdentity node) {
        return new RedisRegistry(entries, store, node.id());
    }

    @Bean
    RedisPresence redisPresence(NodeEntries entries, RegistryStore store) {
        return new RedisPresence(entries, store);
    }

    @Bean
    NodeHeartbeat nodeHeartbeat(RegistryStore store, NodeEntries entries, Bus bus, ClusterProperties properties,
            RegistryMetrics metrics, NodeIdentity node) {
        return new NodeHeartbeat(store, entries, bus, properties, metrics, node.id());
    }

    @Bean
    BusHealthIndicator busHealthIndicator(RedisBus bus, RegistryMetrics metrics) {
        return new BusHealthIndicator(bus, metrics);
    }
}
