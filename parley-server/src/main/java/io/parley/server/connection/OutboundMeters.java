package io.parley.server.connection;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;

/**
 * The Micrometer meters of the outbound queues, bound once, all reading one {@link OutboundStats}
 * (they own no state): {@code parley.outbound.queues}, {@code parley.outbound.buffered.bytes},
 * {@code parley.outbound.dropped}, {@code parley.outbound.gaps}, {@code parley.outbound.states.replaced},
 * {@code parley.outbound.snapshots},
 * {@code parley.outbound.terminated{reason}}, {@code parley.outbound.write} (a function timer: count
 * and total time of completed writes), {@code parley.outbound.write.oldest} (age of the oldest pending
 * write at the last check).
 */
final class OutboundMeters {

    private OutboundMeters() {
    }

    static void bind(OutboundStats stats, MeterRegistry registry) {
        Gauge.builder("parley.outbound.queues", stats, OutboundStats::queues)
                .description("Open outbound queues (one per socket)").register(registry);
        Gauge.builder("parley.outbound.buffered.bytes", stats, OutboundStats::bufferedBytes)
                .description("Bytes waiting in all outbound queues of this node").baseUnit(BaseUnits.BYTES)
                .register(registry);
        FunctionCounter.builder("parley.outbound.dropped", stats, OutboundStats::dropped)
                .description("Room messages dropped (DROP) or replaced by a gap (RESYNC)").register(registry);
        FunctionCounter.builder("parley.outbound.gaps", stats, OutboundStats::gaps)
                .description("Gap frames queued by RESYNC").register(registry);
        FunctionCounter.builder("parley.outbound.states.replaced", stats, OutboundStats::statesReplaced)
                .description("State frames (presence) shed: replaced, with the others of their room, by a snapshot")
                .register(registry);
        FunctionCounter.builder("parley.outbound.snapshots", stats, OutboundStats::snapshots)
                .description("Snapshots (presence) queued in place of shed state frames").register(registry);
        for (TerminationReason reason : TerminationReason.values()) {
            FunctionCounter.builder("parley.outbound.terminated", stats, s -> s.terminated(reason))
                    .tag("reason", reason.tag())
                    .description("Sockets closed by their outbound queue, by reason").register(registry);
        }
        FunctionTimer.builder("parley.outbound.write", stats, OutboundStats::writes, OutboundStats::writeNanos,
                        TimeUnit.NANOSECONDS)
                .description("Completed writes: from handing a frame to the socket to its completion")
                .register(registry);
        TimeGauge.builder("parley.outbound.write.oldest", stats, TimeUnit.NANOSECONDS,
                        OutboundStats::oldestPendingWriteNanos)
                .description("Age of the oldest pending write at the last watchdog check").register(registry);
    }
}
