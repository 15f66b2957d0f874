package io.parley.server.connection;

import java.util.Collection;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watchdog of this node's queues. One scheduled thread per node ({@code parley-outbound-watchdog}),
 * not one per socket, runs {@link #check()} each {@linkplain OutboundProperties#checkInterval() check
 * interval}: a write or drain pending beyond the send-time limit closes its socket with 4500; a queue
 * whose socket is no longer open is released; then the {@link NodeBudget} is checked. A check costs
 * one lock acquisition per open queue.
 *
 * <p>Thread-safe; a check runs on whichever thread calls it (tests call it directly).
 */
final class OutboundWatchdog {

    private static final Logger log = LoggerFactory.getLogger(OutboundWatchdog.class);

    private final Collection<OutboundQueue> queues;
    private final OutboundStats stats;
    private final NodeBudget budget;
    private final LongSupplier clock;
    private final OutboundProperties properties;

    OutboundWatchdog(OutboundProperties properties, Collection<OutboundQueue> queues, OutboundStats stats, NodeBudget budget,
            LongSupplier clock) {
        this.properties = properties;
        this.queues = queues;
        this.stats = stats;
        this.budget = budget;
        this.clock = clock;
    }

    /** One pass: overdue writes and drains, dead sockets, then the node budget. */
    void check() {
        long now = clock.getAsLong();
        long oldest = 0;
        for (OutboundQueue queue : queues) {
            oldest = Math.max(oldest, queue.check(now));
        }
        stats.oldestPendingWrite(oldest);
        if (budget.exceeded()) {
            budget.shed();
        }
    }

    /** {@link #check()} for a periodic task: an exception would cancel it, so it is logged and the watch goes on. */
    void checkSafely() {
        try {
            check();
        }
        catch (RuntimeException | Error ex) {
            log.error("Outbound watchdog check failed; next check in {}", properties.checkInterval(), ex);
        }
    }
}
