package io.parley.server.connection;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.parley.protocol.CloseCodes;
import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import io.parley.server.support.StalledSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Abuse at the WebSocket layer, below the JSON protocol, on a real node: frames that break RFC 6455
 * (unmasked, reserved opcodes and bits, invalid UTF-8, a continuation with nothing to continue), a
 * frame and a fragmented message over the size limit, binary data, a ping flood, and an offer of
 * permessage-deflate where it is off — and, on a second node where it is on, a compressed frame that
 * inflates past the limit. Each ends with the close code the protocol documents, and after each the
 * node still serves others: a message between two other users arrives, and a new socket opens.
 */
class ProtocolAbuseIT {

    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(20);
    private static final AtomicInteger ROUND = new AtomicInteger();

    static ParleyNode node;
    static ParleyNode deflating;
    static Browser mallory;
    static Browser alice;
    static Browser bob;
    static RawSocket aliceSocket;
    static RawSocket bobSocket;
    static final String ROOM = "abuse-" + UUID.randomUUID().toString().substring(0, 8);

    StalledSocket abuser;

    @BeforeAll
    static void start(@TempDir Path dataDir) {
        node = ParleyNode.start(Map.of("parley.data-dir", dataDir.resolve("plain").toString()));
        deflating = ParleyNode.start(Map.of("parley.data-dir", dataDir.resolve("deflating").toString(),
                "parley.websocket.permessage-deflate", "true"));
        mallory = new Browser().loggedIn(node.baseUrl(), "mallory", "correct horse");
        alice = new Browser().loggedIn(node.baseUrl(), "alice", "correct horse");
        bob = new Browser().loggedIn(node.baseUrl(), "bob", "correct horse");
        aliceSocket = RawSocket.open(node, alice);
        bobSocket = RawSocket.open(node, bob);
        for (RawSocket socket : new RawSocket[] {aliceSocket, bobSocket}) {
            socket.await("welcome");
            socket.send("{\"type\":\"join\",\"room\":\"" + ROOM + "\"}");
            socket.await("joined", "room", ROOM);
        }
    }

