package io.parley.server.connection;

import org.jspecify.annotations.Nullable;

/**
 * All that one {@link OutboundQueue} (and its {@link OutboundBuffer}) sees of its node: the limits,
 * the clock, the node's byte budget, the counters, the gap encoder and the closed callback. The
 * node-wide machinery behind it — the registry of queues, the {@link OutboundWatchdog}, the
 * {@link NodeBudget}'s shedding, the meters — calls the queues, never the other way round except
 * through these methods. Implemented by {@link OutboundQueues}; a test may implement it alone.
 *
 * <p>Thread-safe: called from any thread, and under a queue's lock ({@link #now}, {@link #stats},
 * {@link #encodeGap}), so no method may take a queue's lock or block.
 */
interface QueueContext {

    OutboundProperties properties();

    /** The clock of send-time limits, in nanoseconds. */
    long now();

    /** The node's counters; {@link OutboundStats#addBuffered} keeps the node's sum of buffered bytes. */
    OutboundStats stats();

    /** The node's budget of buffered bytes. */
    long nodeBudget();

    /** An enqueue took the node's sum to {@code total}, above its budget: shed (now or soon). Called outside the queue's lock. */
    void overBudget(long total);

    /** The {@code gap} frame for {@code room}, {@code from}..{@code to}. */
    String encodeGap(String room, long from, long to);

    /** {@code queue} closed, by one of its limits if {@code reason} is set. Called once per queue, outside its lock. */
    void closed(OutboundQueue queue, @Nullable TerminationReason reason);
}
