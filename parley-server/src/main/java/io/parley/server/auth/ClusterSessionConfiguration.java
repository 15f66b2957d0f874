package io.parley.server.auth;

import java.time.Duration;

import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.session.config.SessionRepositoryCustomizer;
import org.springframework.session.data.redis.RedisIndexedSessionRepository;
import org.springframework.session.data.redis.config.annotation.web.http.EnableRedisIndexedHttpSession;

/**
 * Cluster mode: HTTP sessions in Redis, so a login made on one node is valid on all.
 *
 * <p>Spring Session's {@link RedisIndexedSessionRepository} stores each session as a hash under
 * {@code <prefix>:session:sessions:<id>}, with an index by principal name and expiry keys (see its
 * Javadoc). Every attribute value is JSON ({@link SessionJson}), never Java serialization; a session
 * holding anything else reads as no session. The key
 * prefix is {@code parley.redis.key-prefix} (default {@code parley}).
 *
 * <p>Wired by hand: Spring Boot's {@code spring-boot-session-data-redis} 4.1.0 is not available on
 * the registry this project builds from.
 */
@Configuration(proxyBeanMethods = false)
@Profile("cluster")
@EnableRedisIndexedHttpSession
class ClusterSessionConfiguration implements BeanClassLoaderAware {

    private ClassLoader classLoader = ClusterSessionConfiguration.class.getClassLoader();

    @Override
    public void setBeanClassLoader(ClassLoader classLoader) {
        this.classLoader = classLoader;
    }

    /** Picked up by name by Spring Session's Redis configuration. */
    @Bean
    RedisSerializer<Object> springSessionDefaultRedisSerializer() {
        return SessionJson.serializer(classLoader);
    }

    @Bean
    SessionRepositoryCustomizer<RedisIndexedSessionRepository> parleySessionRepositoryCustomizer(
            @Value("${spring.session.timeout:30m}") Duration timeout,
            @Value("${parley.redis.key-prefix:parley}") String prefix) {
        return repository -> {
            repository.setDefaultMaxInactiveInterval(timeout);
            repository.setRedisKeyNamespace(prefix + ":session");
            // A session holding a value SessionJson refuses is no session (401), not an error (500).
            repository.setRedisSessionMapper(SessionJson.sessionMapper());
        };
    }
}
