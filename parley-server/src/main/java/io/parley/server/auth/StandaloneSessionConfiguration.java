package io.parley.server.auth;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.session.MapSessionRepository;
import org.springframework.session.config.annotation.web.http.EnableSpringHttpSession;

/** Standalone mode: HTTP sessions in this process's memory. They do not survive a restart. */
@Configuration(proxyBeanMethods = false)
@Profile("!cluster")
@EnableSpringHttpSession
class StandaloneSessionConfiguration {

    @Bean
    MapSessionRepository sessionRepository(@Value("${spring.session.timeout:30m}") Duration timeout) {
        MapSessionRepository repository = new MapSessionRepository(new ConcurrentHashMap<>());
        repository.setDefaultMaxInactiveInterval(timeout);
        return repository;
    }
}
