package io.parley.server.connection;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.parley.protocol.CloseCodes;
import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import io.parley.server.support.RoomWatcher;
import io.parley.server.support.SteadySender;
import io.parley.server.support.StalledSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Liveness of sockets on a real node, with short settings: a ping every second, an answer due
 * within a second of it, a first frame within 3 s of the handshake, 2 s for an HTTP request to
 * arrive. Real sockets: the JDK's client (which answers pings by itself), a hand-written one that
 * never answers them, raw TCP. The bounds waited for are generous (the machine may be loaded);
 * what is asserted is the close code, and that it came.
 */
class LivenessIT {

    static final Duration BOUND = Duration.ofSeconds(30);

    static ParleyNode node;
    static Browser ann;
    static Browser bob;
    final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void start(@TempDir Path dataDir) {
        node = ParleyNode.start(Map.of("parley.data-dir", dataDir.toString(),
                "parley.websocket.ping-interval", "1s",
                "parley.websocket.pong-timeout", "1s",
                "parley.websocket.first-frame-timeout", "3s",
                "server.tomcat.connection-timeout", "2s",
                "parley.admins", "alive_ann")); // the metrics are for admins
        ann = new Browser().loggedIn(node.baseUrl(), "alive_ann", "correct horse");
        bob = new Browser().loggedIn(node.baseUrl(), "alive_bob", "correct horse");
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable socket : open) {
            socket.close();
        }
        open.clear();
        await().atMost(BOUND).until(() -> node.bean(Connections.class).count() == 0);
    }

    <T extends AutoCloseable> T kept(T socket) {
        open.add(socket);
        return socket;
    }

    static String room() {
        return "alive-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aClientThatNeverAnswersPingsIsClosedWith4000() {
        StalledSocket silent = kept(StalledSocket.open(node, ann));
        silent.join(room()); // a first frame: only the pings are left unanswered
        long timeoutsBefore = stats().pongTimeouts();

        // It reads everything (pings are skipped, never answered) until the close.
        StalledSocket.Frame end = silent.readUntil(f -> f.isClose() || f.isEnd(), BOUND);

        assertThat(end.closeCode()).isEqualTo(CloseCodes.IDLE_TIMEOUT);
        assertThat(stats().pongTimeouts()).isEqualTo(timeoutsBefore + 1);
    }

    @Test
    void aClientThatAnswersPingsStaysOpenAcrossSeveralIntervals() {
        RawSocket quiet = kept(RawSocket.open(node, ann));
        quiet.send("{\"type\":\"join\",\"room\":\"" + room() + "\"}");
        quiet.await("joined");

        // Silent but for the JDK's own pongs: five pings, five answers, each due within a second.
        await().atMost(BOUND).until(() -> quiet.pings() >= 5);

        assertThat(quiet.isOpen()).isTrue();
        quiet.send("{\"type\":\"ping\",\"id\":\"still-here\"}");
        assertThat(quiet.await("pong", "id", "still-here")).isNotNull();
        assertThat(quiet.closed()).isNotDone();
    }

    @Test
    void aBusySocketGetsItsPingsBetweenItsWritesAndLosesNothing() {
        String room = room();
        long pingsBefore = stats().pings();
        long timeoutsBefore = stats().pongTimeouts();
        OutboundStats outbound = node.bean(OutboundQueues.class).stats();
        long writeErrorsBefore = outbound.terminated(TerminationReason.WRITE_ERROR);
        RoomWatcher sender = kept(RoomWatcher.open(node, RoomWatcher.httpClient(ann))).join(room);
        RoomWatcher receiver = kept(RoomWatcher.open(node, RoomWatcher.httpClient(bob))).join(room);

        // 15 messages of 3,000 characters a second, for five ping intervals: pings meet writes in flight.
        int sent;
        try (SteadySender steady = SteadySender.start(sender, room, "busy", 3_000, 15)) {
            await().atMost(BOUND).until(() -> steady.sent() >= 75 && stats().pings() - pingsBefore >= 10);
            sent = steady.stop();
        }
        await().atMost(BOUND).until(() -> receiver.received(room) == sent && sender.received(room) == sent);

        assertThat(receiver.problems()).isEmpty();
        assertThat(sender.problems()).isEmpty();
        assertThat(receiver.closed()).isNotDone();
        assertThat(stats().pongTimeouts()).isEqualTo(timeoutsBefore);
        assertThat(outbound.terminated(TerminationReason.WRITE_ERROR)).isEqualTo(writeErrorsBefore);
    }

    @Test
    void aSocketThatSendsNothingAfterTheHandshakeIsClosedWith4000EvenThoughItAnswersPings() throws Exception {
        long before = stats().firstFrameTimeouts();
        RawSocket mute = kept(RawSocket.open(node, ann));

        assertThat(mute.closed().get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo(CloseCodes.IDLE_TIMEOUT);
        assertThat(mute.pings()).isPositive();
        assertThat(stats().firstFrameTimeouts()).isEqualTo(before + 1);
        assertThat(mute.frames("welcome")).hasSize(1);
    }

    @Test
    void aConnectionThatSendsHalfAnHttpRequestIsClosedByTheServer() throws IOException {
        try (Socket half = new Socket(); Socket mute = new Socket()) {
            half.connect(new InetSocketAddress("127.0.0.1", node.port()), 5_000);
            mute.connect(new InetSocketAddress("127.0.0.1", node.port()), 5_000);
            OutputStream out = half.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + node.port() + "\r\nUpgrade: websocket\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();

            assertThat(readsToTheEnd(half)).as("the half request's connection is closed").isTrue();
            assertThat(readsToTheEnd(mute)).as("the connection that sent nothing is closed").isTrue();
        }
    }

    /** Reads until the server closes the connection (true), or the bound passes with it still open (false). */
    static boolean readsToTheEnd(Socket socket) throws IOException {
        socket.setSoTimeout((int) BOUND.toMillis());
        InputStream in = socket.getInputStream();
        try {
            while (in.read() >= 0) {
                // whatever the server says before closing
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true; // a reset is a close too
        }
    }

    @Test
    void thePrometheusEndpointCountsFramesClosesByCodeAndDeliveries() throws Exception {
        Scrape before = Scrape.of(node);
        RawSocket mute = RawSocket.open(node, bob); // says nothing: closed by the server with 4000
        assertThat(mute.closed().get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo(CloseCodes.IDLE_TIMEOUT);
        String room = room();
        RawSocket a = kept(RawSocket.open(node, ann));
        RawSocket b = kept(RawSocket.open(node, bob));
        a.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
        a.await("joined");
        b.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
        b.await("joined");
        for (int i = 0; i < 5; i++) {
            a.send("{\"type\":\"ping\",\"id\":\"p" + i + "\"}");
        }
        a.await("pong", "id", "p4");
        a.send("{\"type\":\"send\",\"room\":\"" + room + "\",\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"text\":\"hello\"}");
        a.await("sent");
        a.await("message");
        b.await("message");

        await().atMost(BOUND).untilAsserted(() -> {
            Scrape now = Scrape.of(node);
            // In: 2 joins, 5 pings, 1 send. Out: every text frame the three clients received.
            assertThat(now.delta(before, "parley_frames_total", "direction=\"in\"")).isEqualTo(8);
            assertThat(now.delta(before, "parley_frames_total", "direction=\"out\""))
                    .isEqualTo(a.frames().size() + b.frames().size() + mute.frames().size());
            // The message, delivered live to both members; a's pongs, acks and joins are not timed.
            assertThat(now.delta(before, "parley_delivery_latency_seconds_count", "")).isEqualTo(2);
            assertThat(now.value("parley_delivery_latency_seconds_bucket", "le=\"+Inf\"")).isGreaterThanOrEqualTo(2);
            assertThat(now.delta(before, "parley_connections_closed_total", "code=\"4000\"")).isEqualTo(1);
            assertThat(now.delta(before, "parley_heartbeat_timeouts_total", "reason=\"first_frame\"")).isEqualTo(1);
            assertThat(now.value("parley_heartbeat_pings_total", "")).isPositive();
            assertThat(now.value("process_files_open_files", "")).isPositive();
            assertThat(now.value("process_files_max_files", "")).isGreaterThan(now.value("process_files_open_files", ""));
        });

        a.closeNormally();
        b.closeNormally();
        await().atMost(BOUND).until(() -> node.bean(Connections.class).count() == 0);
        Scrape after = Scrape.of(node);
        assertThat(after.delta(before, "parley_connections_closed_total", "code=\"1000\"")).isEqualTo(2);
        assertThat(after.delta(before, "parley_connections_closed_total", "code=\"4000\"")).isEqualTo(1);
        assertThat(after.delta(before, "parley_connections_closed_total", "code=\"other\"")).isZero();
    }

    static ConnectionStats stats() {
        return node.bean(Connections.class).stats();
    }

    /** One scrape of {@code /actuator/prometheus}, in the text format. */
    record Scrape(List<String> lines) {

        /** As admin {@code ann}: the metrics are for admins. */
        static Scrape of(ParleyNode node) {
            Browser.Response response = ann.get(node.baseUrl() + "/actuator/prometheus");
            assertThat(response.status()).isEqualTo(200);
            return new Scrape(response.body().lines().filter(line -> !line.startsWith("#")).toList());
        }

        /** The sum of the samples of {@code name} whose labels contain {@code label} ("" for any). */
        double value(String name, String label) {
            double sum = 0;
            boolean found = false;
            for (String line : lines) {
                int space = line.lastIndexOf(' ');
                String series = line.substring(0, space);
                String metric = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
                if (metric.equals(name) && series.contains(label)) {
                    sum += Double.parseDouble(line.substring(space + 1));
                    found = true;
                }
            }
            assertThat(found).as(name + " with " + label + " is exposed").isTrue();
            return sum;
        }

        double delta(Scrape before, String name, String label) {
            return value(name, label) - before.value(name, label);
        }
    }
}
