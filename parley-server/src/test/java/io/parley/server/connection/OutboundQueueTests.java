package io.parley.server.connection;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.CloseStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class OutboundQueueTests {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    private final FrameCodec codec = new FrameCodec();
    private final ManualClock clock = new ManualClock();
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private OutboundQueues node = node(OverflowStrategy.RESYNC, 100);

    @AfterEach
    void shutdown() throws InterruptedException {
        executor.shutdownNow();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private OutboundQueues node(OverflowStrategy overflow, long bufferLimit) {
        return new OutboundQueues(new OutboundProperties(LIMIT, DataSize.ofBytes(bufferLimit), overflow,
                DataSize.ofBytes(Math.max(bufferLimit, 1 << 20))), new SimpleMeterRegistry(), clock, false);
    }

    /** A 10-byte room message. */
    private static Outgoing message(String room, long seq) {
        return Outgoing.roomMessage(String.format("m-%-4s%04d", room, seq), room, seq);
    }

    /** A 10-byte control frame. */
    private static Outgoing control(int n) {
        return Outgoing.control(String.format("control-%02d", n));
    }

    private static String text(Outgoing frame) {
        return frame.text();
    }

    private ServerFrame.Gap gap(String room, long from, long to) {
        return new ServerFrame.Gap(room, from, to);
    }

    private String encoded(ServerFrame frame) {
        return codec.encode(frame);
    }

    @Nested
    class OneWriterInOrder {

        @Test
        void aFrameForAnIdleSocketIsWrittenAtOnce() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);

            assertThat(queue.enqueue(control(1))).isTrue();

            assertThat(sink.written()).containsExactly(text(control(1)));
            assertThat(queue.bufferedBytes()).isZero();
        }

        @Test
        void framesWaitForThePreviousWriteToCompleteAndGoOutInOrder() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            for (int i = 1; i <= 5; i++) {
                queue.enqueue(message("a", i));
            }
            assertThat(sink.written()).containsExactly(text(message("a", 1)));
            assertThat(queue.bufferedBytes()).isEqualTo(40);

            while (sink.complete()) {
                // each completion starts the next write
            }

            assertThat(sink.written()).containsExactly(text(message("a", 1)), text(message("a", 2)),
                    text(message("a", 3)), text(message("a", 4)), text(message("a", 5)));
            assertThat(sink.overlapped()).isFalse();
            assertThat(queue.bufferedBytes()).isZero();
            assertThat(node.stats().bufferedBytes()).isZero();
            assertThat(node.stats().writes()).isEqualTo(5);
        }

        @Test
        void enqueueReturnsWithoutWaitingForASlowClient() {
            TestFrameSink sink = TestFrameSink.manual(); // never completes
            OutboundQueue queue = node(OverflowStrategy.RESYNC, 1_000_000).open(sink);

            for (int i = 1; i <= 10_000; i++) {
                assertThat(queue.enqueue(control(i % 100))).isTrue();
            }

            assertThat(sink.written()).hasSize(1);
            assertThat(sink.pendingWrites()).isEqualTo(1);
            assertThat(queue.bufferedBytes()).isEqualTo(9_999 * 10);
        }

        @Test
        void writesCompletingDuringTheCallDrainTheQueueWithoutGrowingTheStack() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node(OverflowStrategy.RESYNC, 10_000_000).open(sink);
            int frames = 200_000;
            for (int i = 0; i < frames; i++) {
                queue.enqueue(control(i % 100));
            }

            sink.completeImmediately();
            sink.complete(); // the rest completes inline, one after the other

            assertThat(sink.written()).hasSize(frames);
            assertThat(queue.bufferedBytes()).isZero();
        }

        @Test
        @Timeout(30)
        void concurrentProducersAreSerializedIntoOneWriterKeepingEachProducersOrder() throws Exception {
            TestFrameSink sink = TestFrameSink.async(executor);
            OutboundQueue queue = node(OverflowStrategy.RESYNC, 100_000_000).open(sink);
            int producers = 3;
            int each = 3_000;
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                String room = "r" + p;
                Thread thread = new Thread(() -> {
                    awaitQuietly(start);
                    for (int seq = 1; seq <= each; seq++) {
                        queue.enqueue(message(room, seq));
                    }
                });
                thread.start();
                threads.add(thread);
            }
            start.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
            awaitCondition(() -> sink.written().size() == producers * each);

            assertThat(sink.overlapped()).isFalse();
            for (int p = 0; p < producers; p++) {
                String prefix = String.format("m-%-4s", "r" + p);
                List<String> ofProducer = sink.written().stream().filter(t -> t.startsWith(prefix)).toList();
                List<String> expected = new ArrayList<>();
                for (int seq = 1; seq <= each; seq++) {
                    expected.add(text(message("r" + p, seq)));
                }
                assertThat(ofProducer).isEqualTo(expected);
            }
            awaitCondition(() -> node.stats().bufferedBytes() == 0);
        }
    }

    @Nested
    class Pings {

        @Test
        void aPingOnAnIdleSocketGoesOutAtOnceAndIsNotCountedAsAFrame() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);

            assertThat(queue.ping()).isTrue();

            assertThat(sink.written()).containsExactly(TestFrameSink.PING);
            assertThat(queue.pingHandedOverAt()).isEqualTo(clock.getAsLong());
            assertThat(sink.complete()).isTrue();
            assertThat(node.stats().writes()).isZero();
            queue.enqueue(control(1));
            assertThat(sink.written()).containsExactly(TestFrameSink.PING, text(control(1)));
        }

        @Test
        void aPingNeverStartsWhileAWriteIsPendingAndGoesAheadOfTheFramesWaitingBehindIt() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            queue.enqueue(control(1));
            queue.enqueue(control(2));
            queue.enqueue(control(3));

            assertThat(queue.ping()).isTrue();
            assertThat(queue.ping()).isTrue(); // not doubled

            assertThat(sink.written()).containsExactly(text(control(1)));
            assertThat(queue.pingHandedOverAt()).isEqualTo(OutboundQueue.PING_WAITING);
            clock.advance(Duration.ofMillis(7));
            assertThat(sink.complete()).isTrue();
            assertThat(sink.written()).containsExactly(text(control(1)), TestFrameSink.PING);
            assertThat(queue.pingHandedOverAt()).isEqualTo(clock.getAsLong());
            while (sink.complete()) {
                // each completion starts the next write
            }
            assertThat(sink.written()).containsExactly(text(control(1)), TestFrameSink.PING, text(control(2)),
                    text(control(3)));
            assertThat(sink.overlapped()).isFalse();
            assertThat(node.stats().writes()).isEqualTo(3);
        }

        @Test
        void aPingThatCompletesAtOnceLetsTheWriterCarryOn() {
            TestFrameSink sink = TestFrameSink.immediate();
            OutboundQueue queue = node.open(sink);
            sink.duringWrite(() -> {
                if (sink.written().size() == 1) {
                    queue.enqueue(control(1)); // arrives while the ping is being handed over
                }
            });

            queue.ping();

            assertThat(sink.written()).containsExactly(TestFrameSink.PING, text(control(1)));
            assertThat(sink.overlapped()).isFalse();
        }

        @Test
        void aClosedOrDrainingQueueSendsNoPing() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue closed = node.open(sink);
            closed.close(CloseStatus.NORMAL);
            assertThat(closed.ping()).isFalse();

            TestFrameSink other = TestFrameSink.manual();
            OutboundQueue draining = node.open(other);
            draining.enqueue(control(1));
            draining.closeAfterFlush(CloseStatus.SERVICE_RESTARTED);
            assertThat(draining.ping()).isFalse();
            assertThat(sink.written()).isEmpty();
            assertThat(other.written()).containsExactly(text(control(1)));
        }

        @Test
        void aFailedPingClosesTheSocketAsAFailedWriteDoes() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            queue.ping();

            assertThat(sink.fail(new IOException("broken pipe"))).isTrue();

            assertThat(sink.closes()).containsExactly(CloseStatus.SERVER_ERROR);
            assertThat(queue.isOpen()).isFalse();
        }
    }

    @Nested
    class DeliveryLatency {

        @Test
        void aTimedRoomMessageRecordsTheTimeFromItsCommitToTheCompletionOfItsWrite() {
            List<Long> recorded = new ArrayList<>();
            node.stats().recordDeliveriesWith(recorded::add);
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            long committedAt = clock.getAsLong() - Duration.ofMillis(5).toNanos();
            Outgoing timed = new Outgoing("m-timed", "a", 1, committedAt, null);

            queue.enqueue(control(1));
            queue.enqueue(timed);
            queue.enqueue(message("a", 2)); // untimed: a replay
            queue.ping();
            clock.advance(Duration.ofMillis(3));
            assertThat(sink.complete()).isTrue(); // control(1)
            assertThat(recorded).isEmpty();
            assertThat(sink.complete()).isTrue(); // the ping
            clock.advance(Duration.ofMillis(2));
            assertThat(sink.complete()).isTrue(); // the timed message, 10 ms after its commit
            assertThat(sink.complete()).isTrue();

            assertThat(recorded).containsExactly(Duration.ofMillis(10).toNanos());
            assertThat(node.stats().writes()).isEqualTo(3);
        }

        @Test
        void aCommitTimeAheadOfThisClockCountsAsNoDelay() {
            List<Long> recorded = new ArrayList<>();
            node.stats().recordDeliveriesWith(recorded::add);
            TestFrameSink sink = TestFrameSink.immediate();
            OutboundQueue queue = node.open(sink);

            queue.enqueue(new Outgoing("m-skewed", "a", 1, clock.getAsLong() + 1_000_000, null));

            assertThat(recorded).containsExactly(0L);
        }

        @Test
        void aWallClockCommitTimeMapsOntoThisJvmsNanoTime() {
            long before = System.nanoTime();
            Outgoing frame = Outgoing.roomMessage("{}", "a", 1, java.time.Instant.now().minusMillis(50));
            long after = System.nanoTime();

            assertThat(frame.timed()).isTrue();
            // 50 ms before the moment of the call, which lies between before and after (1 ms for clock granularity).
            long fifty = Duration.ofMillis(50).toNanos();
            long slack = Duration.ofMillis(1).toNanos();
            assertThat(frame.committedAt()).isBetween(before - fifty - (after - before) - slack, after - fifty + slack);
            assertThat(Outgoing.roomMessage("{}", "a", 1, null).timed()).isFalse();
            assertThat(Outgoing.roomMessage("{}", "a", 1).timed()).isFalse();
        }
    }

    @Nested
    class SendTimeLimit {

        @Test
        void aStalledWriteIsClosedWithSessionNotReliableByTheWatchdogEvenIfNothingElseIsSent() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            queue.enqueue(control(1));
            queue.enqueue(control(2));

            clock.advance(LIMIT);
            node.check();
            assertThat(sink.closes()).isEmpty();

            clock.advance(Duration.ofMillis(1));
            node.check();

            assertThat(sink.closes()).containsExactly(CloseStatus.SESSION_NOT_RELIABLE);
            assertThat(queue.enqueue(control(3))).isFalse();
            assertThat(queue.bufferedBytes()).isZero();
            assertThat(node.stats().terminated(TerminationReason.SEND_TIME_LIMIT)).isEqualTo(1);
            assertThat(node.stats().queues()).isZero();
        }

        @Test
        void theLimitAppliesToEachWriteNotToTheWholeQueue() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            for (int i = 1; i <= 3; i++) {
                queue.enqueue(control(i));
            }
            for (int i = 0; i < 3; i++) {
                clock.advance(LIMIT.minusMillis(1));
                node.check();
                sink.complete();
            }

            assertThat(sink.closes()).isEmpty();
            assertThat(sink.written()).hasSize(3);
        }

        @Test
        void theWatchdogReportsTheOldestPendingWrite() {
            TestFrameSink slow = TestFrameSink.manual();
            node.open(slow).enqueue(control(1));
            clock.advance(Duration.ofSeconds(3));
            node.open(TestFrameSink.manual()).enqueue(control(2));
            clock.advance(Duration.ofSeconds(1));

            node.check();

            assertThat(node.stats().oldestPendingWriteNanos()).isEqualTo(Duration.ofSeconds(4).toNanos());
        }
    }

    @Nested
    class BufferLimit {

        @Test
        void isCheckedOnlyWhileAWriteIsInProgressSoALargeFrameForAnIdleSocketIsWritten() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node(OverflowStrategy.TERMINATE, 100).open(sink);

            assertThat(queue.enqueue(Outgoing.control("x".repeat(1000)))).isTrue();

            assertThat(sink.written()).hasSize(1);
            assertThat(sink.closes()).isEmpty();
        }

        @Test
        void terminateClearsTheBufferThenClosesWithSessionNotReliable() {
            node = node(OverflowStrategy.TERMINATE, 100);
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            AtomicLong bufferedWhenClosed = new AtomicLong(-1);
            sink.onClose(() -> bufferedWhenClosed.set(node.stats().bufferedBytes()));
            for (int i = 1; i <= 11; i++) { // 1 writing + 10 x 10 B = the limit
                assertThat(queue.enqueue(message("a", i))).isTrue();
            }
            assertThat(sink.closes()).isEmpty();

            assertThat(queue.enqueue(message("a", 12))).isFalse();

            assertThat(sink.closes()).containsExactly(CloseStatus.SESSION_NOT_RELIABLE);
            assertThat(bufferedWhenClosed).hasValue(0);
            assertThat(node.stats().terminated(TerminationReason.BUFFER_LIMIT)).isEqualTo(1);
            sink.complete();
            assertThat(sink.written()).hasSize(1);
        }

        @Test
        void dropDiscardsTheOldestRoomMessagesAndKeepsControlFrames() {
            node = node(OverflowStrategy.DROP, 50);
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            queue.enqueue(control(0)); // writing
            queue.enqueue(message("a", 1));
            queue.enqueue(control(1));
            queue.enqueue(message("a", 2));
            queue.enqueue(message("b", 1));
            queue.enqueue(message("a", 3)); // 50 B: at the limit

            assertThat(queue.enqueue(message("a", 4))).isTrue(); // 60 B: drop a#1

            assertThat(queue.bufferedBytes()).isEqualTo(50);
            assertThat(queue.enqueue(control(2))).isTrue(); // 60 B: drop a#2
            while (sink.complete()) {
                // drain
            }
            assertThat(sink.written()).containsExactly(text(control(0)), text(control(1)), text(message("b", 1)),
                    text(message("a", 3)), text(message("a", 4)), text(control(2)));
            assertThat(node.stats().dropped()).isEqualTo(2);
            assertThat(sink.closes()).isEmpty();
        }

        @Test
        void resyncReplacesTheBufferedRoomMessagesByOneGapPerRoomAndKeepsTheConnection() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink); // RESYNC, 100 B
            queue.enqueue(message("a", 1)); // writing
            queue.enqueue(message("a", 2));
            queue.enqueue(control(1));
            queue.enqueue(message("b", 7));
            for (long seq = 3; seq <= 9; seq++) {
                queue.enqueue(message("a", seq));
            }
            assertThat(queue.bufferedBytes()).isEqualTo(100);

            assertThat(queue.enqueue(message("b", 8))).isTrue();

            while (sink.complete()) {
                // drain
            }
            assertThat(queue.enqueue(message("a", 10))).isTrue();
            assertThat(sink.written()).containsExactly(text(message("a", 1)), encoded(gap("a", 2, 9)), text(control(1)),
                    encoded(gap("b", 7, 8)), text(message("a", 10)));
            assertThat(codec.decodeServer(sink.written().get(1))).isEqualTo(gap("a", 2, 9));
            assertThat(sink.closes()).isEmpty();
            assertThat(queue.isOpen()).isTrue();
            assertThat(node.stats().dropped()).isEqualTo(10);
            assertThat(node.stats().gaps()).isEqualTo(2);
            assertThat(node.stats().bufferedBytes()).isZero();
        }

        @Test
        void aSecondOverflowWidensTheGapThatIsStillWaiting() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            queue.enqueue(control(0)); // writing
            for (long seq = 1; seq <= 11; seq++) { // overflow at 11: gap a 1..11
                queue.enqueue(message("a", seq));
            }
            queue.enqueue(control(1));
            for (long seq = 12; seq <= 40; seq++) { // overflows again on the way
                queue.enqueue(message("a", seq));
            }

            while (sink.complete()) {
                // drain
            }

            List<String> written = sink.written();
            assertThat(written.get(0)).isEqualTo(text(control(0)));
            assertThat(codec.decodeServer(written.get(1))).isInstanceOf(ServerFrame.Gap.class);
            ServerFrame.Gap first = (ServerFrame.Gap) codec.decodeServer(written.get(1));
            assertThat(first.room()).isEqualTo("a");
            assertThat(first.from()).isEqualTo(1);
            assertThat(written.get(2)).isEqualTo(text(control(1)));
            List<String> after = written.subList(3, written.size());
            assertThat(after).allMatch(t -> t.startsWith("m-a"));
            assertThat(after.get(0)).isEqualTo(text(message("a", first.to() + 1)));
            assertThat(after.get(after.size() - 1)).isEqualTo(text(message("a", 40)));
            assertThat(written.stream().filter(t -> t.contains("\"gap\""))).hasSize(1);
            assertThat(node.stats().gaps()).isEqualTo(1);
        }

        @Test
        void presenceDeltasOfAStalledSocketGiveWayToOneCurrentSnapshotAndTheSocketStaysOpen() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink); // RESYNC, 100 B
            String[] current = {""};
            StateSource presence = new StateSource() {
                @Override
                public Outgoing snapshot() {
                    return Outgoing.state(current[0], "a", this);
                }
            };
            queue.enqueue(control(0)); // writing
            for (int i = 1; i <= 12; i++) { // deltas of 10 B: over the limit at the 11th; the 12th once drained
                current[0] = encoded(new ServerFrame.Presence("a", java.util.stream.IntStream.rangeClosed(1, i)
                        .mapToObj(n -> "u" + n).toList()));
                if (i == 12) {
                    while (sink.complete()) {
                        // drain
                    }
                }
                assertThat(queue.enqueue(Outgoing.state(String.format("delta-u%03d", i), "a", presence))).isTrue();
            }
            sink.complete();

            List<String> written = sink.written();
            assertThat(written.get(0)).isEqualTo(text(control(0)));
            assertThat(codec.decodeServer(written.get(1))).as("the snapshot of the overflow, with u1..u11")
                    .isEqualTo(new ServerFrame.Presence("a", java.util.stream.IntStream.rangeClosed(1, 11).mapToObj(n -> "u" + n).toList()));
            assertThat(written.subList(2, written.size())).containsExactly("delta-u012");
            assertThat(queue.isOpen()).isTrue();
            assertThat(sink.closes()).isEmpty();
            assertThat(node.stats().statesReplaced()).isEqualTo(11);
            assertThat(node.stats().snapshots()).isEqualTo(1);
        }

        @Test
        void controlFramesAreNeverDroppedSoControlFramesAloneOverTheLimitTerminate() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink); // RESYNC, 100 B
            queue.enqueue(control(0));
            queue.enqueue(message("a", 1));
            for (int i = 1; i <= 9; i++) {
                queue.enqueue(control(i));
            }
            assertThat(queue.bufferedBytes()).isEqualTo(100);

            assertThat(queue.enqueue(control(10))).isFalse(); // the gap for a#1 is control too

            assertThat(sink.closes()).containsExactly(CloseStatus.SESSION_NOT_RELIABLE);
            assertThat(node.stats().terminated(TerminationReason.BUFFER_LIMIT)).isEqualTo(1);
        }
    }

    @Nested
    class Closing {

        @Test
        void closeClearsTheBufferThenClosesTheSocketOnce() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            AtomicLong bufferedWhenClosed = new AtomicLong(-1);
            sink.onClose(() -> bufferedWhenClosed.set(node.stats().bufferedBytes()));
            for (int i = 0; i < 5; i++) {
                queue.enqueue(control(i));
            }

            queue.close(CloseStatus.NORMAL);
            queue.close(CloseStatus.GOING_AWAY);
            queue.closeAfterFlush(CloseStatus.SERVICE_RESTARTED);

            assertThat(sink.closes()).containsExactly(CloseStatus.NORMAL);
            assertThat(bufferedWhenClosed).hasValue(0);
            assertThat(queue.enqueue(control(9))).isFalse();
            assertThat(queue.isOpen()).isFalse();
            assertThat(node.stats().queues()).isZero();
        }

        @Test
        void aWriteCompletingAfterTheCloseWritesNothingMore() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            for (int i = 0; i < 3; i++) {
                queue.enqueue(control(i));
            }

            queue.close(CloseStatus.NORMAL);
            sink.complete();

            assertThat(sink.events()).containsExactly("write " + text(control(0)), "close 1000");
            assertThat(node.stats().bufferedBytes()).isZero();
        }

        @Test
        void aCloseFromInsideTheWriteStopsTheFlushThatIsCompletingInline() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            for (int i = 0; i < 3; i++) {
                queue.enqueue(control(i));
            }
            sink.completeImmediately();
            sink.duringWrite(() -> queue.close(CloseStatus.NORMAL));

            sink.complete(); // writes control-01, which closes the queue from inside the write, then completes

            assertThat(sink.events()).containsExactly("write " + text(control(0)), "write " + text(control(1)),
                    "close 1000");
            assertThat(sink.closedDuringWrite()).isFalse();
        }

        @Test
        void aCloseFromAnotherThreadDuringAHandOverClosesTheSocketOnlyAfterIt() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            queue.enqueue(control(0));
            queue.enqueue(control(1));
            sink.duringWrite(() -> {
                Thread closer = new Thread(() -> queue.close(CloseStatus.NORMAL));
                closer.start();
                joinQuietly(closer); // close() has returned while the frame is still being handed over
                assertThat(sink.closes()).isEmpty();
            });

            sink.complete();

            assertThat(sink.events()).containsExactly("write " + text(control(0)), "write " + text(control(1)),
                    "close 1000");
            assertThat(sink.closedDuringWrite()).isFalse();
            assertThat(node.stats().queues()).isZero();
            sink.complete();
            assertThat(sink.written()).hasSize(2);
        }

        @Test
        @Timeout(60)
        void aCloseRacingConcurrentFlushesNeverLetsAWriteStartAfterIt() throws Exception {
            for (int round = 0; round < 200; round++) {
                TestFrameSink sink = TestFrameSink.async(executor);
                OutboundQueues racing = node(OverflowStrategy.RESYNC, 1_000_000);
                OutboundQueue queue = racing.open(sink);
                CountDownLatch start = new CountDownLatch(1);
                Thread producer = new Thread(() -> {
                    awaitQuietly(start);
                    for (int i = 0; i < 500 && queue.enqueue(control(i % 100)); i++) {
                        Thread.onSpinWait();
                    }
                });
                int spins = round % 50;
                Thread closer = new Thread(() -> {
                    awaitQuietly(start);
                    for (int i = 0; i < spins; i++) {
                        Thread.onSpinWait();
                    }
                    queue.close(CloseStatus.NORMAL);
                });
                producer.start();
                closer.start();
                start.countDown();
                producer.join();
                closer.join();
                // A close that met a hand-over is carried out by that writer, right after it.
                awaitCondition(() -> sink.outstanding() == 0 && !sink.closes().isEmpty());

                assertThat(sink.closes()).containsExactly(CloseStatus.NORMAL);
                assertThat(sink.writtenAfterClose()).as("a write started after the close, round " + round).isFalse();
                assertThat(sink.closedDuringWrite()).as("closed during a hand-over, round " + round).isFalse();
                assertThat(sink.overlapped()).isFalse();
                assertThat(racing.stats().bufferedBytes()).isZero();
                assertThat(racing.stats().queues()).isZero();
            }
        }

        @Test
        void aFailedWriteClosesTheQueueQuietlyWithServerError() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            queue.enqueue(control(0));
            queue.enqueue(control(1));

            sink.fail(new IOException("Broken pipe"));

            assertThat(sink.closes()).containsExactly(CloseStatus.SERVER_ERROR);
            assertThat(sink.written()).hasSize(1);
            assertThat(queue.enqueue(control(2))).isFalse();
            assertThat(node.stats().terminated(TerminationReason.WRITE_ERROR)).isEqualTo(1);
            assertThat(node.stats().bufferedBytes()).isZero();
        }

        @Test
        void aSinkThatThrowsIsTreatedAsAFailedWrite() {
            FrameSink throwing = new FrameSink() {
                final AtomicReference<CloseStatus> closed = new AtomicReference<>();

                @Override
                public void write(Outgoing frame, Consumer<@Nullable Throwable> done) {
                    throw new IllegalStateException("The WebSocket session has been closed");
                }

                @Override
                public void ping(Consumer<@Nullable Throwable> done) {
                    throw new IllegalStateException("The WebSocket session has been closed");
                }

                @Override
                public void close(CloseStatus status) {
                    closed.set(status);
                }

                @Override
                public boolean isOpen() {
                    return false;
                }
            };
            OutboundQueue queue = node.open(throwing);

            assertThat(queue.enqueue(control(0))).isTrue();

            assertThat(queue.isOpen()).isFalse();
            assertThat(node.stats().terminated(TerminationReason.WRITE_ERROR)).isEqualTo(1);
        }

        @Test
        void theWatchdogReleasesAQueueWhoseSocketIsNoLongerOpen() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            queue.enqueue(control(0));
            queue.enqueue(control(1));

            sink.peerClosed();
            node.check();

            assertThat(queue.isOpen()).isFalse();
            assertThat(node.stats().bufferedBytes()).isZero();
            assertThat(node.stats().queues()).isZero();
        }
    }

    @Nested
    class CloseStatusUpgrade {

        @Test
        void anOrdinaryCloseWhileAWriteIsPendingBeyondTheLimitReportsSessionNotReliable() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            queue.enqueue(control(0));
            clock.advance(LIMIT.plusMillis(1)); // the watchdog has not looked yet

            queue.close(CloseStatus.NORMAL);

            assertThat(sink.closes()).extracting(CloseStatus::getCode).containsExactly(CloseCodes.SESSION_NOT_RELIABLE);
            assertThat(node.stats().terminated(TerminationReason.SEND_TIME_LIMIT)).isEqualTo(1);
        }

        @Test
        void aQueueThatTerminatedItselfIgnoresALaterOrdinaryClose() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            queue.enqueue(control(0));
            clock.advance(LIMIT.plusMillis(1));
            node.check();

            queue.close(CloseStatus.NORMAL);
            queue.close(CloseStatus.SERVICE_RESTARTED);

            assertThat(sink.closes()).containsExactly(CloseStatus.SESSION_NOT_RELIABLE);
        }

        @Test
        void aCloseOfAHealthyQueueKeepsItsStatus() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            queue.enqueue(control(0));
            clock.advance(LIMIT);

            queue.close(CloseStatus.POLICY_VIOLATION);

            assertThat(sink.closes()).containsExactly(CloseStatus.POLICY_VIOLATION);
            assertThat(node.stats().terminated(TerminationReason.SEND_TIME_LIMIT)).isZero();
        }

        @Test
        void aDrainThatOutlivesTheLimitIsClosedWithSessionNotReliable() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            queue.enqueue(control(0));
            queue.enqueue(control(1));
            queue.enqueue(control(2));
            queue.closeAfterFlush(CloseStatus.SERVICE_RESTARTED);
            clock.advance(Duration.ofSeconds(6));
            sink.complete(); // each write is within the limit...
            clock.advance(Duration.ofSeconds(6));
            sink.complete(); // ...but the drain as a whole is not

            assertThat(sink.closes()).containsExactly(CloseStatus.SESSION_NOT_RELIABLE);
            assertThat(node.stats().terminated(TerminationReason.SEND_TIME_LIMIT)).isEqualTo(1);
        }

        @Test
        void theWatchdogClosesADrainStuckBeyondTheLimit() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            queue.enqueue(control(0));
            queue.closeAfterFlush(CloseStatus.SERVICE_RESTARTED);

            clock.advance(LIMIT.plusMillis(1));
            node.check();

            assertThat(sink.closes()).containsExactly(CloseStatus.SESSION_NOT_RELIABLE);
        }
    }

    @Nested
    class CloseAfterFlush {

        @Test
        void writesWhatIsQueuedThenClosesWithTheGivenStatus() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            queue.enqueue(control(0));
            queue.enqueue(message("a", 1));

            queue.closeAfterFlush(CloseStatus.SERVICE_RESTARTED);

            assertThat(queue.enqueue(control(2))).isFalse();
            assertThat(queue.isOpen()).isFalse();
            assertThat(sink.closes()).isEmpty();
            sink.complete();
            assertThat(sink.closes()).isEmpty();
            sink.complete();
            assertThat(sink.events()).containsExactly("write " + text(control(0)), "write " + text(message("a", 1)),
                    "close 1012");
            assertThat(node.stats().queues()).isZero();
        }

        @Test
        void anIdleQueueClosesAtOnce() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            queue.enqueue(control(0));
            sink.complete();

            queue.closeAfterFlush(CloseStatus.SERVICE_RESTARTED);

            assertThat(sink.closes()).containsExactly(CloseStatus.SERVICE_RESTARTED);
        }

        @Test
        void aCloseDuringTheDrainClosesAtOnce() {
            TestFrameSink sink = TestFrameSink.manual();
            OutboundQueue queue = node.open(sink);
            queue.enqueue(control(0));
            queue.enqueue(control(1));
            queue.closeAfterFlush(CloseStatus.SERVICE_RESTARTED);

            queue.close(CloseStatus.GOING_AWAY);
            sink.complete();

            assertThat(sink.events()).containsExactly("write " + text(control(0)), "close 1001");
        }
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    static void joinQuietly(Thread thread) {
        try {
            thread.join();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    static void awaitCondition(BooleanSupplier condition) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                .until(condition::getAsBoolean);
    }
}
