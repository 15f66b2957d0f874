package io.parley.server.cluster;

import io.parley.protocol.FrameCodec;
import io.parley.server.cluster.local.LocalBus;
import io.parley.server.cluster.local.LocalPresence;
import io.parley.server.cluster.local.LocalRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The in-process bus, registry and presence of a standalone node. They are the defaults: the cluster
 * configuration ({@code cluster.redis}, profile {@code cluster}) defines its own and replaces them.
 *
 * <p>An auto-configuration (listed in {@code META-INF/spring/...AutoConfiguration.imports}), so that
 * its conditions are evaluated after every application configuration has registered its beans,
 * whatever order the component scan finds them in.
 */
@AutoConfiguration
@EnableConfigurationProperties(ClusterProperties.class)
public class LocalClusterConfiguration {

    @Bean
    @ConditionalOnMissingBean(Bus.class)
    Bus localBus(NodeIdentity node, FrameCodec codec) {
        return new LocalBus(node, codec);
    }

    @Bean
    @ConditionalOnMissingBean(Presence.class)
    Presence localPresence() {
        return new LocalPresence();
    }

    @Bean
    @ConditionalOnMissingBean(Registry.class)
    Registry localRegistry(NodeIdentity node) {
        return new LocalRegistry(node);
    }
}