    @AfterAll
    static void stop() {
        if (aliceSocket != null) {
            aliceSocket.close();
            bobSocket.close();
        }
        if (deflating != null) {
            deflating.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @AfterEach
    void theNodeStillServesOthers() {
        if (abuser != null) {
            abuser.close();
        }
        String text = "still here " + ROUND.incrementAndGet();
        aliceSocket.send("{\"type\":\"send\",\"room\":\"" + ROOM + "\",\"clientMsgId\":\"" + UUID.randomUUID()
                + "\",\"text\":\"" + text + "\"}");
        assertThat(bobSocket.await("message", "text", text).path("from").asString()).isEqualTo("alice");
        try (RawSocket fresh = RawSocket.open(node, new Browser().loggedIn(node.baseUrl(), "carol", "correct horse"))) {
            assertThat(fresh.await("welcome").path("user").asString()).isEqualTo("carol");
        }
    }

    @Test
    void aFrameOverTheMaximumSizeIsClosedWith1009() {
        abuser = StalledSocket.open(node, mallory);
        abuser.send("{\"type\":\"ping\",\"id\":\"" + "x".repeat(70_000) + "\"}");
        assertThat(closeCode(abuser)).isEqualTo(CloseCodes.TOO_BIG);
    }

    @Test
    void aFragmentedMessageThatNeverEndsIsClosedWith1009AtTheMaximumSize() {
        abuser = StalledSocket.open(node, mallory);
        byte[] part = "y".repeat(16 * 1024).getBytes(StandardCharsets.US_ASCII);
        abuser.sendFrame(0x01, true, part); // text, FIN clear: more to come
        for (int i = 0; i < 6; i++) {
            abuser.sendFrame(0x00, true, part); // continuation, FIN clear, again and again
        }
        assertThat(closeCode(abuser)).isEqualTo(CloseCodes.TOO_BIG);
    }

    @Test
    void invalidUtf8InATextFrameIsClosedWith1007() {
        abuser = StalledSocket.open(node, mallory);
        abuser.sendFrame(0x81, true, new byte[] {'{', '"', (byte) 0xc3, (byte) 0x28, '"', '}'});
        assertThat(closeCode(abuser)).isEqualTo(CloseCodes.INVALID_PAYLOAD);
    }

    @Test
    void reservedOpcodesAreClosedWith1002() {
        for (int opcode : new int[] {0x3, 0x7, 0xB, 0xF}) {
            abuser = StalledSocket.open(node, mallory);
            abuser.sendFrame(0x80 | opcode, true, "{}".getBytes(StandardCharsets.US_ASCII));
            assertThat(closeCode(abuser)).as("opcode %x", opcode).isEqualTo(CloseCodes.PROTOCOL_ERROR);
            abuser.close();
        }
    }

    @Test
    void reservedBitsAreClosedWith1002() {
        for (int rsv : new int[] {0x40, 0x20, 0x10}) {
            abuser = StalledSocket.open(node, mallory);
            abuser.sendFrame(0x80 | rsv | 0x1, true, "{\"type\":\"ping\"}".getBytes(StandardCharsets.US_ASCII));
            assertThat(closeCode(abuser)).as("rsv %x", rsv).isEqualTo(CloseCodes.PROTOCOL_ERROR);
            abuser.close();
        }
    }

    @Test
    void anUnmaskedClientFrameIsClosedWith1002() {
        abuser = StalledSocket.open(node, mallory);
        abuser.sendFrame(0x81, false, "{\"type\":\"ping\"}".getBytes(StandardCharsets.US_ASCII));
        assertThat(closeCode(abuser)).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void aContinuationWithNothingToContinueIsClosedWith1002() {
        abuser = StalledSocket.open(node, mallory);
        abuser.sendFrame(0x80, true, "{}".getBytes(StandardCharsets.US_ASCII));
        assertThat(closeCode(abuser)).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void aBinaryMessageIsClosedWith1003() {
        abuser = StalledSocket.open(node, mallory);
        abuser.sendFrame(0x82, true, new byte[] {1, 2, 3});
        assertThat(closeCode(abuser)).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
    }

    @Test
    void aPingFloodIsAnsweredAndTheSocketStillWorks() {
        abuser = StalledSocket.open(node, mallory);
        // Small enough that the pongs fit the socket buffers while this thread only writes.
        byte[] payload = new byte[16];
        for (int i = 0; i < 2_000; i++) {
            abuser.sendFrame(0x89, true, payload);
        }
        abuser.send("{\"type\":\"ping\",\"id\":\"after-the-flood\"}");
        StalledSocket.Frame pong = abuser.readUntil(f -> f.isText() && f.text().contains("after-the-flood"), Duration.ofSeconds(60));
        assertThat(pong.text()).contains("\"type\":\"pong\"");
        assertThat(abuser.pongs()).isPositive();
    }

    @Test
    void anOfferOfPermessageDeflateIsIgnoredWhereItIsOff() {
        abuser = StalledSocket.open(node, mallory, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
        assertThat(abuser.head().toLowerCase()).doesNotContain("sec-websocket-extensions");
        abuser.send("{\"type\":\"ping\",\"id\":\"plain\"}");
        assertThat(abuser.readUntil(f -> f.isText() && f.text().contains("plain"), Duration.ofSeconds(10)).text()).contains("pong");
        abuser.sendCompressed("{\"type\":\"ping\",\"id\":\"squeezed\"}");
        assertThat(closeCode(abuser)).isEqualTo(CloseCodes.PROTOCOL_ERROR);
    }

    @Test
    void whereDeflateIsOnTheSizeLimitAppliesToTheInflatedMessage() {
        Browser eve = new Browser().loggedIn(deflating.baseUrl(), "eve", "correct horse");
        String offer = "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n";
        abuser = StalledSocket.open(deflating, eve, offer);
        assertThat(abuser.head().toLowerCase()).contains("permessage-deflate");
        abuser.sendCompressed("{\"type\":\"ping\",\"id\":\"squeezed\"}");
        assertThat(abuser.readUntil(f -> f.isText() && f.text().contains("squeezed"), Duration.ofSeconds(10)).text()).contains("pong");
        // A few KB on the wire, 2 MB inflated.
        abuser.sendCompressed("{\"type\":\"ping\",\"id\":\"" + "a".repeat(2 * 1024 * 1024) + "\"}");
        assertThat(closeCode(abuser)).isEqualTo(CloseCodes.TOO_BIG);
        try (RawSocket other = RawSocket.open(deflating, eve)) {
            other.send("{\"type\":\"ping\",\"id\":\"fine\"}");
            assertThat(other.await("pong").path("id").asString()).isEqualTo("fine");
        }
    }

    /** Reads past any text until the close frame; fails when the connection ends without one. */
    private static int closeCode(StalledSocket socket) {
        long deadline = System.nanoTime() + CLOSE_WITHIN.toNanos();
        for (;;) {
            StalledSocket.Frame frame = socket.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (frame.isClose()) {
                return frame.closeCode();
            }
            if (frame.isEnd()) {
                throw new AssertionError("the connection ended without a close frame");
            }
        }
    }
}
