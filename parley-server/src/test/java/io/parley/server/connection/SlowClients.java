package io.parley.server.connection;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RoomWatcher;
import org.awaitility.core.ConditionFactory;

import static org.awaitility.Awaitility.await;

/** What the slow-client integration tests share: a node, users, rooms and the flood that stalls a socket. */
final class SlowClients {

    /** The most messages a flood sends: 12 MB, four times what a stalled socket takes on Linux loopback before the server's writes stall. */
    static final int MAX_FLOOD = 3000;
    /** The largest text a message may have: a flood fills the kernel's buffers with few messages. */
    static final int FLOOD_TEXT = 4000;

    private static final AtomicInteger users = new AtomicInteger();

    private SlowClients() {
    }

    /** A standalone node in {@code dataDir} with no inbound rate limit to speak of, and {@code properties}. */
    static ParleyNode node(Path dataDir, Map<String, String> properties) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("parley.data-dir", dataDir.toString());
        all.put("parley.websocket.frames-per-second", "100000");
        all.put("parley.websocket.frame-burst", "100000");
        all.putAll(properties);
        return ParleyNode.start(all);
    }

    static Browser user(ParleyNode node, String prefix) {
        return new Browser().loggedIn(node.baseUrl(), prefix + "_" + users.incrementAndGet(), "correct horse");
    }

    static String room(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A bounded wait that polls every 10 ms: the tests wait for many clients, and measure time. */
    static ConditionFactory within(Duration atMost) {
        return await().atMost(atMost).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
    }

    /** Waits until every watcher has received {@code count} messages of {@code room} since it joined. */
    static void awaitReceived(List<RoomWatcher> watchers, String room, long count, Duration atMost) {
        within(atMost).until(() -> watchers.stream().allMatch(w -> w.received(room) >= count));
    }

    /**
     * Posts the largest messages to {@code room}, 20 at a time, each batch acknowledged before the
     * next, until {@code probe} sees a stuck write: the kernel's buffers of a socket that stopped
     * reading are full and its outbound queue is buffering. Then the room falls silent.
     *
     * @return the number of messages posted
     */
    static int floodUntilStuck(RoomWatcher flooder, String room, OutboundProbe probe) {
        int sent = 0;
        while (!probe.stuck()) {
            if (sent >= MAX_FLOOD) {
                throw new AssertionError("no write stuck after " + sent + " messages of " + FLOOD_TEXT + " characters");
            }
            long acked = flooder.acks();
            for (int i = 0; i < 20; i++) {
                flooder.send(room, RoomWatcher.stamped("flood" + sent++, FLOOD_TEXT));
            }
            within(Duration.ofSeconds(30)).until(() -> flooder.acks() >= acked + 20);
        }
        return sent;
    }
}
