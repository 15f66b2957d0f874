package io.parley.server.history;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Limits of the message log ({@code parley.history.*}). Immutable; validated when bound, so a bad
 * value stops the application at startup instead of surfacing under load.
 *
 * @param committers number of committer threads (default 2). Rooms are spread over them by the hash
 *     of their name, so one room's appends always go through the same committer, in order. Each
 *     committer holds at most one database connection, and only while it commits.
 * @param queueCapacity appends that may wait for each committer (default 10000). When a room's
 *     committer queue is full, {@code append} fails at once with
 *     {@link AppendFailedException.Reason#QUEUE_FULL}: callers are never blocked.
 * @param maxBatchSize most appends committed in one transaction (default 256, at most 1000).
 * @param maxBatchDelay longest time an append waits in the queue for others to join its batch
 *     (default 1 ms; 0 commits whatever is queued at once). Under load the batch fills while the
 *     previous one commits, so this delay only adds latency to a quiet log, and at most this much.
 * @param transactionTimeout bound on each statement of the log on PostgreSQL, including waits for
 *     another node's lock on the same room (default 10 s). Enforced by the server, as its
 *     {@code statement_timeout} on every pooled connection ({@code application-cluster.yml}), not by
 *     a JDBC query timeout, for which the driver arms a timer per statement; so write it in a unit
 *     PostgreSQL reads too (ms, s, h, d). It does not bound waiting for a connection (the pool's
 *     connection timeout does) nor a dead TCP peer (the JDBC driver's socket timeout does).
 * @param maxPageSize largest page {@code after} and {@code before} return (default 1000); a larger
 *     {@code limit} is reduced to it, so callers page until they reach {@code lastSeq}.
 */
@ConfigurationProperties("parley.history")
public record HistoryProperties(
        @DefaultValue("2") int committers,
        @DefaultValue("10000") int queueCapacity,
        @DefaultValue("256") int maxBatchSize,
        @DefaultValue("1ms") Duration maxBatchDelay,
        @DefaultValue("10s") Duration transactionTimeout,
        @DefaultValue("1000") int maxPageSize) {

    /** Above this, a batch's duplicate check (3 parameters per append) gets too large a statement. */
    static final int MAX_BATCH_SIZE_LIMIT = 1000;

    public HistoryProperties {
        require(committers >= 1 && committers <= 64, "committers must be 1..64, was " + committers);
        require(queueCapacity >= 1, "queue-capacity must be at least 1, was " + queueCapacity);
        require(maxBatchSize >= 1 && maxBatchSize <= MAX_BATCH_SIZE_LIMIT,
                "max-batch-size must be 1.." + MAX_BATCH_SIZE_LIMIT + ", was " + maxBatchSize);
        require(maxBatchDelay != null && !maxBatchDelay.isNegative() && maxBatchDelay.compareTo(Duration.ofSeconds(1)) <= 0,
                "max-batch-delay must be 0..1s, was " + maxBatchDelay);
        require(transactionTimeout != null && transactionTimeout.compareTo(Duration.ofSeconds(1)) >= 0,
                "transaction-timeout must be at least 1s, was " + transactionTimeout);
        require(maxPageSize >= 1, "max-page-size must be at least 1, was " + maxPageSize);
    }

    /** The defaults, as bound from an empty environment. */
    public static HistoryProperties defaults() {
        return new HistoryProperties(2, 10_000, 256, Duration.ofMillis(1), Duration.ofSeconds(10), 1000);
    }

    /** A copy with other batching limits; for tests and tools. */
    public HistoryProperties withBatching(int maxBatchSize, Duration maxBatchDelay) {
        return new HistoryProperties(committers, queueCapacity, maxBatchSize, maxBatchDelay, transactionTimeout, maxPageSize);
    }

    /** A copy with another queue layout; for tests and tools. */
    public HistoryProperties withQueues(int committers, int queueCapacity) {
        return new HistoryProperties(committers, queueCapacity, maxBatchSize, maxBatchDelay, transactionTimeout, maxPageSize);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
