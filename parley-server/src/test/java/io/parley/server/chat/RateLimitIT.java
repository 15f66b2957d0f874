package io.parley.server.chat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.parley.protocol.CloseCodes;
import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import io.parley.server.support.TwoNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The per-user send rate on a real cluster: one user flooding from three connections on two nodes
 * gets about the rate and burst of one user ({@code parley.chat.send-rate} 20/s, {@code send-burst}
 * 40) while another user's messages all go through; and on a standalone node with the defaults, a
 * connection that keeps going after {@code rate_limited} is closed with 1008 {@code rate limit}.
 * Bounds on counts are generous: nothing here depends on the machine's speed.
 */
class RateLimitIT {

    private static final int RATE = 20;
    private static final int BURST = 40;
    /** Flood frames in all: five seconds at 1000 a second, or longer on a slow machine. */
    private static final int FLOOD_FRAMES = 5000;

    @Test
    void oneUserFloodingFromThreeConnectionsOnTwoNodesIsLimitedAsOneUser() throws Exception {
        try (TwoNodes nodes = TwoNodes.start(Map.of(
                // The per-connection frame rate out of the way: what is measured is the user's send rate.
                "parley.websocket.frames-per-second", "100000",
                "parley.websocket.frame-burst", "100000",
                // Flooders are not closed here: the 1008 is the next test's.
                "parley.websocket.max-rate-limited", "100000000",
                "parley.chat.send-rate", Integer.toString(RATE),
                "parley.chat.send-burst", Integer.toString(BURST)))) {
            String a = nodes.a().baseUrl();
            String b = nodes.b().baseUrl();
            Browser flooder = new Browser().loggedIn(a, "flooder", "correct horse");
            Browser steady = new Browser().loggedIn(a, "steady", "correct horse");
            Browser watcher = new Browser().loggedIn(a, "watcher", "correct horse");
            String room = "flood-" + UUID.randomUUID().toString().substring(0, 8);
            List<RawSocket> floods = List.of(RawSocket.open(a, flooder), RawSocket.open(a, flooder), RawSocket.open(b, flooder));
            RawSocket steadySocket = RawSocket.open(b, steady);
            RawSocket watch = RawSocket.open(a, watcher);
            ScheduledExecutorService pace = Executors.newScheduledThreadPool(4);
            try {
                List<RawSocket> all = new ArrayList<>(floods);
                all.add(steadySocket);
                all.add(watch);
                for (RawSocket socket : all) {
                    socket.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
                    socket.await("joined", "room", room);
                }
                // Each node sees the flooder connected on both before the flood starts.
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        nodes.a().bean(io.parley.server.cluster.Registry.class).nodesOf("flooder").size() == 2);

                Map<RawSocket, Set<String>> floodIds = new ConcurrentHashMap<>();
                List<ScheduledFuture<?>> tasks = new ArrayList<>();
                // About 1000 messages a second in all: 3 or 4 per connection every 10 ms.
                for (RawSocket socket : floods) {
                    Set<String> ids = ConcurrentHashMap.newKeySet();
                    floodIds.put(socket, ids);
                    tasks.add(pace.scheduleAtFixedRate(() -> {
                        for (int i = 0; i < 3 + (ThreadLocalRandom.current().nextInt(3) == 0 ? 1 : 0); i++) {
                            String id = UUID.randomUUID().toString();
                            ids.add(id);
                            socket.send(send(room, id, "flood"));
                        }
                    }, 0, 10, TimeUnit.MILLISECONDS));
                }
                AtomicInteger steadySent = new AtomicInteger();
                tasks.add(pace.scheduleAtFixedRate(() -> steadySocket.send(send(room, UUID.randomUUID().toString(),
                        "steady " + steadySent.getAndIncrement())), 0, 200, TimeUnit.MILLISECONDS));
                long started = System.nanoTime();
                await().atMost(Duration.ofSeconds(120)).until(() -> floodIds.values().stream().mapToInt(Set::size).sum() >= FLOOD_FRAMES);
                tasks.forEach(task -> task.cancel(false));
                pace.shutdown();
                assertThat(pace.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
                double seconds = (System.nanoTime() - started) / 1e9;

                // Every flood frame is answered: acknowledged, or refused with rate_limited and its clientMsgId.
                int floodFrames = floodIds.values().stream().mapToInt(Set::size).sum();
                for (RawSocket socket : floods) {
                    int frames = floodIds.get(socket).size();
                    await().atMost(Duration.ofSeconds(60)).until(() -> socket.frames("sent").size() + socket.frames("error").size() >= frames);
                    for (JsonNode error : socket.frames("error")) {
                        assertThat(error.path("code").asString()).isEqualTo("rate_limited");
                        assertThat(floodIds.get(socket)).contains(error.path("ref").asString());
                    }
                }
                int accepted = floods.stream().mapToInt(socket -> socket.frames("sent").size()).sum();
                assertThat(floodFrames).as("flood frames sent").isGreaterThan(10 * RATE * (int) seconds);
                // One user's bucket: the rate over the flood plus the burst, with room for the moment the nodes take their shares.
                assertThat(accepted).as("accepted of %d in %.1f s", floodFrames, seconds)
                        .isBetween((int) (RATE * seconds * 0.5), (int) (RATE * (seconds + 2) + 2 * BURST));

                // The other user was never limited, and the room delivered every message of both.
                int steadyCount = steadySent.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> steadySocket.frames("sent").size() == steadyCount);
                assertThat(steadySocket.frames("error")).isEmpty();
                await().atMost(Duration.ofSeconds(30)).until(() -> watch.frames("message").size() == accepted + steadyCount);
                assertThat(watch.frames("message").stream().filter(m -> "steady".equals(m.path("from").asString()))
                        .map(m -> m.path("text").asString()).toList())
                        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, steadyCount).mapToObj(i -> "steady " + i).toList());
            } finally {
                pace.shutdownNow();
                floods.forEach(RawSocket::close);
                steadySocket.close();
                watch.close();
            }
        }
    }

    @Test
    void aConnectionThatIgnoresRateLimitedIsClosedWith1008AndOthersGoOn(@TempDir Path dataDir) {
        try (ParleyNode node = ParleyNode.start(Map.of("parley.data-dir", dataDir.toString(),
                // The defaults, which the test nodes otherwise raise.
                "parley.chat.send-rate", Integer.toString(RATE),
                "parley.chat.send-burst", Integer.toString(BURST)))) {
            Browser mallory = new Browser().loggedIn(node.baseUrl(), "mallory", "correct horse");
            Browser alice = new Browser().loggedIn(node.baseUrl(), "alice", "correct horse");
            try (RawSocket abuser = RawSocket.open(node, mallory); RawSocket other = RawSocket.open(node, alice)) {
                abuser.await("welcome");
                // Far over the frame rate (20/s, bursts of 50): the budget of 100 rate_limited answers runs out.
                for (int i = 0; i < 1000 && abuser.isOpen(); i++) {
                    try {
                        abuser.send("{\"type\":\"ping\",\"id\":\"p" + i + "\"}");
                    } catch (RuntimeException closedMeanwhile) {
                        break;
                    }
                }
                assertThat(abuser.closed()).succeedsWithin(Duration.ofSeconds(30)).isEqualTo(CloseCodes.POLICY_VIOLATION);
                assertThat(abuser.closeReason()).isEqualTo(CloseCodes.RATE_LIMIT_REASON);
                assertThat(abuser.frames("error")).hasSizeGreaterThanOrEqualTo(50)
                        .allSatisfy(error -> assertThat(error.path("code").asString()).isEqualTo("rate_limited"));
                assertThat(abuser.frames("pong")).hasSizeGreaterThanOrEqualTo(50);

                other.send("{\"type\":\"ping\",\"id\":\"fine\"}");
                assertThat(other.await("pong").path("id").asString()).isEqualTo("fine");
            }
            // A closed abuser may come back: the close is not a ban.
            try (RawSocket again = RawSocket.open(node, mallory)) {
                again.send("{\"type\":\"ping\",\"id\":\"back\"}");
                assertThat(again.await("pong").path("id").asString()).isEqualTo("back");
            }
        }
    }

    private static String send(String room, String id, String text) {
        return "{\"type\":\"send\",\"room\":\"" + room + "\",\"clientMsgId\":\"" + id + "\",\"text\":\"" + text + "\"}";
    }
}
