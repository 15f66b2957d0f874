package io.parley.server.connection;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RoomWatcher;
import io.parley.server.support.StalledSocket;
import io.parley.server.support.SteadySender;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code overflow=RESYNC} (the default) against a real client that stops reading
 * ({@link StalledSocket}), in a busy room with 100 healthy clients: the healthy ones get every
 * message once and in order, at about the pace they had without the slow client; the slow one,
 * once it reads again, finds {@code gap} frames in place of what it could not take, fetches those
 * ranges over HTTP, and ends up with every message of the room exactly once.
 *
 * <p>The send-time limit is set far above the test's stall, so the buffer limit (64 KB here) is the
 * only limit that acts.
 */
class StalledClientResyncedIT {

    private static final int HEALTHY = 100;
    private static final int WATCHERS_PER_HTTP_CLIENT = 25;
    private static final int PER_SECOND = 100;
    private static final Duration RUN = Duration.ofSeconds(5);
    private static final int TEXT = 200;
    private static final DataSize BUFFER_LIMIT = DataSize.ofKilobytes(64);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path dataDir;
    static ParleyNode node;

    @BeforeAll
    static void start() {
        node = SlowClients.node(dataDir, Map.of(
                "parley.outbound.overflow", "RESYNC",
                "parley.outbound.send-time-limit", "60s",
                "parley.outbound.buffer-limit", BUFFER_LIMIT.toKilobytes() + "KB"));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void healthyClientsKeepTheirPaceAndTheStalledOneIsResyncedWithNothingLost() {
        String busy = SlowClients.room("busy");
        String flood = SlowClients.room("flood");
        List<RoomWatcher> healthy = new ArrayList<>();
        Browser slowUser = SlowClients.user(node, "slow");
        try (RoomWatcher sender = RoomWatcher.open(node, RoomWatcher.httpClient(SlowClients.user(node, "sender"))).join(busy);
                RoomWatcher flooder = RoomWatcher.open(node, RoomWatcher.httpClient(SlowClients.user(node, "flooder"))).join(flood)) {
            Browser healthyUser = SlowClients.user(node, "healthy");
            HttpClient http = null;
            for (int i = 0; i < HEALTHY; i++) {
                if (i % WATCHERS_PER_HTTP_CLIENT == 0) {
                    http = RoomWatcher.httpClient(healthyUser);
                }
                healthy.add(RoomWatcher.open(node, http).join(busy));
            }
            int total = 0;
            total += run(sender, busy, "warm", healthy, total); // JIT warm-up, not measured
            takeLatency(healthy);
            total += run(sender, busy, "calm", healthy, total);
            Histogram calm = takeLatency(healthy);

            try (StalledSocket stalled = StalledSocket.open(node, slowUser);
                    OutboundProbe probe = OutboundProbe.start(node, 500)) {
                long floodJoined = stalled.join(flood);
                long busyJoined = stalled.join(busy);
                int flooded = SlowClients.floodUntilStuck(flooder, flood, probe);
                // The write is stuck: whatever comes next for this socket waits in its queue. Enough to
                // pass the buffer limit makes the flood room overflow, however early the stall was seen.
                flooded = SlowClients.flood(flooder, flood, flooded, (int) (BUFFER_LIMIT.toBytes() / SlowClients.FLOOD_TEXT) + 2);
                long droppedBefore = node.bean(OutboundQueues.class).stats().dropped();

                int slow = run(sender, busy, "slow", healthy, total);
                total += slow;
                Histogram withSlow = takeLatency(healthy);
                OutboundStats stats = node.bean(OutboundQueues.class).stats();
                System.out.printf("%d healthy clients, %d msg/s of %d chars for %d s; latency without the slow client: "
                                + "%s; with it: %s; outbound: %s%n", HEALTHY, PER_SECOND, TEXT, RUN.toSeconds(),
                        summary(calm), summary(withSlow), stats);

                assertThat(stats.dropped()).as("room messages replaced by gaps").isGreaterThan(droppedBefore);
                for (RoomWatcher watcher : healthy) {
                    assertThat(watcher.problems()).isEmpty();
                    assertThat(watcher.received(busy)).isEqualTo(total);
                }
                long p99 = withSlow.getValueAtPercentile(99);
                long calmP99 = calm.getValueAtPercentile(99);
                assertThat(p99).as("p99 latency with the slow client (ns)")
                        .isLessThanOrEqualTo(Math.max(5 * calmP99, calmP99 + 200_000_000L));

                // The slow client reads again: every message of each room arrives, or is named by a gap.
                Map<String, Coverage> rooms = Map.of(
                        busy, new Coverage(busyJoined, busyJoined + slow),
                        flood, new Coverage(floodJoined, floodJoined + flooded));
                readUntilCovered(stalled, rooms);
                Coverage busyCoverage = rooms.get(busy);
                assertThat(busyCoverage.gaps).as("gaps in the busy room").isNotEmpty();
                assertThat(rooms.get(flood).gaps).as("gaps in the flood room").isNotEmpty();

                // It fetches each gap's range: exactly the dropped messages, so, with the live ones, the whole room.
                TreeMap<Long, String> labels = new TreeMap<>(busyCoverage.labels);
                for (long[] gap : busyCoverage.gaps) {
                    Map<Long, String> fetched = fetch(slowUser, busy, gap[0], gap[1]);
                    assertThat(fetched.keySet()).containsExactlyElementsOf(
                            IntStream.rangeClosed((int) gap[0], (int) gap[1]).mapToObj(i -> (long) i).toList());
                    assertThat(labels.keySet()).doesNotContainAnyElementsOf(fetched.keySet());
                    labels.putAll(fetched);
                }
                assertThat(labels.values()).containsExactlyElementsOf(
                        IntStream.range(0, slow).mapToObj(i -> "slow" + i).toList());

                // The connection survived the resync.
                stalled.send("{\"type\":\"ping\",\"id\":\"still-there\"}");
                stalled.readUntil(f -> f.isText() && f.text().contains("still-there"), Duration.ofSeconds(10));
            }
        } finally {
            healthy.forEach(RoomWatcher::close);
        }
    }

    /** Sends {@link #PER_SECOND} messages a second for {@link #RUN}; waits until every healthy client has them. */
    private static int run(RoomWatcher sender, String room, String label, List<RoomWatcher> healthy, int before) {
        int sent = SteadySender.run(sender, room, label, TEXT, PER_SECOND, RUN);
        SlowClients.awaitReceived(healthy, room, before + sent, Duration.ofSeconds(60));
        return sent;
    }

    private static Histogram takeLatency(List<RoomWatcher> healthy) {
        Histogram all = new Histogram(3);
        healthy.forEach(watcher -> all.add(watcher.takeLatency()));
        return all;
    }

    private static String summary(Histogram latency) {
        return String.format("p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d deliveries)", latency.getValueAtPercentile(50) / 1e6,
                latency.getValueAtPercentile(99) / 1e6, latency.getMaxValue() / 1e6, latency.getTotalCount());
    }

    /** What the stalled client received of one room after its join: messages and gaps, which must follow each other without hole or overlap. */
    private static final class Coverage {
        final long last;
        long covered;
        final Map<Long, String> labels = new TreeMap<>();
        final List<long[]> gaps = new ArrayList<>();

        Coverage(long joined, long last) {
            this.covered = joined;
            this.last = last;
        }

        void message(long seq, String text) {
            assertThat(seq).as("next message").isEqualTo(covered + 1);
            labels.put(seq, label(text));
            covered = seq;
        }

        void gap(long from, long to) {
            assertThat(from).as("gap start").isEqualTo(covered + 1);
            assertThat(to).as("gap end").isGreaterThanOrEqualTo(from);
            gaps.add(new long[] {from, to});
            covered = to;
        }

        boolean complete() {
            return covered >= last;
        }
    }

    private static void readUntilCovered(StalledSocket stalled, Map<String, Coverage> rooms) {
        while (!rooms.values().stream().allMatch(Coverage::complete)) {
            StalledSocket.Frame frame = stalled.next(Duration.ofSeconds(10));
            assertThat(frame.isText()).as("still open: %s", frame).isTrue();
            JsonNode json = JSON.readTree(frame.text());
            Coverage room = rooms.get(json.path("room").asString());
            if (room == null) {
                continue;
            }
            switch (json.path("type").asString()) {
                case "message" -> room.message(json.path("seq").asLong(), json.path("text").asString());
                case "gap" -> room.gap(json.path("from").asLong(), json.path("to").asLong());
                default -> {
                    // presence
                }
            }
        }
    }

    /** Fetches {@code from..to} with {@code GET /api/rooms/{room}/messages?after=}, 200 at a time; returns labels by seq. */
    private static Map<Long, String> fetch(Browser browser, String room, long from, long to) {
        Map<Long, String> fetched = new TreeMap<>();
        long after = from - 1;
        while (after < to) {
            long limit = Math.min(200, to - after);
            Browser.Response page = browser.get(node.baseUrl() + "/api/rooms/" + room + "/messages?after=" + after + "&limit=" + limit);
            assertThat(page.status()).isEqualTo(200);
            JsonNode messages = page.json().path("messages");
            assertThat(messages.size()).isEqualTo((int) limit);
            for (JsonNode message : messages) {
                fetched.put(message.path("seq").asLong(), label(message.path("text").asString()));
            }
            after += limit;
        }
        return fetched;
    }

    /** The label of a {@link RoomWatcher#stamped} text: its second word. */
    private static String label(String text) {
        int start = text.indexOf(' ') + 1;
        int end = text.indexOf('.', start);
        return text.substring(start, end < 0 ? text.length() : end);
    }
}
