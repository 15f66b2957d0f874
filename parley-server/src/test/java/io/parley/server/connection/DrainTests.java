package io.parley.server.connection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.CloseCodes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.util.unit.DataSize;
import org.springframework.web.socket.CloseStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@link Drain} over real {@link Connections} and outbound queues on recording sinks; no socket. */
class DrainTests {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Connections connections = new Connections();
    private final OutboundQueues queues = new OutboundQueues(new OutboundProperties(Duration.ofSeconds(10), DataSize.ofMegabytes(1),
            OverflowStrategy.TERMINATE, DataSize.ofMegabytes(16)), meters, System::nanoTime, false);
    private final Admission admission = new Admission(connections,
            new ConnectionProperties(null, 10, 0.9, Duration.ofSeconds(5), null, 0, 0), meters);
    private final List<Object> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger sequence = new AtomicInteger();

    @AfterEach
    void stop() {
        admission.destroy();
    }

    /** A connection as the WebSocket handler makes one: removed from {@link Connections} when its socket closes. */
    private record Open(Connection connection, TestFrameSink sink) {
    }

    private Open open(ConnectionHandler handler) {
        String id = "c-" + sequence.incrementAndGet();
        TestFrameSink sink = TestFrameSink.immediate();
        sink.onClose(() -> connections.remove(id));
        Connection connection = new Connection(id, "user-" + id, null, queues.open(sink), new FrameRateLimiter(1000, 1000),
                new TextAssembler(64 * 1024));
        connections.add(connection);
        connection.handledBy(handler);
        return new Open(connection, sink);
    }

    private Drain drain(DrainProperties properties, Map<String, Object> environment) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("test", environment));
        Drain drain = new Drain(connections, admission, properties, events::add,
                new DefaultListableBeanFactory().getBeanProvider(ApplicationAvailability.class), env);
        drain.start();
        return drain;
    }

    private Drain drain(DrainProperties properties) {
        return drain(properties, Map.of());
    }

    private static CountDownLatch stopAsync(Drain drain) {
        CountDownLatch stopped = new CountDownLatch(1);
        drain.stop(stopped::countDown);
        return stopped;
    }

    private static void awaitStopped(CountDownLatch stopped) throws InterruptedException {
        assertThat(stopped.await(30, TimeUnit.SECONDS)).as("drain finished").isTrue();
    }

    /** A handler with nothing in flight. */
    private static final ConnectionHandler IDLE = new ConnectionHandler() {
        @Override
        public void onFrame(ClientFrame frame) {
        }

        @Override
        public void onClose() {
        }
    };

    /** A handler whose sends in flight are answered when the test completes {@link #answered}. */
    private static final class Busy implements ConnectionHandler {
        final CompletableFuture<Void> answered = new CompletableFuture<>();
        final AtomicInteger quiesceCalls = new AtomicInteger();

        @Override
        public void onFrame(ClientFrame frame) {
        }

        @Override
        public void onClose() {
        }

        @Override
        public CompletionStage<Void> quiesce() {
            quiesceCalls.incrementAndGet();
            return answered;
        }
    }

    @Test
    void anEmptyNodeDrainsAtOnceWithReadinessDownAndHandshakesRefused() throws InterruptedException {
        Drain drain = drain(new DrainProperties(Duration.ofSeconds(10), 20, Duration.ofSeconds(5)));

        awaitStopped(stopAsync(drain));

        assertThat(drain.isRunning()).isFalse();
        assertThat(admission.isDraining()).isTrue();
        assertThat(admission.tryAdmit()).isEqualTo(Admission.Refusal.DRAINING);
        assertThat(meters.get("parley.handshakes").tag("reason", "draining").counter().count()).isEqualTo(1);
        assertThat(events).singleElement().isInstanceOfSatisfying(AvailabilityChangeEvent.class,
                event -> assertThat(event.getState()).isEqualTo(ReadinessState.REFUSING_TRAFFIC));
    }

    @Test
    void everyConnectionIsClosedWith1012AndTheNodeEndsEmpty() throws InterruptedException {
        List<Open> open = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            open.add(open(IDLE));
        }
        Drain drain = drain(new DrainProperties(Duration.ofMillis(300), 4, Duration.ofSeconds(5)));

        awaitStopped(stopAsync(drain));

        for (Open connection : open) {
            assertThat(connection.sink().closes()).extracting(CloseStatus::getCode).containsExactly(CloseCodes.SERVICE_RESTART);
        }
        assertThat(connections.count()).isZero();
    }

    @Test
    void aConnectionIsClosedOnlyOnceTheSendsItTookAreAnsweredAndThoseAnswersAreWrittenFirst() throws InterruptedException {
        Busy handler = new Busy();
        Open busy = open(handler);
        Drain drain = drain(new DrainProperties(Duration.ZERO, 1, Duration.ofSeconds(20)));

        CountDownLatch stopped = stopAsync(drain);
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.quiesceCalls.get() == 1);
        assertThat(busy.sink().closes()).as("a send is still being committed").isEmpty();

        assertThat(busy.connection().send(Outgoing.control("{\"type\":\"sent\"}"))).isTrue();
        handler.answered.complete(null);

        awaitStopped(stopped);
        assertThat(busy.sink().written()).containsExactly("{\"type\":\"sent\"}");
        assertThat(busy.sink().closes()).extracting(CloseStatus::getCode).containsExactly(CloseCodes.SERVICE_RESTART);
    }

    @Test
    void aConnectionWhoseSendsAreNotAnsweredWithinTheGraceIsClosedAnyway() throws InterruptedException {
        Busy handler = new Busy();
        Open stuck = open(handler);
        Drain drain = drain(new DrainProperties(Duration.ZERO, 1, Duration.ofMillis(200)));

        awaitStopped(stopAsync(drain));

        assertThat(handler.quiesceCalls).hasValue(1);
        assertThat(stuck.sink().closes()).extracting(CloseStatus::getCode).containsExactly(CloseCodes.SERVICE_RESTART);
    }

    @Test
    void aHandlerSetAfterTheDrainChoseItsConnectionIsQuiescedAtOnce() {
        Connection opening = new Connection("c-opening", "alice", null, queues.open(TestFrameSink.immediate()),
                new FrameRateLimiter(1000, 1000), new TextAssembler(64 * 1024));
        assertThat(opening.quiesce().toCompletableFuture()).as("no handler yet: nothing taken").isCompleted();

        Busy handler = new Busy();
        opening.handledBy(handler);

        assertThat(handler.quiesceCalls).hasValue(1);
    }

    @Test
    void aDrainLongerThanSpringsShutdownPhaseTimeoutFailsStartup() {
        assertThatThrownBy(() -> drain(new DrainProperties(Duration.ofSeconds(10), 20, Duration.ofSeconds(5)),
                Map.of("spring.lifecycle.timeout-per-shutdown-phase", "12s")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("parley.drain.window")
                .hasMessageContaining("spring.lifecycle.timeout-per-shutdown-phase (PT12S)");
    }
}
