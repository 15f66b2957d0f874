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
import io.parley.server.support.StalledSocket;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;
import org.springframework.util.unit.DataSize;

import static org.awaitility.Awaitility.await;

/** What the slow-client integration tests share: a node, users, rooms and the flood that stalls a socket. */
final class SlowClients {

    /**
     * The kernel send buffer of every socket the test nodes accept ({@code
     * parley.connections.socket-send-buffer}). Fixed, it is not autotuned: a socket that stopped
     * reading stalls after a known number of bytes, whatever {@code net.ipv4.tcp_wmem} allows and
     * however loaded the machine is. Left to autotuning, the buffer grows in steps while the flood runs
     * (up to 4 MiB here), each step completing a write that looked stuck, and the flood needed varied
     * from 1,000 to over 3,000 messages of {@link #FLOOD_TEXT} characters with the machine's load.
     */
    static final DataSize SOCKET_SEND_BUFFER = DataSize.ofKilobytes(16);
    /** The largest text a message may have: a flood fills the kernel's buffers with few messages. */
    static final int FLOOD_TEXT = 4000;
    /**
     * The most bytes of text a flood sends: 16 times what a stalled socket can hold before the
     * server's write of the next frame stalls. That is the server's send buffer and the client's
     * receive buffer, each doubled by Linux for its bookkeeping, and Tomcat's 8 KiB socket write
     * buffer; the factor covers the kernel's per-segment overhead and the frames in flight.
     */
    static final long MAX_FLOOD_BYTES = 16 * (2 * SOCKET_SEND_BUFFER.toBytes() + 2 * StalledSocket.SMALL_RECEIVE_BUFFER + 8192);

    private static final AtomicInteger users = new AtomicInteger();

    private SlowClients() {
    }

    /** A standalone node in {@code dataDir} with no inbound rate limit or per-user socket cap to speak of, and {@code properties}. */
    static ParleyNode node(Path dataDir, Map<String, String> properties) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("parley.data-dir", dataDir.toString());
        all.put("parley.websocket.frames-per-second", "100000");
        all.put("parley.websocket.frame-burst", "100000");
        all.put("parley.connections.socket-send-buffer", SOCKET_SEND_BUFFER.toBytes() + "B");
        all.put("parley.connections.max-per-user", "1000"); // one user's many sockets stand for many users
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
        try {
            within(atMost).until(() -> watchers.stream().allMatch(w -> w.received(room) >= count));
        } catch (ConditionTimeoutException e) {
            Map<Long, Long> byReceived = new java.util.TreeMap<>();
            watchers.forEach(w -> byReceived.merge(w.received(room), 1L, Long::sum));
            List<String> problems = watchers.stream().flatMap(w -> w.problems().stream()).distinct().limit(10).toList();
            throw new AssertionError("not every watcher received " + count + " messages of " + room + " within " + atMost
                    + "; watchers by messages received: " + byReceived + "; their problems: " + problems, e);
        }
    }

    /**
     * Posts the largest messages to {@code room}, 20 at a time, each batch acknowledged before the
     * next, until {@code probe} sees a stuck write: the kernel's buffers of a socket that stopped
     * reading are full and its outbound queue is buffering. Once {@link #MAX_FLOOD_BYTES} are sent
     * the buffers in force are full, so it stops posting and waits for the probe, which sees the
     * stuck write at the node's next watchdog checks. Then the room falls silent.
     *
     * @return the number of messages posted, labelled {@code flood0}, {@code flood1}, …
     */
    static int floodUntilStuck(RoomWatcher flooder, String room, OutboundProbe probe) {
        int sent = 0;
        while (!probe.stuck() && (long) sent * FLOOD_TEXT < MAX_FLOOD_BYTES) {
            sent = flood(flooder, room, sent, 20);
        }
        int posted = sent;
        within(Duration.ofSeconds(20))
                .alias("a write stuck after " + posted + " messages of " + FLOOD_TEXT
                        + " characters, with a socket send buffer of " + SOCKET_SEND_BUFFER)
                .until(probe::stuck);
        return sent;
    }

    /**
     * Posts {@code count} of the largest messages to {@code room}, labelled from {@code flood<from>}
     * on, 20 at a time, each batch acknowledged before the next.
     *
     * @return {@code from + count}: the label of the next message
     */
    static int flood(RoomWatcher flooder, String room, int from, int count) {
        int sent = from;
        while (sent < from + count) {
            long acked = flooder.acks();
            int batch = Math.min(20, from + count - sent);
            for (int i = 0; i < batch; i++) {
                flooder.send(room, RoomWatcher.stamped("flood" + sent++, FLOOD_TEXT));
            }
            within(Duration.ofSeconds(30)).until(() -> flooder.acks() >= acked + batch);
        }
        return sent;
    }
}
