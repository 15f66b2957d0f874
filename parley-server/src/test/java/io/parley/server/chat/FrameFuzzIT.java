package io.parley.server.chat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.parley.protocol.CloseCodes;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.HostileFrames;
import io.parley.protocol.ServerFrame;
import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile frames over a real socket ({@link HostileFrames}: mutated and random frames, a fixed seed)
 * while two other users chat on the same node. The fuzzing socket only ever gets frames the protocol
 * defines, its errors carry defined codes and say nothing of the server's insides (and never
 * {@code internal}: no input may make a handler fail), and every message of the chatting pair arrives,
 * in order. The frame-rate limit is raised on this node, so that the frames reach the decoder and the
 * commands instead of being answered {@code rate_limited}.
 */
class FrameFuzzIT {

    private static final int HOSTILE_FRAMES = 400;
    private static final int CHAT_MESSAGES = 40;
    private static final Pattern INTERNALS = Pattern.compile(
            "(?i)exception|jackson|java\\.|tools\\.|springframework|\\bat [a-z]|line: ?\\d|column: ?\\d|\\$|sql|jdbc");
    private static final Set<Integer> DEFINED_CLOSES = Set.of(CloseCodes.POLICY_VIOLATION, CloseCodes.TOO_BIG);

    static ParleyNode node;
    static final FrameCodec CODEC = new FrameCodec();

    @BeforeAll
    static void start(@TempDir Path dataDir) {
        node = ParleyNode.start(Map.of("parley.data-dir", dataDir.toString(),
                "parley.websocket.frames-per-second", "100000",
                "parley.websocket.frame-burst", "100000"));
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void hostileFramesGetDefinedAnswersOnlyWhileOthersKeepChatting() throws Exception {
        Browser alice = new Browser().loggedIn(node.baseUrl(), "alice", "correct horse");
        Browser bob = new Browser().loggedIn(node.baseUrl(), "bob", "correct horse");
        Browser mallory = new Browser().loggedIn(node.baseUrl(), "mallory", "correct horse");
        String room = "fuzz-" + UUID.randomUUID().toString().substring(0, 8);
        ExecutorService chatter = Executors.newSingleThreadExecutor();
        try (RawSocket a = RawSocket.open(node, alice); RawSocket b = RawSocket.open(node, bob);
                RawSocket m = RawSocket.open(node, mallory)) {
            for (RawSocket socket : List.of(a, b)) {
                socket.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
                socket.await("joined", "room", room);
            }
            m.await("welcome");

            CompletableFuture<Void> chatting = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < CHAT_MESSAGES; i++) {
                    a.send("{\"type\":\"send\",\"room\":\"" + room + "\",\"clientMsgId\":\"" + UUID.randomUUID()
                            + "\",\"text\":\"message " + i + "\"}");
                    // The next one once this one is acknowledged: a steady conversation beside the fuzzing.
                    int acked = i + 1;
                    await().atMost(Duration.ofSeconds(30)).until(() -> a.frames("sent").size() >= acked);
                }
            }, chatter);
            HostileFrames hostile = new HostileFrames(new Random(20261123));
            int sent = 0;
            for (; sent < HOSTILE_FRAMES && m.isOpen(); sent++) {
                // What a client's UTF-8 encoder makes of a lone surrogate: the replacement; the raw bytes are the abuse IT's business.
                String frame = new String(hostile.next().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
                m.send(frame);
            }
            chatting.get(120, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(30)).until(() -> b.frames("message").size() >= CHAT_MESSAGES);
            List<JsonNode> received = b.frames("message");
            assertThat(received).extracting(f -> f.path("text").asString())
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, CHAT_MESSAGES).mapToObj(i -> "message " + i).toList());
            assertThat(received).extracting(f -> f.path("seq").asLong()).isSorted().doesNotHaveDuplicates();
            assertThat(a.frames("error")).isEmpty();
            assertThat(b.frames("error")).isEmpty();

            // The fuzzing socket: every frame a defined one, every error clean.
            m.send("{\"type\":\"ping\",\"id\":\"end-of-fuzz\"}");
            if (m.isOpen()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> !m.isOpen()
                        || m.frames("pong").stream().anyMatch(f -> "end-of-fuzz".equals(f.path("id").asString())));
            }
            List<JsonNode> answers = m.frames();
            assertThat(answers).hasSizeGreaterThan(sent / 2);
            for (JsonNode answer : answers) {
                ServerFrame frame = CODEC.decodeServer(answer.toString());
                if (frame instanceof ServerFrame.Error error) {
                    assertThat(error.code()).as(answer.toString()).isNotEqualTo(ErrorCode.INTERNAL);
                    assertThat(error.message()).as(answer.toString()).isNotBlank().hasSizeLessThanOrEqualTo(200);
                    assertThat(INTERNALS.matcher(error.message()).find()).as(answer.toString()).isFalse();
                }
            }
            Set<String> codes = answers.stream().filter(f -> "error".equals(f.path("type").asString()))
                    .map(f -> f.path("code").asString()).collect(Collectors.toSet());
            assertThat(codes).contains("bad_request").isSubsetOf(
                    Set.of("bad_request", "forbidden", "not_found", "too_large", "unauthorized", "rate_limited"));
            if (m.closed().isDone()) {
                assertThat(m.closed().get()).isIn(DEFINED_CLOSES);
            }
        } finally {
            chatter.shutdownNow();
        }
    }
}
