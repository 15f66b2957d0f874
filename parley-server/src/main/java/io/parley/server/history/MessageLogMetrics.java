package io.parley.server.history;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The message log's meters, all named {@code parley.history.*}. Holds no state of its own beyond
 * the meters; thread-safe.
 *
 * <ul>
 * <li>{@code parley.history.batch.size}: appends per committed batch (distribution);</li>
 * <li>{@code parley.history.commit}: duration of a batch's transaction, tagged
 *     {@code outcome=success|failure};</li>
 * <li>{@code parley.history.append.latency}: from {@code append} to its committed result;</li>
 * <li>{@code parley.history.appends}: new messages committed;</li>
 * <li>{@code parley.history.duplicates}: retries answered with their original;</li>
 * <li>{@code parley.history.failures}: appends failed, tagged with the lower-case
 *     {@link AppendFailedException.Reason};</li>
 * <li>{@code parley.history.queue.size}: appends waiting for a committer;</li>
 * <li>{@code parley.history.lookups}: batches written again by the look-up path, because the first
 *     attempt met a message already stored with the same client id (a retry from an earlier batch or
 *     another node; see {@link JdbcMessageLog}).</li>
 * </ul>
 */
final class MessageLogMetrics {

    private final MeterRegistry registry;
    private final DistributionSummary batchSize;
    private final Timer commitSuccess;
    private final Timer commitFailure;
    private final Timer appendLatency;
    private final Counter appends;
    private final Counter duplicates;
    private final Counter lookUps;
    private final Map<AppendFailedException.Reason, Counter> failures = new EnumMap<>(AppendFailedException.Reason.class);

    MessageLogMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.batchSize = DistributionSummary.builder("parley.history.batch.size")
                .description("Appends committed per transaction").baseUnit("appends")
                .publishPercentileHistogram().maximumExpectedValue((double) HistoryProperties.MAX_BATCH_SIZE_LIMIT)
                .register(registry);
        this.commitSuccess = commitTimer("success");
        this.commitFailure = commitTimer("failure");
        this.appendLatency = Timer.builder("parley.history.append.latency")
                .description("Time from append to its committed result").publishPercentileHistogram()
                .register(registry);
        this.appends = Counter.builder("parley.history.appends").description("New messages committed")
                .register(registry);
        this.duplicates = Counter.builder("parley.history.duplicates")
                .description("Retried appends answered with their original message").register(registry);
        this.lookUps = Counter.builder("parley.history.lookups")
                .description("Batches written again by the look-up path after meeting a stored retry").register(registry);
        for (AppendFailedException.Reason reason : AppendFailedException.Reason.values()) {
            failures.put(reason, Counter.builder("parley.history.failures").description("Appends that failed")
                    .tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
        }
    }

    private Timer commitTimer(String outcome) {
        return Timer.builder("parley.history.commit").description("Duration of one batch's transaction")
                .tag("outcome", outcome).publishPercentileHistogram().register(registry);
    }

    private Counter failures(AppendFailedException.Reason reason) {
        return failures.get(reason);
    }

    void queueSize(Supplier<Number> size) {
        Gauge.builder("parley.history.queue.size", size).description("Appends waiting for a committer")
                .register(registry);
    }

    void committed(int size, long newMessages, long duplicateCount, long nanos) {
        batchSize.record(size);
        commitSuccess.record(nanos, TimeUnit.NANOSECONDS);
        appends.increment(newMessages);
        duplicates.increment(duplicateCount);
    }

    void commitFailed(int size, long nanos) {
        commitFailure.record(nanos, TimeUnit.NANOSECONDS);
        failures(AppendFailedException.Reason.STORE_FAILED).increment(size);
    }

    void failed(AppendFailedException.Reason reason, int count) {
        failures(reason).increment(count);
    }

    void lookedUp() {
        lookUps.increment();
    }

    void appendCompleted(long latencyNanos) {
        appendLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public String toString() {
        return "MessageLogMetrics[batches=" + batchSize.count() + ", appends=" + (long) appends.count()
                + ", duplicates=" + (long) duplicates.count() + ", failedBatches=" + commitFailure.count()
                + ", meanBatch=" + String.format(java.util.Locale.ROOT, "%.1f", batchSize.mean()) + "]";
    }
}
