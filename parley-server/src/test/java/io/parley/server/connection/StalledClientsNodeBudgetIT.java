package io.parley.server.connection;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RoomWatcher;
import io.parley.server.support.StalledSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The node budget against 50 real clients that stop reading ({@link StalledSocket}) in a busy room:
 * what all queues of the node hold together stays within the budget plus one buffer limit (and one
 * frame) the whole time; the heap does not grow with the backlog; and the healthy clients get
 * everything.
 *
 * <p>{@code buffer-limit} (1 MB) times 50 sockets is far above {@code node-budget} (8 MB): only the
 * budget can keep the sum down. The send-time limit is set above the test's length.
 */
class StalledClientsNodeBudgetIT {

    private static final DataSize BUDGET = DataSize.ofMegabytes(8);
    private static final DataSize BUFFER_LIMIT = DataSize.ofMegabytes(1);
    /** Beyond the budget plus one buffer limit, the enqueueing thread sheds before it returns. */
    private static final DataSize CEILING = DataSize.ofBytes(BUDGET.toBytes() + BUFFER_LIMIT.toBytes());
    /** For control frames (acknowledgements) that are never shed, and presence frames kept while smaller than a snapshot. */
    private static final DataSize SLACK = DataSize.ofKilobytes(64);
    private static final int STALLED = 50;
    private static final int HEALTHY = 5;
    /** Messages of the largest size: a dozen fill the kernel buffers of a stalled socket, the rest go to the queues. */
    private static final int MESSAGES = 1200;

    @TempDir
    static Path dataDir;
    static ParleyNode node;

    @BeforeAll
    static void start() {
        node = SlowClients.node(dataDir, Map.of(
                "parley.outbound.overflow", "RESYNC",
                "parley.outbound.send-time-limit", "60s",
                "parley.outbound.buffer-limit", BUFFER_LIMIT.toMegabytes() + "MB",
                "parley.outbound.node-budget", BUDGET.toMegabytes() + "MB"));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void bufferedBytesStayWithinTheNodeBudgetWithFiftyStalledClientsInABusyRoom() {
        String room = SlowClients.room("crowded");
        List<StalledSocket> stalled = new ArrayList<>();
        List<RoomWatcher> healthy = new ArrayList<>();
        OutboundStats stats = node.bean(OutboundQueues.class).stats();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (RoomWatcher sender = RoomWatcher.open(node, RoomWatcher.httpClient(SlowClients.user(node, "sender"))).join(room)) {
            HttpClient http = RoomWatcher.httpClient(SlowClients.user(node, "healthy"));
            for (int i = 0; i < HEALTHY; i++) {
                healthy.add(RoomWatcher.open(node, http).join(room));
            }
            Browser slowUser = SlowClients.user(node, "slow");
            for (int i = 0; i < STALLED; i++) {
                StalledSocket socket = StalledSocket.open(node, slowUser);
                stalled.add(socket);
                socket.join(room);
            }
            long heapBefore = heapAfterGc(memory);
            long droppedBefore = stats.dropped();
            int sent = 0;
            long frameBytes;
            try (OutboundProbe probe = OutboundProbe.everyMillisecond(node, 500)) {
                String text = RoomWatcher.stamped("crowd", SlowClients.FLOOD_TEXT);
                frameBytes = Outgoing.utf8Length(text) + 200; // and the frame's JSON around the text
                while (sent < MESSAGES) {
                    long acked = sender.acks();
                    for (int i = 0; i < 20; i++) {
                        sender.send(room, RoomWatcher.stamped("crowd" + sent++, SlowClients.FLOOD_TEXT));
                    }
                    SlowClients.within(Duration.ofSeconds(30)).until(() -> sender.acks() >= acked + 20);
                }
                int total = sent;
                SlowClients.awaitReceived(healthy, room, total, Duration.ofSeconds(60));
                SlowClients.awaitReceived(List.of(sender), room, total, Duration.ofSeconds(60));
                System.out.printf("%d stalled clients, %d messages of %d B: buffered at most %d B (budget %d B, "
                                + "ceiling %d B; %d samples); now %s%n", STALLED, total, frameBytes,
                        (long) probe.maxBufferedBytes(), BUDGET.toBytes(), CEILING.toBytes(), probe.samples(), stats);
                assertThat(stats.dropped() - droppedBefore).as("room messages shed").isPositive();
                assertThat(stats.terminated(TerminationReason.NODE_BUDGET) + stats.terminated(TerminationReason.BUFFER_LIMIT)
                        + stats.terminated(TerminationReason.SEND_TIME_LIMIT)).as("terminations").isZero();
                // One room: one thread enqueues its broadcasts, so one frame at most is in flight above the ceiling.
                assertThat((long) probe.maxBufferedBytes()).as("the most bytes buffered at once")
                        .isLessThanOrEqualTo(CEILING.toBytes() + frameBytes + SLACK.toBytes());
            }
            for (RoomWatcher watcher : healthy) {
                assertThat(watcher.problems()).isEmpty();
                assertThat(watcher.received(room)).isEqualTo(sent);
            }
            long heapAfter = heapAfterGc(memory);
            System.out.printf("heap used after GC: %d MB before, %d MB after (growth %d MB)%n", heapBefore >> 20,
                    heapAfter >> 20, (heapAfter - heapBefore) >> 20);
            assertThat(heapAfter - heapBefore).as("heap growth (bytes)").isLessThanOrEqualTo(BUDGET.toBytes() * 4);
        } finally {
            stalled.forEach(StalledSocket::close);
            healthy.forEach(RoomWatcher::close);
        }
    }

    private static long heapAfterGc(MemoryMXBean memory) {
        memory.gc();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
