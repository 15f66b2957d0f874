package io.parley.server.history;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.server.support.TestDatabase;
import io.parley.server.support.TestDatabases.Engine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The message log's bound on PostgreSQL is the server's {@code statement_timeout}, set by the
 * cluster profile's pool options, not a JDBC query timeout (for which the driver arms a
 * {@code java.util.Timer} task per statement).
 */
class StatementTimeoutIT {

    private final MessageLogFixture fixture = new MessageLogFixture();
    private HikariDataSource pool;

    @AfterEach
    void cleanUp() {
        if (pool != null) {
            pool.close();
        }
        fixture.close();
    }

    /** A pool configured as application-cluster.yml configures the node's, with the timeout given. */
    private HikariDataSource clusterPool(TestDatabase db, String transactionTimeout) {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new ClassPathResource("application-cluster.yml"));
        Properties cluster = yaml.getObject();
        String prefix = "spring.datasource.hikari.data-source-properties.";
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername("postgres");
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(2000);
        for (String name : cluster.stringPropertyNames()) {
            if (name.startsWith(prefix)) {
                config.addDataSourceProperty(name.substring(prefix.length()), cluster.getProperty(name)
                        .replace("${parley.history.transaction-timeout:10s}", transactionTimeout));
            }
        }
        pool = new HikariDataSource(config);
        return pool;
    }

    @Test
    void appendsSetNoQueryTimeoutAndALockWaitIsStillBoundedByTheServer() throws Exception {
        TestDatabase db = fixture.database(Engine.POSTGRESQL);
        AtomicInteger queryTimeouts = new AtomicInteger();
        AtomicInteger statements = new AtomicInteger();
        DataSource counting = counting(clusterPool(db, "2s"), statements, queryTimeouts);
        JdbcMessageLog log = fixture.start(counting, HistoryProperties.defaults(), new SimpleMeterRegistry());

        for (int i = 0; i < 50; i++) {
            log.append("lobby", "alice", UUID.randomUUID(), "m" + i).get(MessageLogFixture.WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(statements.get()).as("statements prepared").isPositive();
        assertThat(queryTimeouts.get()).as("statements given a JDBC query timeout").isZero();

        // Another node holds the room's head row: the append waits for the lock, and the server ends the wait.
        try (Connection holder = db.connect()) {
            holder.setAutoCommit(false);
            try (Statement lock = holder.createStatement()) {
                lock.execute("SELECT last_seq FROM rooms WHERE name = 'lobby' FOR UPDATE");
            }
            long started = System.nanoTime();
            CompletableFuture<Appended> blocked = log.append("lobby", "bob", UUID.randomUUID(), "waits for the lock");
            assertThatThrownBy(() -> blocked.get(MessageLogFixture.WAIT.toSeconds(), TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class);
            Duration waited = Duration.ofNanos(System.nanoTime() - started);
            assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(1900)).isLessThan(Duration.ofSeconds(20));
            holder.rollback();
        }
        assertThat(queryTimeouts.get()).isZero();
    }

    /** Counts the statements the log prepares and the query timeouts set on them. */
    private static DataSource counting(DataSource target, AtomicInteger statements, AtomicInteger queryTimeouts) {
        return new DelegatingDataSource(target) {
            @Override
            public Connection getConnection() throws java.sql.SQLException {
                Connection connection = super.getConnection();
                return proxy(Connection.class, connection, (method, result) -> {
                    if (result instanceof Statement statement) {
                        statements.incrementAndGet();
                        Class<? extends Statement> type = method.getReturnType().asSubclass(Statement.class);
                        return proxy(type, statement, (inner, value) -> value, queryTimeouts);
                    }
                    return result;
                }, queryTimeouts);
            }
        };
    }

    private interface Wrap {
        Object apply(java.lang.reflect.Method method, Object result);
    }

    private static <T> T proxy(Class<T> type, Object target, Wrap wrap, AtomicInteger queryTimeouts) {
        InvocationHandler handler = (self, method, args) -> {
            if (method.getName().equals("setQueryTimeout") && args != null && ((Integer) args[0]) > 0) {
                queryTimeouts.incrementAndGet();
            }
            try {
                return wrap.apply(method, method.invoke(target, args));
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(StatementTimeoutIT.class.getClassLoader(), new Class<?>[] {type}, handler));
    }
}
