package io.parley.server.connection;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.server.support.ParleyNode;

/**
 * Reads a running node's outbound meters as an operator would ({@code parley.outbound.*} in its
 * {@link MeterRegistry}), every 10 ms on its own thread, and keeps what the slow-client tests
 * measure:
 * <ul>
 * <li>when a socket's write became stuck: the first sample whose oldest pending write
 * ({@code parley.outbound.write.oldest}) is at least {@code stuckAfter} old, back-dated by that age.
 * The gauge is refreshed on each watchdog check and read within 10 ms of it, so the estimate is late
 * by about one sample (10 ms, plus scheduling delays), never early;
 * <li>when a termination for the send-time limit was first counted
 * ({@code parley.outbound.terminated{reason=send_time_limit}});
 * <li>the largest {@code parley.outbound.buffered.bytes} seen, and how many samples it was taken from.
 * </ul>
 * Thread-safe.
 */
final class OutboundProbe implements AutoCloseable {

    private final MeterRegistry meters;
    private final long stuckAfterMillis;
    private final double terminatedBefore;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "outbound-probe");
        thread.setDaemon(true);
        return thread;
    });
    private volatile long stuckSince = Long.MAX_VALUE;
    private volatile long terminatedAt;
    private volatile double maxBufferedBytes;
    private volatile long samples;

    private OutboundProbe(ParleyNode node, long stuckAfterMillis, long periodMillis) {
        this.meters = node.bean(MeterRegistry.class);
        this.stuckAfterMillis = stuckAfterMillis;
        this.terminatedBefore = terminatedBySendTimeLimit();
        sampler.scheduleAtFixedRate(this::sample, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Starts sampling every 10 ms; a write pending for {@code stuckAfterMillis} counts as stuck. */
    static OutboundProbe start(ParleyNode node, long stuckAfterMillis) {
        return new OutboundProbe(node, stuckAfterMillis, 10);
    }

    /** Starts sampling every millisecond, for the buffered bytes' peaks. */
    static OutboundProbe everyMillisecond(ParleyNode node, long stuckAfterMillis) {
        return new OutboundProbe(node, stuckAfterMillis, 1);
    }

    private void sample() {
        long now = System.nanoTime();
        double oldest = meters.get("parley.outbound.write.oldest").timeGauge().value(TimeUnit.MILLISECONDS);
        if (oldest >= stuckAfterMillis && stuckSince == Long.MAX_VALUE) {
            stuckSince = now - (long) (oldest * 1e6);
        }
        if (terminatedAt == 0 && terminatedBySendTimeLimit() > terminatedBefore) {
            terminatedAt = now;
        }
        maxBufferedBytes = Math.max(maxBufferedBytes, bufferedBytes());
        samples++;
    }

    double terminatedBySendTimeLimit() {
        return terminated("send_time_limit");
    }

    double terminated(String reason) {
        return meters.get("parley.outbound.terminated").tag("reason", reason).functionCounter().count();
    }

    double bufferedBytes() {
        return meters.get("parley.outbound.buffered.bytes").gauge().value();
    }

    double queues() {
        return meters.get("parley.outbound.queues").gauge().value();
    }

    boolean stuck() {
        return stuckSince != Long.MAX_VALUE;
    }

    /** {@link System#nanoTime()} when the first stuck write started, as the gauge tells it. */
    long stuckSince() {
        return stuckSince;
    }

    boolean terminated() {
        return terminatedAt != 0;
    }

    /** {@link System#nanoTime()} of the first sample that counted a send-time-limit termination. */
    long terminatedAt() {
        return terminatedAt;
    }

    double maxBufferedBytes() {
        return maxBufferedBytes;
    }

    long samples() {
        return samples;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
