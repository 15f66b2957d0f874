package io.parley.server.connection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.protocol.CloseCodes;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.CloseStatus;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatsTests {

    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration PONG = Duration.ofMillis(400);
    private static final Duration FIRST = Duration.ofSeconds(3);

    private final ManualClock clock = new ManualClock();
    private final OutboundQueues queues = new OutboundQueues(new OutboundProperties(Duration.ofSeconds(10),
            DataSize.ofKilobytes(64), OverflowStrategy.RESYNC, DataSize.ofMegabytes(1)), new SimpleMeterRegistry(), clock, false);
    private final Connections connections = new Connections();
    private int ids;

    private Heartbeats heartbeats(Duration interval, Duration pong, Duration first) {
        return new Heartbeats(new WebSocketProperties(List.of(), DataSize.ofKilobytes(64), 20, 50, 512, DataSize.ofKilobytes(1), DataSize.ofKilobytes(1),
                interval, pong, first, 100, Duration.ofSeconds(10), false), connections, clock, false);
    }

    private Connection open(TestFrameSink sink) {
        Connection connection = new Connection("s" + (++ids), "ann", null, queues.open(sink), new FrameRateLimiter(1000, 1000),
                new TextAssembler(64 * 1024));
        connections.add(connection);
        return connection;
    }

    private static long pings(TestFrameSink sink) {
        return sink.written().stream().filter(TestFrameSink.PING::equals).count();
    }

    /** Advances the clock by {@code step} and ticks, {@code times} times. */
    private void run(Heartbeats heartbeats, Duration step, int times) {
        for (int i = 0; i < times; i++) {
            clock.advance(step);
            heartbeats.tick();
        }
    }

    private static int code(TestFrameSink sink) {
        assertThat(sink.closes()).hasSize(1);
        return sink.closes().get(0).getCode();
    }

    @Test
    void everySocketIsPingedEachIntervalAndOneThatAnswersStaysOpen() {
        Heartbeats heartbeats = heartbeats(INTERVAL, PONG, Duration.ZERO);
        TestFrameSink sink = TestFrameSink.immediate();
        Connection connection = open(sink);
        heartbeats.watch(connection);

        run(heartbeats, Duration.ofMillis(900), 1);
        assertThat(pings(sink)).isZero();
        for (int beat = 1; beat <= 5; beat++) {
            run(heartbeats, Duration.ofMillis(100), beat == 1 ? 1 : 10);
            assertThat(pings(sink)).isEqualTo(beat);
            connection.pong();
        }

        assertThat(sink.closes()).isEmpty();
        assertThat(connections.stats().pings()).isEqualTo(5);
        assertThat(connections.stats().pongTimeouts()).isZero();
    }

    @Test
    void aSocketThatSendsNothingWithinThePongTimeoutOfAPingIsClosedWith4000() {
        Heartbeats heartbeats = heartbeats(INTERVAL, PONG, Duration.ZERO);
        TestFrameSink sink = TestFrameSink.immediate();
        heartbeats.watch(open(sink));

        run(heartbeats, Duration.ofMillis(100), 10); // the ping, at 1 s
        assertThat(pings(sink)).isEqualTo(1);
        run(heartbeats, Duration.ofMillis(100), 3);
        assertThat(sink.closes()).isEmpty();
        run(heartbeats, Duration.ofMillis(100), 1); // 400 ms after it

        assertThat(code(sink)).isEqualTo(CloseCodes.IDLE_TIMEOUT);
        assertThat(sink.closes().get(0).getReason()).isEqualTo("no pong within 400 ms");
        assertThat(connections.stats().pongTimeouts()).isEqualTo(1);
    }

    @Test
    void anyFrameAfterThePingAnswersItButNotOneBeforeIt() {
        Heartbeats heartbeats = heartbeats(INTERVAL, PONG, Duration.ZERO);
        TestFrameSink answered = TestFrameSink.immediate();
        Connection talker = open(answered);
        heartbeats.watch(talker);
        TestFrameSink early = TestFrameSink.immediate();
        Connection earlyBird = open(early);
        heartbeats.watch(earlyBird);

        earlyBird.inboundFrame(); // before the ping: does not answer it
        run(heartbeats, Duration.ofMillis(100), 10);
        talker.inboundFrame();
        run(heartbeats, Duration.ofMillis(100), 4);

        assertThat(answered.closes()).isEmpty();
        assertThat(code(early)).isEqualTo(CloseCodes.IDLE_TIMEOUT);
    }

    @Test
    void aPingWaitingBehindAPendingWriteIsNotHeldAgainstTheClientAndNoSecondPingStarts() {
        Heartbeats heartbeats = heartbeats(INTERVAL, PONG, Duration.ZERO);
        TestFrameSink sink = TestFrameSink.manual();
        Connection connection = open(sink);
        heartbeats.watch(connection);
        connection.send(Outgoing.control("slow")); // pending until the test completes it

        run(heartbeats, Duration.ofMillis(100), 30); // three intervals with the write pending
        assertThat(sink.written()).containsExactly("slow");
        assertThat(sink.closes()).isEmpty();

        assertThat(sink.complete()).isTrue(); // the ping goes out now, at 3 s
        assertThat(sink.written()).containsExactly("slow", TestFrameSink.PING);
        run(heartbeats, Duration.ofMillis(100), 3);
        assertThat(sink.closes()).isEmpty();
        run(heartbeats, Duration.ofMillis(100), 2); // 400 ms (plus a tick's lag) after the ping went out

        assertThat(code(sink)).isEqualTo(CloseCodes.IDLE_TIMEOUT);
        assertThat(sink.overlapped()).isFalse();
        assertThat(pings(sink)).isEqualTo(1);
    }

    @Test
    void aSocketThatSendsNoFrameIsClosedAfterTheFirstFrameTimeoutEvenIfItAnswersPings() {
        Heartbeats heartbeats = heartbeats(INTERVAL, PONG, FIRST);
        TestFrameSink silent = TestFrameSink.immediate();
        Connection quiet = open(silent);
        heartbeats.watch(quiet);
        TestFrameSink spoken = TestFrameSink.immediate();
        Connection talker = open(spoken);
        heartbeats.watch(talker);
        talker.inboundFrame();

        for (int i = 0; i < 29; i++) {
            run(heartbeats, Duration.ofMillis(100), 1);
            quiet.pong();
            talker.pong();
        }
        assertThat(silent.closes()).isEmpty();
        run(heartbeats, Duration.ofMillis(100), 1); // 3 s after the handshake

        assertThat(code(silent)).isEqualTo(CloseCodes.IDLE_TIMEOUT);
        assertThat(silent.closes().get(0).getReason()).isEqualTo("no frame within 3000 ms");
        assertThat(connections.stats().firstFrameTimeouts()).isEqualTo(1);
        for (int i = 0; i < 50; i++) {
            run(heartbeats, Duration.ofMillis(100), 1);
            talker.pong();
        }
        assertThat(spoken.closes()).isEmpty();
        assertThat(pings(spoken)).isEqualTo(8);
    }

    @Test
    void anEndedWatchIsDroppedWithoutTouchingItsConnection() {
        Heartbeats heartbeats = heartbeats(INTERVAL, PONG, FIRST);
        TestFrameSink sink = TestFrameSink.immediate();
        Heartbeats.Watch watch = heartbeats.watch(open(sink));

        watch.end();
        run(heartbeats, Duration.ofMillis(500), 10);

        assertThat(sink.written()).isEmpty();
        assertThat(sink.closes()).isEmpty();
        assertThat(connections.stats().pings()).isZero();
    }

    @Test
    void theServerDoesNotPingWhenPingsAreOff() {
        Heartbeats heartbeats = heartbeats(Duration.ZERO, PONG, Duration.ZERO);
        TestFrameSink sink = TestFrameSink.immediate();
        heartbeats.watch(open(sink));

        run(heartbeats, Duration.ofSeconds(10), 10);

        assertThat(sink.written()).isEmpty();
        assertThat(sink.closes()).isEmpty();
    }

    @Test
    void aTickSendsAtMostTwiceItsShareOfPingsAndTheRestFollowSpread() {
        Heartbeats heartbeats = heartbeats(Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ZERO);
        assertThat(heartbeats.tickInterval()).isEqualTo(Duration.ofMillis(250));
        List<TestFrameSink> sinks = new ArrayList<>();
        List<Connection> all = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            TestFrameSink sink = TestFrameSink.immediate();
            sinks.add(sink);
            Connection connection = open(sink);
            all.add(connection);
            heartbeats.watch(connection);
        }
        // All due at 10 s; a tick's share is 2000 × 250 ms / 10 s = 50, twice that 100.
        clock.advance(Duration.ofSeconds(10));
        heartbeats.tick();
        assertThat(connections.stats().pings()).isEqualTo(100);
        for (int tick = 2; tick <= 20; tick++) {
            clock.advance(Duration.ofMillis(250));
            heartbeats.tick();
            assertThat(connections.stats().pings()).isEqualTo(100L * tick);
            all.forEach(Connection::pong);
        }
        assertThat(sinks).allMatch(sink -> pings(sink) == 1 && sink.closes().isEmpty());

        // The next round is spread as the first one went out: 100 per tick, from 20 s on.
        clock.advance(Duration.ofMillis(5_250));
        heartbeats.tick();
        assertThat(connections.stats().pings()).isEqualTo(2_100);
        clock.advance(Duration.ofMillis(250));
        heartbeats.tick();
        assertThat(connections.stats().pings()).isEqualTo(2_200);
    }

    @Test
    void theTickIsAQuarterOfTheShortestDurationWithinTenMillisecondsAndOneSecond() {
        long second = Duration.ofSeconds(1).toNanos();
        assertThat(Heartbeats.tickOf(25 * second, 10 * second, 120 * second)).isEqualTo(second);
        assertThat(Heartbeats.tickOf(second, second / 2, 0)).isEqualTo(second / 8);
        assertThat(Heartbeats.tickOf(0, 0, second / 100)).isEqualTo(Duration.ofMillis(10).toNanos());
        assertThat(heartbeats(INTERVAL, PONG, FIRST).tickInterval()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void aCloseStatusOfTheQueueWinsOverTheHeartbeats() {
        // A socket whose write has been pending beyond the send-time limit is the queue's: 4500, not 4000.
        Heartbeats heartbeats = heartbeats(INTERVAL, PONG, Duration.ofMillis(500));
        TestFrameSink sink = TestFrameSink.manual();
        Connection connection = open(sink);
        heartbeats.watch(connection);
        connection.send(Outgoing.control("stuck"));
        clock.advance(Duration.ofSeconds(11));

        heartbeats.tick(); // the first-frame timeout closes it; the queue upgrades the close

        assertThat(code(sink)).isEqualTo(CloseStatus.SESSION_NOT_RELIABLE.getCode());
    }
}
