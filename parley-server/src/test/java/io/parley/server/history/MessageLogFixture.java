package io.parley.server.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import javax.sql.DataSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.server.history.AppendFailedException.Reason;
import io.parley.server.support.TestDatabase;
import io.parley.server.support.TestDatabases;
import io.parley.server.support.TestDatabases.Engine;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the message log's integration tests share: fresh databases, started logs and sender threads,
 * all released by {@link #close()}, and helpers to wait for and inspect appends. One per test.
 */
final class MessageLogFixture implements AutoCloseable {

    /** Bound on every wait for an append or a read. */
    static final Duration WAIT = Duration.ofSeconds(60);

    private final List<JdbcMessageLog> logs = new ArrayList<>();
    private final List<TestDatabase> databases = new ArrayList<>();
    private final ExecutorService senders = Executors.newFixedThreadPool(8);

    /** A fresh, migrated database, dropped at {@link #close()}. */
    TestDatabase database(Engine engine) {
        TestDatabase database = TestDatabases.create(engine);
        databases.add(database);
        return database;
    }

    /** A started log, stopped at {@link #close()}. */
    JdbcMessageLog start(DataSource dataSource, HistoryProperties properties, MeterRegistry registry) {
        JdbcMessageLog log = new JdbcMessageLog(dataSource, properties, registry);
        log.start();
        logs.add(log);
        return log;
    }

    JdbcMessageLog start(DataSource dataSource) {
        return start(dataSource, HistoryProperties.defaults(), new SimpleMeterRegistry());
    }

    /** Eight threads for tests that append from several senders at once. */
    ExecutorService senders() {
        return senders;
    }

    @Override
    public void close() {
        senders.shutdownNow();
        logs.forEach(JdbcMessageLog::stop);
        databases.forEach(TestDatabase::close);
    }

    static List<StoredMessage> readAll(MessageLog log, String room) {
        List<StoredMessage> all = new ArrayList<>();
        List<StoredMessage> page;
        do {
            page = log.after(room, all.isEmpty() ? 0 : all.get(all.size() - 1).seq(), 1000);
            all.addAll(page);
        }
        while (!page.isEmpty());
        return all;
    }

    static CompletableFuture<Void> allOf(List<CompletableFuture<Appended>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
    }

    static List<Appended> joinAll(List<CompletableFuture<Appended>> futures) throws Exception {
        allOf(futures).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return futures.stream().map(CompletableFuture::join).toList();
    }

    static long count(TestDatabase db, String sql) {
        Long count = new JdbcTemplate(db.dataSource()).queryForObject(sql, Long.class);
        return (count != null) ? count : -1;
    }

    static List<Long> seqs(int last) {
        return range(1, last);
    }

    static List<Long> range(long first, long last) {
        return LongStream.rangeClosed(first, last).boxed().toList();
    }

    static List<Long> seqsOf(List<StoredMessage> messages) {
        return messages.stream().map(StoredMessage::seq).toList();
    }

    static Reason reasonOf(CompletableFuture<Appended> future) {
        assertThat(future).isCompletedExceptionally();
        Throwable cause = future.handle((appended, ex) -> ex).join();
        if (cause instanceof CompletionException) {
            cause = cause.getCause();
        }
        assertThat(cause).isInstanceOf(AppendFailedException.class);
        return ((AppendFailedException) cause).reason();
    }

}
