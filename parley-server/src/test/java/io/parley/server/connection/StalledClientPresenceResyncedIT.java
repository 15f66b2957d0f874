package io.parley.server.connection;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import io.parley.server.support.RoomWatcher;
import io.parley.server.support.StalledSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Presence frames are shed and resynced like room messages ({@code overflow=RESYNC}): a client that
 * stops reading while users come and go in its room has its buffered {@code presence-delta}s
 * replaced by one current {@code presence} snapshot when its queue overflows; once it reads again
 * its online list is exactly right, and the connection is still open.
 */
class StalledClientPresenceResyncedIT {

    private static final DataSize BUFFER_LIMIT = DataSize.ofKilobytes(64);
    private static final int CHURNERS = 8;
    private static final int ROUNDS = 5;
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

    private static String nameOf(Browser browser) {
        return browser.get(node.baseUrl() + "/api/me").field("username");
    }

    private static String join(String room) {
        return "{\"type\":\"join\",\"room\":\"" + room + "\"}";
    }

    @Test
    void aStalledClientsPresenceDeltasGiveWayToOneSnapshotAndItsListEndsRight() {
        String room = SlowClients.room("presence");
        Browser slowUser = SlowClients.user(node, "slow");
        Browser observerUser = SlowClients.user(node, "observer");
        Browser flooderUser = SlowClients.user(node, "flooder");
        List<Browser> churnUsers = new ArrayList<>();
        for (int i = 0; i < CHURNERS; i++) {
            churnUsers.add(SlowClients.user(node, "churn"));
        }
        List<String> stayers = List.of(nameOf(slowUser), nameOf(observerUser), nameOf(flooderUser));
        List<String> everyone = new ArrayList<>(stayers);
        churnUsers.forEach(user -> everyone.add(nameOf(user)));
        OutboundStats stats = node.bean(OutboundQueues.class).stats();
        List<RawSocket> churners = new ArrayList<>();
        try (RoomWatcher flooder = RoomWatcher.open(node, RoomWatcher.httpClient(flooderUser)).join(room);
                RawSocket observer = RawSocket.open(node, observerUser);
                StalledSocket stalled = StalledSocket.open(node, slowUser);
                OutboundProbe probe = OutboundProbe.start(node, 500)) {
            observer.send(join(room));
            stalled.join(room);
            observer.awaitOnline(room, stayers);
            int flooded = SlowClients.floodUntilStuck(flooder, room, probe);

            // The stalled socket's write is stuck: each change of the room's users now waits in its queue as a delta.
            churnUsers.forEach(user -> churners.add(RawSocket.open(node, user)));
            for (int round = 0; round < ROUNDS; round++) {
                churners.forEach(churner -> churner.send(join(room)));
                observer.awaitOnline(room, everyone);
                churners.forEach(churner -> churner.send("{\"type\":\"leave\",\"room\":\"" + room + "\"}"));
                observer.awaitOnline(room, stayers);
            }
            long replacedBefore = stats.statesReplaced();
            long snapshotsBefore = stats.snapshots();

            // Enough more messages to pass the buffer limit: the queue resyncs.
            flooded = SlowClients.flood(flooder, room, flooded, (int) (BUFFER_LIMIT.toBytes() / SlowClients.FLOOD_TEXT) + 2);

            assertThat(stats.statesReplaced()).as("presence deltas shed").isGreaterThan(replacedBefore);
            assertThat(stats.snapshots()).as("snapshots queued in their place").isGreaterThan(snapshotsBefore);

            // It reads again, up to the answer to a ping sent now: queued after everything else.
            List<JsonNode> presence = new ArrayList<>();
            stalled.send("{\"type\":\"ping\",\"id\":\"after-flood\"}");
            for (;;) {
                StalledSocket.Frame frame = stalled.next(Duration.ofSeconds(10));
                assertThat(frame.isText()).as("still open: %s", frame).isTrue();
                String text = frame.text();
                if (text.startsWith("{\"type\":\"presence")) {
                    presence.add(JSON.readTree(text));
                } else if (text.startsWith("{\"type\":\"pong\"") && text.contains("after-flood")) {
                    break;
                }
            }

            SortedSet<String> online = new TreeSet<>();
            int snapshots = 0;
            for (JsonNode frame : presence) {
                if (frame.path("type").asString().equals("presence")) {
                    snapshots++;
                    online.clear();
                    frame.path("online").forEach(user -> online.add(user.asString()));
                } else {
                    frame.path("left").forEach(user -> online.remove(user.asString()));
                    frame.path("joined").forEach(user -> online.add(user.asString()));
                }
            }
            long observerDeltas = observer.frames("presence-delta").size();
            System.out.printf("Stalled client: %d presence frames read (%d snapshots), the observer got %d deltas; %s%n",
                    presence.size(), snapshots, observerDeltas, stats);
            assertThat(online).as("the stalled client's list once read").containsExactlyInAnyOrderElementsOf(stayers);
            assertThat(snapshots).as("the join's snapshot and the resync's").isEqualTo(2);
            assertThat(presence.size() - snapshots).as("deltas that reached the stalled client")
                    .isLessThan((int) observerDeltas);
        } finally {
            churners.forEach(RawSocket::close);
        }
    }
}
