package io.parley.server.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.server.support.TestDatabase;
import io.parley.server.support.TestDatabases;
import io.parley.server.support.TestDatabases.Engine;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What group commit buys: closed-loop senders (each waits for its acknowledgement before sending
 * again, as a chat client does) append for a few seconds with the default batching, then with one
 * transaction per append. Prints appends/s and latency percentiles. Opt-in, as it loads the machine:
 * {@code -Dparley.it.throughput=true}.
 */
@EnabledIfSystemProperty(named = "parley.it.throughput", matches = "true")
class JdbcMessageLogThroughputIT {

    private static final int SENDERS = 64;
    private static final int ROOMS = 16;
    private static final Duration RUN = Duration.ofSeconds(5);

    @ParameterizedTest
    @EnumSource(Engine.class)
    void groupCommitAgainstOneTransactionPerAppend(Engine engine) throws Exception {
        String grouped = run(engine, HistoryProperties.defaults());
        String single = run(engine, HistoryProperties.defaults().withBatching(1, Duration.ZERO));
        System.out.println(engine + " group commit:         " + grouped);
        System.out.println(engine + " transaction / append: " + single);
    }

    private static String run(Engine engine, HistoryProperties properties) throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        try (TestDatabase db = TestDatabases.create(engine)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            JdbcMessageLog log = new JdbcMessageLog(db.newDataSource(), properties, registry);
            log.start();
            try {
                run(log, senders, Duration.ofSeconds(1)); // warm-up
                long before = (long) registry.get("parley.history.appends").counter().count();
                double batchesBefore = registry.get("parley.history.batch.size").summary().count();
                Histogram latency = run(log, senders, RUN);
                long appends = (long) registry.get("parley.history.appends").counter().count() - before;
                double batches = registry.get("parley.history.batch.size").summary().count() - batchesBefore;
                assertThat(appends).isEqualTo(latency.getTotalCount());
                return String.format("%6.0f appends/s, %5.1f appends/transaction, latency p50 %5.2f ms, p99 %6.2f ms, max %6.2f ms",
                        appends / (double) RUN.toSeconds(), appends / batches, latency.getValueAtPercentile(50) / 1e3,
                        latency.getValueAtPercentile(99) / 1e3, latency.getMaxValue() / 1e3);
            }
            finally {
                log.stop();
            }
        }
        finally {
            senders.shutdownNow();
        }
    }

    /** Each sender appends, waits for the result, and appends again until {@code duration} is over. */
    private static Histogram run(MessageLog log, ExecutorService senders, Duration duration) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        List<Future<Histogram>> results = new ArrayList<>();
        for (int sender = 0; sender < SENDERS; sender++) {
            String room = "room-" + (sender % ROOMS);
            String name = "user" + sender;
            results.add(senders.submit(() -> {
                Histogram micros = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
                while (System.nanoTime() < end) {
                    long start = System.nanoTime();
                    log.append(room, name, UUID.randomUUID(), "hello from " + name).get(30, TimeUnit.SECONDS);
                    micros.recordValue((System.nanoTime() - start) / 1000);
                }
                return micros;
            }));
        }
        Histogram total = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        for (Future<Histogram> result : results) {
            total.add(result.get());
        }
        return total;
    }
}
