package io.parley.server.connection;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RoomWatcher;
import io.parley.server.support.StalledSocket;
import io.parley.server.support.SteadySender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code overflow=TERMINATE} against a real client that stops reading ({@link StalledSocket}): the
 * watchdog closes its socket within the send-time limit plus one second of the moment its write got
 * stuck — whether the room keeps talking or falls silent right after the stall, which is the case
 * Spring's decorator never closes — and everyone else in the room gets every message.
 *
 * <p>The buffer limit is set far above what the test sends, so the send-time limit is the only
 * limit that can close the socket.
 */
class StalledClientTerminatedIT {

    private static final Duration SEND_TIME_LIMIT = Duration.ofSeconds(2);
    /** The bound the test holds the watchdog to: the limit, one check interval (200 ms) and slack for a loaded machine. */
    private static final Duration BOUND = SEND_TIME_LIMIT.plusSeconds(1);
    /** A write pending this long is the stalled socket's: a healthy client's completes in milliseconds. */
    private static final long STUCK_AFTER_MILLIS = 300;
    /** Not closed early: the limit, less what the probe's sampling may be late by on a loaded machine. */
    private static final Duration NOT_BEFORE = SEND_TIME_LIMIT.minusMillis(500);
    private static final int HEALTHY = 10;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path dataDir;
    static ParleyNode node;

    @BeforeAll
    static void start() {
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
    }

    @Test
    void stalledReaderIsClosedWithinTheSendTimeLimitEvenWhenTheRoomFallsSilent() {
        String room = SlowClients.room("silent");
        List<RoomWatcher> healthy = new ArrayList<>();
        try (RoomWatcher flooder = watcher(SlowClients.user(node, "flooder")).join(room);
                StalledSocket stalled = StalledSocket.open(node, SlowClients.user(node, "slow"))) {
            long joinedAt = stalled.join(room);
            HttpClient http = RoomWatcher.httpClient(SlowClients.user(node, "healthy"));
            for (int i = 0; i < HEALTHY; i++) {
                healthy.add(RoomWatcher.open(node, http).join(room));
            }
            try (OutboundProbe probe = OutboundProbe.start(node, STUCK_AFTER_MILLIS)) {
                int sent = SlowClients.floodUntilStuck(flooder, room, probe);
                long silentSince = System.nanoTime(); // every message acknowledged: nothing more is sent

                SlowClients.within(BOUND.plusSeconds(5)).until(probe::terminated);
                Duration took = Duration.ofNanos(probe.terminatedAt() - probe.stuckSince());
                System.out.printf("silent room: stuck after %d messages; the room fell silent %d ms after the write got stuck; "
                        + "terminated %d ms after it got stuck (limit %d ms)%n", sent,
                        (silentSince - probe.stuckSince()) / 1_000_000, took.toMillis(), SEND_TIME_LIMIT.toMillis());
                assertThat(probe.terminatedAt()).as("terminated after the room fell silent").isGreaterThan(silentSince);
                assertThat(took).isLessThanOrEqualTo(BOUND).isGreaterThan(NOT_BEFORE);

                assertStalledClientReadAPrefixThenTheEnd(stalled, room, joinedAt, sent);
                assertEveryoneElseGotEverything(healthy, room, sent);
            }
        } finally {
            healthy.forEach(RoomWatcher::close);
        }
    }

    @Test
    void stalledReaderIsClosedWithinTheSendTimeLimitWhileOthersKeepSending() {
        String room = SlowClients.room("talking");
        List<RoomWatcher> healthy = new ArrayList<>();
        try (RoomWatcher flooder = watcher(SlowClients.user(node, "flooder")).join(room);
                StalledSocket stalled = StalledSocket.open(node, SlowClients.user(node, "slow"))) {
            long joinedAt = stalled.join(room);
            HttpClient http = RoomWatcher.httpClient(SlowClients.user(node, "healthy"));
            for (int i = 0; i < HEALTHY; i++) {
                healthy.add(RoomWatcher.open(node, http).join(room));
            }
            try (OutboundProbe probe = OutboundProbe.start(node, STUCK_AFTER_MILLIS)) {
                int flood = SlowClients.floodUntilStuck(flooder, room, probe);
                SteadySender talk = SteadySender.start(flooder, room, "talk", 200, 50);
                SlowClients.within(BOUND.plusSeconds(5)).until(probe::terminated);
                int talking = talk.sent();
                // Keep talking a little after the close: the others must not notice anything.
                SlowClients.within(Duration.ofSeconds(10)).until(() -> talk.sent() >= talking + 25);
                int sent = flood + talk.stop();
                Duration took = Duration.ofNanos(probe.terminatedAt() - probe.stuckSince());
                System.out.printf("talking room: stuck after %d messages; %d more sent until the close; "
                        + "terminated %d ms after it got stuck (limit %d ms)%n", flood, talking, took.toMillis(),
                        SEND_TIME_LIMIT.toMillis());
                assertThat(talking).as("messages sent while the socket was stuck").isPositive();
                assertThat(took).isLessThanOrEqualTo(BOUND).isGreaterThan(NOT_BEFORE);

                assertStalledClientReadAPrefixThenTheEnd(stalled, room, joinedAt, sent);
                assertEveryoneElseGotEverything(healthy, room, sent);
            }
        } finally {
            healthy.forEach(RoomWatcher::close);
        }
    }

    private static RoomWatcher watcher(Browser user) {
        return RoomWatcher.open(node, RoomWatcher.httpClient(user));
    }

    /**
     * Once the client reads again, it finds the room's messages from the first on, in order, cut off
     * after what its kernel buffers held, then the end of the connection. The 4500 close frame is
     * sent only if the client drains the socket within Tomcat's close timeout (50 ms for an abnormal
     * close); a client that stays stalled longer sees the connection end without it, often inside a
     * frame: a client reports that as 1006, and reconnects and resumes either way.
     */
    private static void assertStalledClientReadAPrefixThenTheEnd(StalledSocket stalled, String room, long joinedAt, int sent) {
        List<Long> seqs = new ArrayList<>();
        StalledSocket.Frame frame;
        while ((frame = stalled.next(Duration.ofSeconds(10))).isText()) {
            JsonNode json = JSON.readTree(frame.text());
            if ("message".equals(json.path("type").asString()) && room.equals(json.path("room").asString())) {
                seqs.add(json.path("seq").asLong());
            }
        }
        System.out.printf("the stalled client read %d messages, then %s%n", seqs.size(), frame);
        assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(joinedAt + 1, joinedAt + seqs.size()).boxed().toList());
        assertThat(seqs.size()).as("messages that reached the stalled client").isLessThan(sent);
        assertThat(frame.closeCode()).isIn(4500, 1006);
    }

    private static void assertEveryoneElseGotEverything(List<RoomWatcher> healthy, String room, int sent) {
        SlowClients.awaitReceived(healthy, room, sent, Duration.ofSeconds(30));
        for (RoomWatcher watcher : healthy) {
            assertThat(watcher.problems()).isEmpty();
            assertThat(watcher.received(room)).isEqualTo(sent);
            assertThat(watcher.last(room)).isEqualTo(watcher.joinedAt(room) + sent);
        }
    }
}
