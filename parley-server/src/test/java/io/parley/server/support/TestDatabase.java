package io.parley.server.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.parley.server.support.TestDatabases.Engine;

/**
 * One database created by {@link TestDatabases}, with its connection pools. {@link #close()} closes
 * the pools and drops the database. Thread-safe.
 *
 * <p>Pools are small (4 connections) and fail fast: a connection is awaited at most 2 s, so a test
 * that takes the database away sees failures in seconds, not the 30 s of Hikari's default.
 */
public final class TestDatabase implements AutoCloseable {

    private static final AtomicInteger pools = new AtomicInteger();

    private final Engine engine;
    private final String name;
    private final String jdbcUrl;
    private final String username;
    private final String password;
    private final List<HikariDataSource> dataSources = new ArrayList<>();
    private final HikariDataSource dataSource;

    TestDatabase(Engine engine, String name, String jdbcUrl, String username, String password) {
        this.engine = engine;
        this.name = name;
        this.jdbcUrl = jdbcUrl;
        this.username = username;
        this.password = password;
        this.dataSource = newDataSource();
    }

    public Engine engine() {
        return engine;
    }

    /** The database's name, {@code parley_it_<random>}. */
    public String name() {
        return name;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The database's main pool. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** Another pool on the same database, as a second node would have; closed with the database. */
    public synchronized HikariDataSource newDataSource() {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name + "-pool-" + pools.incrementAndGet());
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(username);
        config.setPassword(password);
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(0);
        // Opening a PostgreSQL connection forks a backend: on a machine loaded to 25, that took over 2 s.
        // A database that refuses connections still fails an append well within the tests' waits.
        config.setConnectionTimeout(10_000);
        config.setValidationTimeout(1000);
        config.setInitializationFailTimeout(-1);
        HikariDataSource pool = new HikariDataSource(config);
        dataSources.add(pool);
        return pool;
    }

    /** A connection outside the pools (for a test that holds locks or inspects); the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, username, password);
    }

    /**
     * Takes the database away, as a crash or a network cut would: refuses new connections and ends
     * the open ones. PostgreSQL only.
     */
    public void refuseConnections() {
        requirePostgres();
        TestDatabases.executeOnPostgres("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
        TestDatabases.executeOnPostgres("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                + name + "' AND pid <> pg_backend_pid()");
    }

    /** Brings the database back after {@link #refuseConnections()}. PostgreSQL only. */
    public void allowConnections() {
        requirePostgres();
        TestDatabases.executeOnPostgres("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
    }

    /** Closes the pools and drops the database. */
    @Override
    public synchronized void close() {
        dataSources.forEach(HikariDataSource::close);
        dataSources.clear();
        switch (engine) {
            case H2 -> {
                try (Connection connection = connect(); Statement statement = connection.createStatement()) {
                    statement.execute("SHUTDOWN");
                }
                catch (SQLException ex) {
                    throw new IllegalStateException("could not drop H2 database " + name, ex);
                }
            }
            case POSTGRESQL -> TestDatabases.executeOnPostgres("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }

    private void requirePostgres() {
        if (engine != Engine.POSTGRESQL) {
            throw new IllegalStateException("only a PostgreSQL database can refuse connections");
        }
    }

    @Override
    public String toString() {
        return engine + " " + name;
    }
}
