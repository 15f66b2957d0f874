package io.parley.server.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import org.flywaydb.core.Flyway;

/**
 * Fresh databases for integration tests, one per call, on either engine Parley runs on: embedded H2
 * (in memory, in the PostgreSQL mode the application uses) or the PostgreSQL server of the build
 * machine. Each database has a unique name ({@code parley_it_<random>}), is migrated with the
 * application's Flyway migrations ({@code classpath:db/migration}), and is dropped by
 * {@link TestDatabase#close()}.
 *
 * <p>PostgreSQL is reached at {@code jdbc:postgresql://127.0.0.1:5432/} as {@code postgres} with no
 * password, unless the system properties (or environment variables) {@code parley.it.postgres.url}
 * ({@code PARLEY_IT_POSTGRES_URL}), {@code parley.it.postgres.user} and
 * {@code parley.it.postgres.password} say otherwise; the URL ends with {@code /} and the database
 * name is appended to it. A test fails, rather than skips, when PostgreSQL is unreachable.
 *
 * <p>Typical use, parameterized over both engines:
 * <pre>
 * &#64;ParameterizedTest
 * &#64;EnumSource(TestDatabases.Engine.class)
 * void something(TestDatabases.Engine engine) {
 *     try (TestDatabase db = TestDatabases.create(engine)) {
 *         DataSource dataSource = db.dataSource();
 *         ...
 *     }
 * }
 * </pre>
 * Thread-safe.
 */
public final class TestDatabases {

    /** The database engines Parley supports. */
    public enum Engine {
        /** Embedded H2, in memory, {@code MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE} as in application.yml. */
        H2,
        /** The PostgreSQL server of the build machine. */
        POSTGRESQL
    }

    private static final String H2_OPTIONS = ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE";

    private TestDatabases() {
    }

    /** A new database of {@code engine} with every migration applied. Close it to drop it. */
    public static TestDatabase create(Engine engine) {
        return create(engine, true);
    }

    /** A new database of {@code engine}, migrated only when {@code migrate} is true. Close it to drop it. */
    public static TestDatabase create(Engine engine, boolean migrate) {
        String name = "parley_it_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        TestDatabase database = switch (engine) {
            case H2 -> new TestDatabase(engine, name, "jdbc:h2:mem:" + name + H2_OPTIONS, "sa", "");
            case POSTGRESQL -> createPostgres(name);
        };
        if (migrate) {
            try {
                Flyway.configure().dataSource(database.dataSource()).locations("classpath:db/migration")
                        .load().migrate();
            }
            catch (RuntimeException ex) {
                database.close();
                throw ex;
            }
        }
        return database;
    }

    private static TestDatabase createPostgres(String name) {
        executeOnPostgres("CREATE DATABASE " + name);
        return new TestDatabase(Engine.POSTGRESQL, name, postgresUrl() + name, postgresUser(), postgresPassword());
    }

    /** Runs {@code sql} on the server's {@code postgres} database, outside any transaction. */
    static void executeOnPostgres(String sql) {
        try (Connection connection = DriverManager.getConnection(postgresUrl() + "postgres", postgresUser(),
                postgresPassword()); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("PostgreSQL at " + postgresUrl() + " failed '" + sql + "' (is it running? "
                    + "scripts start it; parley.it.postgres.url points elsewhere): " + ex.getMessage(), ex);
        }
    }

    private static String postgresUrl() {
        return setting("parley.it.postgres.url", "PARLEY_IT_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/");
    }

    private static String postgresUser() {
        return setting("parley.it.postgres.user", "PARLEY_IT_POSTGRES_USER", "postgres");
    }

    private static String postgresPassword() {
        return setting("parley.it.postgres.password", "PARLEY_IT_POSTGRES_PASSWORD", "");
    }

    private static String setting(String property, String variable, String fallback) {
        String value = System.getProperty(property);
        if (value == null) {
            value = System.getenv(variable);
        }
        return (value != null) ? value : fallback;
    }
}
