package io.parley.server.connection;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RoomWatcher;
import io.parley.server.support.StalledSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many clients with a write pending on the server go away at once, half with a close frame (and
 * never reading again), half with a TCP reset: every one of their queues is released within a
 * bound far below the send-time limit, nothing waits for the watchdog, no socket is terminated
 * with 4500, and no exception escapes a thread of the node.
 */
class ClosedSocketsReleasedIT {

    private static final int CLIENTS = 40;
    /** Out of reach: only the peers' going away may release their queues. */
    private static final Duration SEND_TIME_LIMIT = Duration.ofSeconds(60);
    /** What "at once" is held to on a loaded machine: a peer's close is reported within Tomcat's close wait (100 ms) plus slack. */
    private static final Duration BOUND = Duration.ofSeconds(5);

    @TempDir
    static Path dataDir;
    static ParleyNode node;
    static final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    static Thread.UncaughtExceptionHandler previousHandler;

    @BeforeAll
    static void start() {
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, failure) -> uncaught.add(failure));
        node = SlowClients.node(dataDir, Map.of(
                "parley.outbound.overflow", "TERMINATE",
                "parley.outbound.send-time-limit", SEND_TIME_LIMIT.toMillis() + "ms",
                "parley.outbound.buffer-limit", "64MB"));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
        Thread.setDefaultUncaughtExceptionHandler(previousHandler);
    }

    @Test
    void peersThatCloseOrResetWithAWritePendingReleaseTheirQueuesAtOnce() {
        String room = SlowClients.room("leaving");
        MeterRegistry meters = node.bean(MeterRegistry.class);
        Browser user = SlowClients.user(node, "leaving");
        List<StalledSocket> leaving = new ArrayList<>();
        try (RoomWatcher flooder = RoomWatcher.open(node, RoomWatcher.httpClient(SlowClients.user(node, "flooder"))).join(room)) {
            for (int i = 0; i < CLIENTS; i++) {
                StalledSocket socket = StalledSocket.open(node, user);
                leaving.add(socket);
                socket.join(room);
            }
            try (OutboundProbe probe = OutboundProbe.start(node, 300)) {
                int sent = SlowClients.floodUntilStuck(flooder, room, probe);
                assertThat(gauge(meters, "parley.outbound.queues")).isEqualTo(CLIENTS + 1);
                assertThat(gauge(meters, "parley.outbound.buffered.bytes")).as("frames waiting behind stuck writes").isPositive();

                long started = System.nanoTime();
                for (int i = 0; i < CLIENTS; i++) {
                    if (i % 2 == 0) {
                        leaving.get(i).sendClose(1000);
                    } else {
                        leaving.get(i).reset();
                    }
                }
                SlowClients.within(BOUND).until(() -> gauge(meters, "parley.outbound.queues") == 1
                        && gauge(meters, "parley.outbound.buffered.bytes") == 0);
                System.out.printf("%d peers with writes pending (%d messages flooded) left; queues released after %d ms%n",
                        CLIENTS, sent, (System.nanoTime() - started) / 1_000_000);

                for (String reason : List.of("send_time_limit", "buffer_limit", "node_budget")) {
                    assertThat(probe.terminated(reason)).as("terminated with 4500: " + reason).isZero();
                }
                // The one who stayed is not affected.
                long acks = flooder.acks();
                flooder.send(room, "still here");
                SlowClients.within(Duration.ofSeconds(10)).until(() -> flooder.acks() > acks && flooder.received(room) >= sent + 1);
                assertThat(flooder.problems()).isEmpty();
            }
        } finally {
            leaving.forEach(StalledSocket::close);
        }
        assertThat(uncaught).as("exceptions that escaped a thread").isEmpty();
    }

    private static double gauge(MeterRegistry meters, String name) {
        return meters.get(name).gauge().value();
    }
}
