package io.parley.server.ops;

import java.time.Clock;

import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.server.cluster.ClusterProperties;
import io.parley.server.cluster.NodeIdentity;
import io.parley.server.connection.Admission;
import io.parley.server.connection.Connections;
import io.parley.server.connection.OutboundQueues;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin page's data: this node's {@link NodeStatsSampler}, and the {@link NodeStatsBoard} every
 * node posts to: in memory in standalone mode, in Redis (over the registry's connection) in cluster
 * mode.
 */
@Configuration(proxyBeanMethods = false)
class AdminConfiguration {

    @Bean
    NodeStatsSampler nodeStatsSampler(NodeIdentity node, Connections connections, Admission admission, OutboundQueues queues,
            MeterRegistry meters, NodeStatsBoard board, ClusterProperties cluster) {
        return new NodeStatsSampler(node, connections, admission, queues.stats(), meters, board, cluster, Clock.systemUTC());
    }

    @Configuration(proxyBeanMethods = false)
    @Profile("!cluster")
    static class Standalone {

        @Bean
        NodeStatsBoard localNodeStatsBoard() {
            return new LocalNodeStatsBoard();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Profile("cluster")
    static class Cluster {

        @Bean
        NodeStatsBoard redisNodeStatsBoard(StatefulRedisConnection<String, String> parleyRegistryConnection, JsonMapper json,
                @Value("${parley.redis.key-prefix:parley}") String prefix, ClusterProperties cluster) {
            return new RedisNodeStatsBoard(parleyRegistryConnection.sync(), json, prefix, cluster.nodeTtl(), Clock.systemUTC());
        }
    }
}
