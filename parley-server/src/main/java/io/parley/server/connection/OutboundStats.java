package io.parley.server.connection;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * The counters of this node's outbound queues, in one place. The queues update it; Micrometer (see
 * {@link OutboundQueues} and {@code ops}) and the admin page only read it. Thread-safe; updates are
 * lock-free.
 *
 * <p>The one thing it does not count itself is the delivery latency of timed room messages
 * ({@link Outgoing#committedAt()}): a histogram is the meter's business, so each latency goes to the
 * {@linkplain #recordDeliveriesWith recorder} that the metrics binding installs (none by default).
 */
public final class OutboundStats {

    private final AtomicInteger queues = new AtomicInteger();
    private final AtomicLong bufferedBytes = new AtomicLong();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder gaps = new LongAdder();
    private final LongAdder statesReplaced = new LongAdder();
    private final LongAdder snapshots = new LongAdder();
    private final Map<TerminationReason, LongAdder> terminated = new EnumMap<>(TerminationReason.class);
    private final LongAdder writes = new LongAdder();
    private final LongAdder writeNanos = new LongAdder();
    private volatile long oldestPendingWriteNanos;
    private volatile LongConsumer deliveries = nanos -> { };

    OutboundStats() {
        for (TerminationReason reason : TerminationReason.values()) {
            terminated.put(reason, new LongAdder());
        }
    }

    /** Open queues on this node. */
    public int queues() {
        return queues.get();
    }

    /** Bytes waiting in all queues of this node (frames handed to a socket but not completed excluded). */
    public long bufferedBytes() {
        return bufferedBytes.get();
    }

    /** Room messages dropped, by {@code DROP} or replaced by a gap under {@code RESYNC}, since start. */
    public long dropped() {
        return dropped.sum();
    }

    /** Gap frames queued since start (a gap widened before it was written counts once). */
    public long gaps() {
        return gaps.sum();
    }

    /** State frames (presence) shed since start: replaced, with the others of their room, by a snapshot. */
    public long statesReplaced() {
        return statesReplaced.sum();
    }

    /** Snapshots queued in place of shed state frames since start. */
    public long snapshots() {
        return snapshots.sum();
    }

    /** Sockets closed by their queue for {@code reason} since start. */
    public long terminated(TerminationReason reason) {
        return terminated.get(reason).sum();
    }

    /**
     * Sends every delivery latency (nanoseconds from a timed room message's commit to the completion
     * of its write to one socket) to {@code recorder}, on the completing thread. Installed once, at
     * start; the recorder must be cheap and thread-safe (a Micrometer {@code Timer}).
     */
    public void recordDeliveriesWith(LongConsumer recorder) {
        this.deliveries = recorder;
    }

    /** Text frames written to sockets (completed writes, pings excluded) since start. */
    public long writes() {
        return writes.sum();
    }

    /** Total time of the writes counted by {@link #writes()}, in nanoseconds. */
    public long writeNanos() {
        return writeNanos.sum();
    }

    /** Age of the oldest write still pending at the last watchdog check, in nanoseconds; 0 when none. */
    public long oldestPendingWriteNanos() {
        return oldestPendingWriteNanos;
    }

    void opened() {
        queues.incrementAndGet();
    }

    void closed() {
        queues.decrementAndGet();
    }

    /** Adds {@code delta} (may be negative) to the node's buffered bytes and returns the new total. */
    long addBuffered(long delta) {
        return bufferedBytes.addAndGet(delta);
    }

    void dropped(int frames) {
        dropped.add(frames);
    }

    void gapQueued() {
        gaps.increment();
    }

    void statesReplaced(int frames, int snapshotsQueued) {
        statesReplaced.add(frames);
        snapshots.add(snapshotsQueued);
    }

    void countTermination(TerminationReason reason) {
        terminated.get(reason).increment();
    }

    /** A text frame's write completed after {@code nanos}; {@code latency} from its commit, or negative if untimed. */
    void written(long nanos, long latency) {
        writes.increment();
        writeNanos.add(nanos);
        if (latency >= 0) {
            deliveries.accept(latency);
        }
    }

    void oldestPendingWrite(long nanos) {
        oldestPendingWriteNanos = nanos;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("OutboundStats[queues=").append(queues())
                .append(", buffered=").append(bufferedBytes()).append(" B")
                .append(", dropped=").append(dropped())
                .append(", gaps=").append(gaps())
                .append(", statesReplaced=").append(statesReplaced())
                .append(", snapshots=").append(snapshots())
                .append(", terminated={");
        String separator = "";
        for (TerminationReason reason : TerminationReason.values()) {
            out.append(separator).append(reason.tag()).append('=').append(terminated(reason));
            separator = ", ";
        }
        long writes = writes();
        out.append("}, writes=").append(writes);
        if (writes > 0) {
            out.append(" (mean ").append(TimeUnit.NANOSECONDS.toMicros(writeNanos() / writes)).append(" µs)");
        }
        return out.append(", oldestPendingWrite=").append(TimeUnit.NANOSECONDS.toMillis(oldestPendingWriteNanos))
                .append(" ms]").toString();
    }
}
