package io.parley.server.auth;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.session.config.annotation.web.http.EnableSpringHttpSession;

/**
 * Standalone mode: HTTP sessions in this process's memory, findable by user name (for an admin's
 * revocation). They do not survive a restart.
 */
@Configuration(proxyBeanMethods = false)
@Profile("!cluster")
@EnableSpringHttpSession
class StandaloneSessionConfiguration {

    @Bean
    IndexedMapSessionRepository sessionRepository(@Value("${spring.session.timeout:30m}") Duration timeout) {
        IndexedMapSessionRepository repository = new IndexedMapSessionRepository(new ConcurrentHashMap<>());
        repository.delegate().setDefaultMaxInactiveInterval(timeout);
        return repository;
    }
}
