package io.parley.server.auth;

import java.time.Duration;

import javax.sql.DataSource;

import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.session.config.annotation.web.http.EnableSpringHttpSession;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Standalone mode: HTTP sessions in the embedded H2 database (Spring Session JDBC), as JSON, so that
 * a restart of the node costs its users a reconnect, not a login; findable by user name for an
 * admin's revocation. See {@link JsonJdbcSessionRepository}.
 *
 * <p>Wired by hand, as Spring Session's {@code @EnableJdbcHttpSession} would (a template per
 * operation, in a transaction of its own), so that the only {@code SessionRepository} bean is the
 * one that treats an unreadable session as none.
 */
@Configuration(proxyBeanMethods = false)
@Profile("!cluster")
@EnableSpringHttpSession
class StandaloneSessionConfiguration implements BeanClassLoaderAware {

    private ClassLoader classLoader = StandaloneSessionConfiguration.class.getClassLoader();

    @Override
    public void setBeanClassLoader(ClassLoader classLoader) {
        this.classLoader = classLoader;
    }

    @Bean
    @DependsOnDatabaseInitialization
    JsonJdbcSessionRepository sessionRepository(DataSource dataSource, PlatformTransactionManager transactionManager,
            @Value("${spring.session.timeout:30m}") Duration timeout) {
        TransactionTemplate transactions = new TransactionTemplate(transactionManager);
        transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        JdbcIndexedSessionRepository repository = new JdbcIndexedSessionRepository(new JdbcTemplate(dataSource), transactions);
        repository.setDefaultMaxInactiveInterval(timeout);
        repository.setConversionService(SessionJson.conversionService(classLoader));
        return new JsonJdbcSessionRepository(repository);
    }
}
