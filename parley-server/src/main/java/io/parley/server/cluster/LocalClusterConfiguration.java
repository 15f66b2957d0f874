package io.parley.server.cluster;

import io.parley.server.cluster.local.LocalBus;
import io.parley.server.cluster.local.LocalPresence;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The in-process bus and presence of a standalone node. They are the defaults: a cluster
 * configuration that defines its own {@link Bus} or {@link Presence} replaces them.
 */
@Configuration(proxyBeanMethods = false)
class LocalClusterConfiguration {

    @Bean
    @ConditionalOnMissingBean(Bus.class)
    Bus localBus() {
        return new LocalBus();
    }

    @Bean
    @ConditionalOnMissingBean(Presence.class)
    Presence localPresence() {
        return new LocalPresence();
    }
}
