package io.parley.server.history;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the {@link MessageLog}: one {@link JdbcMessageLog} named {@code messageLog} on the
 * application's {@link DataSource} (embedded H2 standalone, PostgreSQL in cluster mode), limited by
 * {@link HistoryProperties} ({@code parley.history.*}). It is created after Flyway has migrated the
 * schema; its committer threads start before the web server and stop after it
 * ({@link JdbcMessageLog#PHASE}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(HistoryProperties.class)
public class HistoryConfiguration {

    @Bean
    @DependsOnDatabaseInitialization
    public JdbcMessageLog messageLog(DataSource dataSource, HistoryProperties historyProperties,
            MeterRegistry meterRegistry) {
        return new JdbcMessageLog(dataSource, historyProperties, meterRegistry);
    }
}
