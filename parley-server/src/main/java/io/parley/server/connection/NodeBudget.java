package io.parley.server.connection;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-wide budget of buffered bytes and its shedding. The bytes waiting in all queues are summed
 * as they change ({@link OutboundStats#bufferedBytes()}). When an enqueue takes the sum above the
 * budget ({@link #overBudget}), shedding is scheduled at once on the {@code shedder} (the watchdog
 * thread), so that the caller does not pay for it: the largest queues are shed first, each by its
 * {@link OverflowStrategy}, until the sum is back within the budget. The watchdog thread may not run
 * for a while on a busy machine, and broadcasts go on meanwhile; so an enqueue that takes the sum
 * more than one buffer limit beyond the budget sheds on the caller's thread, before it returns. The
 * sum therefore never exceeds the budget plus one buffer limit plus one frame per thread enqueueing
 * at that moment. A frame shared by many queues counts once per queue: the budget bounds what the
 * queues hold on to, an upper bound of the memory.
 *
 * <p>Thread-safe.
 */
final class NodeBudget {

    private static final Logger log = LoggerFactory.getLogger(NodeBudget.class);

    private static final long SHED_WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final long budget;
    /** The budget plus one buffer limit: an enqueue that takes the sum above it sheds on its own thread. */
    private final long sheddingCeiling;
    private final Collection<OutboundQueue> queues;
    private final OutboundStats stats;
    private final LongSupplier clock;
    private final Executor shedder;
    private final AtomicBoolean shedRequested = new AtomicBoolean();
    private volatile long lastShedWarning = Long.MIN_VALUE / 2;

    /** A budget over the open {@code queues} (a live, thread-safe view), shedding below the ceiling on {@code shedder}. */
    NodeBudget(OutboundProperties properties, Collection<OutboundQueue> queues, OutboundStats stats, LongSupplier clock,
            Executor shedder) {
        this.budget = properties.nodeBudget().toBytes();
        this.sheddingCeiling = budget + properties.bufferLimit().toBytes();
        this.queues = queues;
        this.stats = stats;
        this.clock = clock;
        this.shedder = shedder;
    }

    long budget() {
        return budget;
    }

    /** Whether the node's sum is above the budget. */
    boolean exceeded() {
        return stats.bufferedBytes() > budget;
    }

    /**
     * An enqueue took the node's sum to {@code total}, above the budget: schedules shedding on the
     * shedder, or, if the sum is beyond the ceiling because the shedder has not caught up, sheds at
     * once on the caller's thread.
     */
    void overBudget(long total) {
        if (total > sheddingCeiling) {
            shed();
            return;
        }
        if (shedRequested.compareAndSet(false, true)) {
            try {
                shedder.execute(this::shedSafely);
            }
            catch (RejectedExecutionException ex) {
                shedRequested.set(false); // shut down
            }
        }
    }

    private void shedSafely() {
        try {
            shed();
        }
        catch (RuntimeException ex) {
            log.error("Shedding outbound queues failed", ex);
        }
    }

    /**
     * Sheds the largest queues first until the node is back within its budget. The excess is read again
     * before each queue: frames enqueued meanwhile are shed too, and two threads shedding at once do
     * not both shed for the same excess.
     */
    void shed() {
        shedRequested.set(false); // before reading: a later crossing schedules another pass
        long total = stats.bufferedBytes();
        if (total <= budget) {
            return;
        }
        List<Sized> largestFirst = new ArrayList<>(queues.size());
        for (OutboundQueue queue : queues) {
            long bytes = queue.bufferedBytes();
            if (bytes > 0) {
                largestFirst.add(new Sized(queue, bytes));
            }
        }
        largestFirst.sort(Comparator.comparingLong(Sized::bytes).reversed());
        int shed = 0;
        long freed = 0;
        for (Sized sized : largestFirst) {
            long excess = stats.bufferedBytes() - budget;
            if (excess <= 0) {
                break;
            }
            freed += sized.queue().shed(excess);
            shed++;
        }
        long now = clock.getAsLong();
        if (now - lastShedWarning >= SHED_WARNING_INTERVAL_NANOS) { // under sustained pressure: one line a minute
            lastShedWarning = now;
            log.warn("Outbound buffers of this node ({} B) exceeded the node budget {} B: shed the {} largest queues, "
                    + "freeing {} B; {}", total, budget, shed, freed, stats);
        }
        else {
            log.debug("Outbound buffers ({} B) over the node budget {} B: shed {} queues, freeing {} B", total,
                    budget, shed, freed);
        }
    }

    private record Sized(OutboundQueue queue, long bytes) {
    }
}
