package io.parley.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.server.history.Appended;
import io.parley.server.history.HistoryProperties;
import io.parley.server.history.JdbcMessageLog;
import org.flywaydb.core.Flyway;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The message log's write path on a real database: {@link JdbcMessageLog#append} until the commit
 * completes the future, with group commit. {@code burst}: 512 appends to 100 rooms at once, then
 * waits for all (large batches, about 256 appends per transaction; time per append is the log's
 * throughput limit); {@code single}: one append, waited for, then the next (one append per
 * transaction: the fixed cost of a batch). No batch delay ({@code max-batch-delay=0}), so nothing
 * waits for company.
 *
 * <p>{@code store}: {@code h2} (in memory, in this JVM, the standalone mode's engine) or
 * {@code postgres} (a {@code parley_jmh} database on 127.0.0.1:5432, user postgres, created if
 * missing; its tables are emptied at each trial). Run with
 * {@code scripts/bench MessageLogBenchmark -prof gc}. Results: docs/benchmarks.md.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MessageLogBenchmark {

    private static final int ROOMS = 100;

    @Param({ "h2", "postgres" })
    public String store;

    private HikariDataSource dataSource;
    private JdbcMessageLog log;
    private long count;

    @Setup(Level.Trial)
    public void start() throws Exception {
        HikariConfig config = new HikariConfig();
        if (store.equals("postgres")) {
            try (Connection admin = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "");
                    Statement statement = admin.createStatement();
                    ResultSet exists = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = 'parley_jmh'")) {
                if (!exists.next()) {
                    statement.execute("CREATE DATABASE parley_jmh");
                }
            }
            config.setJdbcUrl("jdbc:postgresql://127.0.0.1:5432/parley_jmh");
            config.setUsername("postgres");
            config.addDataSourceProperty("reWriteBatchedInserts", "true"); // as application-cluster.yml
        } else {
            config.setJdbcUrl("jdbc:h2:mem:parley-jmh;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;QUERY_CACHE_SIZE=64");
            config.setUsername("sa");
        }
        config.setMaximumPoolSize(4);
        dataSource = new HikariDataSource(config);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").cleanDisabled(false).load().clean();
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        log = new JdbcMessageLog(dataSource, HistoryProperties.defaults().withBatching(256, Duration.ZERO),
                new SimpleMeterRegistry());
        log.start();
    }

    @TearDown(Level.Trial)
    public void stop() {
        log.stop();
        dataSource.close();
    }

    @Benchmark
    @OperationsPerInvocation(512)
    public Object burst() {
        CompletableFuture<?>[] futures = new CompletableFuture<?>[512];
        for (int i = 0; i < futures.length; i++) {
            futures[i] = append();
        }
        return CompletableFuture.allOf(futures).join();
    }

    @Benchmark
    public Appended single() {
        return append().join();
    }

    private CompletableFuture<Appended> append() {
        long n = count++;
        return log.append("room-" + (n % ROOMS), "user" + (n % 1000), UUID.randomUUID(), "message " + n);
    }
}
