package io.parley.client;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.parley.client.TestMessages.eventually;
import static io.parley.client.TestMessages.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JDK transport against real WebSocket framing on a loopback socket. */
class JdkWebSocketTransportTests {

    private final MiniWebSocketServer server = new MiniWebSocketServer();
    private final JdkWebSocketTransport transport = new JdkWebSocketTransport(HttpClient.newHttpClient());
    private final Recorder recorder = new Recorder();

    JdkWebSocketTransportTests() throws IOException {
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void sendsTheHandshakeHeadersAndAssemblesAFragmentedMessage() throws Exception {
        MiniWebSocketServer.Peer peer = open(Map.of("Origin", "http://127.0.0.1", "Cookie", "SESSION=s1"));

        assertThat(peer.headers).containsEntry(":path", "/ws").containsEntry("origin", "http://127.0.0.1")
                .containsEntry("cookie", "SESSION=s1");

        peer.sendFragmented("{\"type\":\"pong\",", "\"id\":\"", "héllo\"}");
        eventually().until(() -> recorder.texts.size() == 1);
        assertThat(recorder.texts).containsExactly("{\"type\":\"pong\",\"id\":\"héllo\"}");
    }

    @Test
    void readsTheNextMessageOnlyOnceTheCurrentOneIsProcessed() throws Exception {
        CompletableFuture<Void> processing = new CompletableFuture<>();
        recorder.gate = processing;
        MiniWebSocketServer.Peer peer = open(Map.of());

        peer.sendText("one");
        peer.sendText("two");
        peer.sendText("three");

        eventually().during(Duration.ofMillis(200)).until(() -> recorder.texts.size() == 1);
        recorder.gate = CompletableFuture.completedFuture(null);
        processing.complete(null);
        eventually().until(() -> recorder.texts.size() == 3);
        assertThat(recorder.texts).containsExactly("one", "two", "three");
    }

    @Test
    void sendsManyMessagesInOrderOneAtATime() throws Exception {
        MiniWebSocketServer.Peer peer = open(Map.of());
        List<String> expected = new ArrayList<>();
        String big = "x".repeat(70_000);
        for (int i = 0; i < 300; i++) {
            String text = i % 100 == 0 ? i + big : Integer.toString(i);
            expected.add(text);
            recorder.connection.send(text); // the JDK allows one sendText in flight: the transport chains them
        }

        List<String> received = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            received.add(peer.readText());
        }

        assertThat(received).isEqualTo(expected);
        assertThat(recorder.ends).isEmpty();
    }

    @Test
    void aRefusedHandshakeReportsItsStatusAndRetryAfter() {
        server.refuse(503, "7");

        transport.connect(wsUri(), Map.of(), Duration.ofSeconds(5), recorder);

        eventually().until(() -> recorder.error != null);
        assertThat(recorder.error).isInstanceOfSatisfying(HandshakeRejectedException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
            assertThat(e.isRetryable()).isTrue();
        });
        assertThat(recorder.connection).isNull();
    }

    @Test
    void theServersCloseCodeAndReasonAreReported() throws Exception {
        MiniWebSocketServer.Peer peer = open(Map.of());

        peer.sendClose(CloseCodes.SERVICE_RESTART, "draining");

        eventually().until(() -> !recorder.ends.isEmpty());
        assertThat(recorder.ends).containsExactly("close 1012 draining");
        assertThat(peer.readFrame().opcode()).as("the close is echoed").isEqualTo(0x8);
    }

    @Test
    void abortDropsTheSocketAndIsReportedOnceAsAbnormalClosure() throws Exception {
        MiniWebSocketServer.Peer peer = open(Map.of());

        recorder.connection.abort();
        recorder.connection.abort();

        assertThat(recorder.ends).containsExactly("close 1006 aborted");
        assertThatThrownBy(peer::readFrame).isInstanceOf(IOException.class);
    }

    @Test
    void aDroppedSocketEndsTheConnection() throws Exception {
        MiniWebSocketServer.Peer peer = open(Map.of());

        peer.kill();

        eventually().until(() -> recorder.ends.size() == 1);
    }

    @Test
    void closeSendsACloseFrameWithTheCodeAfterQueuedMessages() throws Exception {
        MiniWebSocketServer.Peer peer = open(Map.of());

        recorder.connection.send("last words");
        recorder.connection.close(CloseCodes.NORMAL, "bye");

        assertThat(peer.readText()).isEqualTo("last words");
        MiniWebSocketServer.Frame close = peer.readFrame();
        assertThat(close.opcode()).isEqualTo(0x8);
        assertThat(close.closeCode()).isEqualTo(CloseCodes.NORMAL);
    }

    @Test
    void aClientOverThisTransportResumesByItselfWhenItsSocketDies() throws Exception {
        FrameCodec codec = new FrameCodec();
        List<ServerFrame> frames = new CopyOnWriteArrayList<>();
        try (ParleyClient client = ParleyClient.builder(server.baseUri())
                .httpClient(HttpClient.newHttpClient())
                .cookies(() -> "SESSION=s1")
                .backoff(Duration.ofMillis(1), Duration.ofMillis(20))
                .heartbeat(Duration.ZERO)
                .build()
                .onFrame(frames::add)) {
            var connected = client.connect();
            MiniWebSocketServer.Peer first = server.nextPeer();
            assertThat(first.headers).containsEntry("origin", server.baseUri().toString());
            first.sendText(codec.encode(new ServerFrame.Welcome("alice", "node-a", 1)));
            connected.get();
            client.join("general");
            assertThat(codec.decodeClient(first.readText())).isEqualTo(new ClientFrame.Join("general", null));
            first.sendText(codec.encode(new ServerFrame.Joined("general", 0)));
            first.sendText(codec.encode(message("general", 1)));
            eventually().until(() -> client.lastSeq("general") == 1);

            first.kill();

            MiniWebSocketServer.Peer second = server.nextPeer();
            second.sendText(codec.encode(new ServerFrame.Welcome("alice", "node-b", 1)));
            assertThat(codec.decodeClient(second.readText())).isEqualTo(new ClientFrame.Join("general", 1L));
            second.sendText(codec.encode(new ServerFrame.Joined("general", 2)));
            second.sendText(codec.encode(message("general", 2)));
            eventually().until(() -> client.state() == ConnectionState.RESUMED && client.lastSeq("general") == 2);
            assertThat(client.welcome().node()).isEqualTo("node-b");
        }
    }

    private MiniWebSocketServer.Peer open(Map<String, String> headers) throws InterruptedException {
        transport.connect(wsUri(), headers, Duration.ofSeconds(5), recorder);
        MiniWebSocketServer.Peer peer = server.nextPeer();
        eventually().until(() -> recorder.connection != null);
        return peer;
    }

    private URI wsUri() {
        return ParleyClientOptions.webSocketUriOf(server.baseUri());
    }

    private static final class Recorder implements Transport.Listener {
        volatile Transport.@Nullable Connection connection;
        volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
        final List<String> texts = new CopyOnWriteArrayList<>();
        final List<String> ends = new CopyOnWriteArrayList<>();
        volatile @Nullable Throwable error;

        @Override
        public void onOpen(Transport.Connection connection) {
            this.connection = connection;
        }

        @Override
        public CompletionStage<?> onText(String text) {
            texts.add(text);
            return gate;
        }

        @Override
        public void onClose(int code, String reason) {
            ends.add("close " + code + " " + reason);
        }

        @Override
        public void onError(Throwable error) {
            this.error = error;
            ends.add("error " + error);
        }
    }
}
