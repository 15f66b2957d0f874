package io.parley.server.connection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.CloseStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class OutboundQueuesTests {

    private final ManualClock clock = new ManualClock();
    private final MeterRegistry registry = new SimpleMeterRegistry();

    /** Buffer limit 1000 B, node budget 2000 B, watchdog driven by the test. */
    private OutboundQueues node(OverflowStrategy overflow) {
        return new OutboundQueues(new OutboundProperties(Duration.ofSeconds(10), DataSize.ofBytes(1000), overflow,
                DataSize.ofBytes(2000)), registry, clock, false);
    }

    /** A 10-byte room message. */
    private static Outgoing message(String room, long seq) {
        return Outgoing.roomMessage(String.format("m-%-4s%04d", room, seq), room, seq);
    }

    /** Opens a queue on a stalled socket and buffers {@code messages} room messages of 10 B behind its first write. */
    private static OutboundQueue stalled(OutboundQueues node, TestFrameSink sink, String room, int messages) {
        OutboundQueue queue = node.open(sink);
        queue.enqueue(Outgoing.control("writing.."));
        for (int seq = 1; seq <= messages; seq++) {
            assertThat(queue.enqueue(message(room, seq))).isTrue();
        }
        return queue;
    }

    @Test
    void theWatchdogClosesAStalledSocketOnTimeThoughNothingElseIsSent() {
        OutboundProperties properties = new OutboundProperties(Duration.ofMillis(200), DataSize.ofKilobytes(512),
                OverflowStrategy.RESYNC, DataSize.ofMegabytes(1));
        try (OutboundQueues node = new OutboundQueues(properties, registry)) {
            TestFrameSink sink = TestFrameSink.manual();
            AtomicReference<String> closingThread = new AtomicReference<>();
            sink.onClose(() -> closingThread.set(Thread.currentThread().getName()));
            long start = System.nanoTime();

            node.open(sink).enqueue(Outgoing.control("{\"type\":\"pong\"}"));

            await().atMost(Duration.ofSeconds(5)).until(() -> !sink.closes().isEmpty());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(sink.closes()).containsExactly(CloseStatus.SESSION_NOT_RELIABLE);
            assertThat(took).isGreaterThan(Duration.ofMillis(200));
            assertThat(closingThread.get()).startsWith("parley-outbound-watchdog");
            assertThat(node.stats().terminated(TerminationReason.SEND_TIME_LIMIT)).isEqualTo(1);
        }
    }

    @Test
    void aHealthySocketIsLeftAloneByTheWatchdog() {
        OutboundQueues node = node(OverflowStrategy.RESYNC);
        TestFrameSink sink = TestFrameSink.immediate();
        OutboundQueue queue = node.open(sink);
        for (int i = 0; i < 100; i++) {
            queue.enqueue(message("a", i + 1));
            clock.advance(Duration.ofSeconds(1));
            node.check();
        }

        assertThat(sink.closes()).isEmpty();
        assertThat(sink.written()).hasSize(100);
        assertThat(node.stats().oldestPendingWriteNanos()).isZero();
    }

    @Test
    void overTheNodeBudgetTheLargestQueueIsShedFirstByResync() {
        OutboundQueues node = node(OverflowStrategy.RESYNC);
        TestFrameSink largest = TestFrameSink.manual();
        OutboundQueue a = stalled(node, largest, "a", 90);
        OutboundQueue b = stalled(node, TestFrameSink.manual(), "b", 60);
        OutboundQueue c = stalled(node, TestFrameSink.manual(), "c", 40);
        assertThat(node.stats().bufferedBytes()).isEqualTo(1900);

        for (int seq = 41; seq <= 60; seq++) { // to 2100 B: over the budget by 100 B at most
            c.enqueue(message("c", seq));
        }

        String gap = new FrameCodec().encode(new ServerFrame.Gap("a", 1, 90));
        assertThat(a.bufferedBytes()).isEqualTo(gap.length());
        assertThat(b.bufferedBytes()).isEqualTo(600);
        assertThat(c.bufferedBytes()).isEqualTo(600);
        assertThat(node.stats().bufferedBytes()).isEqualTo(1200 + gap.length());
        assertThat(node.stats().gaps()).isEqualTo(1);
        assertThat(node.stats().dropped()).isEqualTo(90);
        while (largest.complete()) {
            // drain
        }
        assertThat(largest.written()).containsExactly("writing..", gap);
        assertThat(largest.closes()).isEmpty();
    }

    @Test
    void overTheNodeBudgetTheLargestQueueIsShedFirstByTerminate() {
        OutboundQueues node = node(OverflowStrategy.TERMINATE);
        TestFrameSink largest = TestFrameSink.manual();
        TestFrameSink other = TestFrameSink.manual();
        stalled(node, largest, "a", 90);
        OutboundQueue b = stalled(node, other, "b", 60);
        OutboundQueue c = stalled(node, TestFrameSink.manual(), "c", 40);

        for (int seq = 41; seq <= 60; seq++) {
            c.enqueue(message("c", seq));
        }

        assertThat(largest.closes()).containsExactly(CloseStatus.SESSION_NOT_RELIABLE);
        assertThat(other.closes()).isEmpty();
        assertThat(b.bufferedBytes()).isEqualTo(600);
        assertThat(node.stats().terminated(TerminationReason.NODE_BUDGET)).isEqualTo(1);
        assertThat(node.stats().queues()).isEqualTo(2);
    }

    @Test
    void overTheNodeBudgetDropShedsOnlyWhatExceedsIt() {
        OutboundQueues node = node(OverflowStrategy.DROP);
        TestFrameSink largest = TestFrameSink.manual();
        OutboundQueue a = stalled(node, largest, "a", 90);
        stalled(node, TestFrameSink.manual(), "b", 60);
        OutboundQueue c = stalled(node, TestFrameSink.manual(), "c", 50);

        c.enqueue(message("c", 51)); // 2010 B

        assertThat(a.bufferedBytes()).isEqualTo(890);
        assertThat(node.stats().bufferedBytes()).isEqualTo(2000);
        assertThat(node.stats().dropped()).isEqualTo(1);
        largest.complete();
        assertThat(largest.written()).containsExactly("writing..", message("a", 2).text());
    }

    @Test
    void sheddingRunsOnTheWatchdogThreadNotOnTheCallers() {
        OutboundProperties properties = new OutboundProperties(Duration.ofSeconds(10), DataSize.ofBytes(1000),
                OverflowStrategy.TERMINATE, DataSize.ofBytes(2000));
        try (OutboundQueues node = new OutboundQueues(properties, registry)) {
            TestFrameSink largest = TestFrameSink.manual();
            AtomicReference<String> closingThread = new AtomicReference<>();
            largest.onClose(() -> closingThread.set(Thread.currentThread().getName()));
            stalled(node, largest, "a", 100);
            OutboundQueue b = stalled(node, TestFrameSink.manual(), "b", 90);
            OutboundQueue c = stalled(node, TestFrameSink.manual(), "c", 9);

            c.enqueue(message("c", 10)); // 2000 B: within the budget
            c.enqueue(message("c", 11)); // 2010 B

            await().atMost(Duration.ofSeconds(5)).until(() -> !largest.closes().isEmpty());
            assertThat(closingThread.get()).startsWith("parley-outbound-watchdog");
            assertThat(b.bufferedBytes()).isEqualTo(900);
            assertThat(c.bufferedBytes()).isEqualTo(110);
        }
    }

    @Test
    void anEnqueueThatTakesTheNodeABufferLimitBeyondItsBudgetShedsAtOnceWhenTheWatchdogIsBehind() {
        List<Runnable> watchdog = new ArrayList<>(); // a watchdog thread that does not get to run
        OutboundQueues node = new OutboundQueues(new OutboundProperties(Duration.ofSeconds(10), DataSize.ofBytes(1000),
                OverflowStrategy.RESYNC, DataSize.ofBytes(2000)), registry, clock, watchdog::add);
        OutboundQueue a = stalled(node, TestFrameSink.manual(), "a", 95);
        OutboundQueue b = stalled(node, TestFrameSink.manual(), "b", 90);
        OutboundQueue c = stalled(node, TestFrameSink.manual(), "c", 85);
        assertThat(node.stats().bufferedBytes()).isEqualTo(2700); // over the budget: shedding was scheduled
        assertThat(watchdog).hasSize(1);
        OutboundQueue d = stalled(node, TestFrameSink.manual(), "d", 30);
        assertThat(node.stats().bufferedBytes()).isEqualTo(3000); // the ceiling: budget + buffer limit

        assertThat(d.enqueue(message("d", 31))).isTrue(); // 3010 B: beyond it

        FrameCodec codec = new FrameCodec();
        assertThat(a.bufferedBytes()).isEqualTo(codec.encode(new ServerFrame.Gap("a", 1, 95)).length());
        assertThat(b.bufferedBytes()).isEqualTo(codec.encode(new ServerFrame.Gap("b", 1, 90)).length());
        assertThat(c.bufferedBytes()).isEqualTo(850);
        assertThat(d.bufferedBytes()).isEqualTo(310);
        assertThat(node.stats().bufferedBytes()).isLessThanOrEqualTo(2000);
        assertThat(watchdog).hasSize(1);
    }

    @Test
    void exportsItsCountersThroughMicrometer() {
        OutboundQueues node = node(OverflowStrategy.RESYNC);
        TestFrameSink sink = TestFrameSink.manual();
        OutboundQueue queue = stalled(node, sink, "a", 100); // at the limit
        queue.enqueue(message("a", 101)); // resync: one gap for 101 messages
        node.open(TestFrameSink.immediate()).enqueue(message("b", 1));
        TestFrameSink stuck = TestFrameSink.manual();
        node.open(stuck).enqueue(message("c", 1));
        clock.advance(Duration.ofSeconds(11));
        sink.complete();
        node.check(); // closes the stuck socket

        assertThat(registry.get("parley.outbound.queues").gauge().value()).isEqualTo(2);
        assertThat(registry.get("parley.outbound.buffered.bytes").gauge().value()).isZero();
        assertThat(registry.get("parley.outbound.dropped").functionCounter().count()).isEqualTo(101);
        assertThat(registry.get("parley.outbound.gaps").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("parley.outbound.terminated").tag("reason", "send_time_limit").functionCounter()
                .count()).isEqualTo(1);
        assertThat(registry.get("parley.outbound.terminated").tag("reason", "buffer_limit").functionCounter()
                .count()).isZero();
        assertThat(registry.get("parley.outbound.write").functionTimer().count()).isEqualTo(2);
        assertThat(registry.get("parley.outbound.write").functionTimer().totalTime(TimeUnit.SECONDS))
                .isEqualTo(11);
        assertThat(registry.get("parley.outbound.write.oldest").timeGauge()).isNotNull();
        assertThat(registry.get("parley.outbound.states.replaced").functionCounter().count()).isZero();
        assertThat(registry.get("parley.outbound.snapshots").functionCounter().count()).isZero();
        assertThat(node.stats()).hasToString("OutboundStats[queues=2, buffered=0 B, dropped=101, gaps=1, "
                + "statesReplaced=0, snapshots=0, "
                + "terminated={send_time_limit=1, buffer_limit=0, node_budget=0, write_error=0}, "
                + "writes=2 (mean 5500000 µs), oldestPendingWrite=0 ms]");
    }
}
