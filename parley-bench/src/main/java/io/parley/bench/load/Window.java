package io.parley.bench.load;

import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The measurement of one ladder step: the messages whose intended send time falls in
 * {@code [from, to)} (System.nanoTime). A delivery's latency runs from the intended send time, not
 * from when the publisher got round to it, so a late publisher or a stalled server shows in the
 * figures instead of being hidden (coordinated omission). Recorded on event loops; thread-safe.
 */
final class Window implements Generator.Sink {

    private final long from;
    private final long to;
    private final Recorder latency = new Recorder(3);
    private final Recorder ackLatency = new Recorder(3);
    private final Recorder all;
    private final LongAdder delivered = new LongAdder();
    private final LongAdder acked = new LongAdder();

    /** @param all also receives every delivery, inside the window or not (the per-second timeline) */
    Window(long from, long to, Recorder all) {
        this.from = from;
        this.to = to;
        this.all = all;
    }

    boolean contains(long intendedNanos) {
        return intendedNanos >= from && intendedNanos < to;
    }

    @Override
    public void delivered(long stampedNanos, long nowNanos) {
        long micros = Math.max(0, (nowNanos - stampedNanos) / 1000);
        all.recordValue(micros);
        if (contains(stampedNanos)) {
            latency.recordValue(micros);
            delivered.increment();
        }
    }

    @Override
    public void acked(long stampedNanos, long nowNanos) {
        if (contains(stampedNanos)) {
            ackLatency.recordValue(Math.max(0, (nowNanos - stampedNanos) / 1000));
            acked.increment();
        }
    }

    long delivered() {
        return delivered.sum();
    }

    long acked() {
        return acked.sum();
    }

    /** Latencies (µs) of the window's deliveries; call once, when the window is over. */
    Histogram latency() {
        return latency.getIntervalHistogram();
    }

    Histogram ackLatency() {
        return ackLatency.getIntervalHistogram();
    }
}
