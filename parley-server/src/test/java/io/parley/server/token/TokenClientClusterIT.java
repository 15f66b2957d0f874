package io.parley.server.token;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import io.parley.client.ParleyClient;
import io.parley.client.ParleyHttp;
import io.parley.client.ParleyTokens;
import io.parley.protocol.ServerFrame;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.TwoNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code parley-client} logged in with tokens, one client on each of two cluster nodes, chatting
 * through several 6-second access-token lifetimes: the clients refresh by themselves, present each
 * new token on their socket, and the reader receives every message exactly once, in order.
 */
class TokenClientClusterIT {

    private static final Duration LIFETIME = Duration.ofSeconds(6);

    static TwoNodes cluster;
    static ParleyNode nodeA;
    static ParleyNode nodeB;

    @BeforeAll
    static void start() {
        cluster = TwoNodes.start(Map.of(
                "parley.tokens.access-lifetime", LIFETIME.toSeconds() + "s",
                "parley.tokens.refresh-notice", "3s",
                "parley.websocket.frames-per-second", "1000"));
        nodeA = cluster.a();
        nodeB = cluster.b();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static ParleyTokens tokens(ParleyNode node, String user) {
        ParleyHttp http = new ParleyHttp(URI.create(node.baseUrl()));
        http.signup(user, "correct horse");
        return http.loginWithTokens(user, "correct horse");
    }

    @Test
    void clientsOnTwoNodesChatThroughSeveralTokenLifetimesWithNoMessageLost() throws Exception {
        String room = "token-lifetimes";
        ParleyTokens writerTokens = tokens(nodeA, "writer");
        ParleyTokens readerTokens = tokens(nodeB, "reader");
        String firstWriterToken = writerTokens.accessToken();
        List<ServerFrame> writerFrames = new CopyOnWriteArrayList<>();
        List<ServerFrame> readerFrames = new CopyOnWriteArrayList<>();
        ParleyClient writer = writerTokens.clientBuilder().backoff(Duration.ofMillis(50), Duration.ofMillis(500)).build().onFrame(writerFrames::add);
        ParleyClient reader = readerTokens.clientBuilder().backoff(Duration.ofMillis(50), Duration.ofMillis(500)).build().onFrame(readerFrames::add);
        ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
        try {
            writer.connect().get(20, TimeUnit.SECONDS);
            reader.connect().get(20, TimeUnit.SECONDS);
            writer.join(room).get(20, TimeUnit.SECONDS);
            reader.join(room).get(20, TimeUnit.SECONDS);

            List<CompletableFuture<Long>> acks = new CopyOnWriteArrayList<>();
            Instant until = Instant.now().plus(LIFETIME.multipliedBy(7).dividedBy(2));
            pace.scheduleAtFixedRate(() -> {
                if (Instant.now().isBefore(until)) {
                    acks.add(writer.send(room, "m" + (acks.size() + 1)));
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            await().atMost(LIFETIME.multipliedBy(5)).until(() -> Instant.now().isAfter(until));
            pace.shutdown();
            assertThat(pace.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            int total = acks.size();

            await().atMost(Duration.ofSeconds(60)).until(() -> messages(readerFrames, room).size() >= total);
            assertThat(messages(readerFrames, room).stream().map(ServerFrame.Message::seq).toList())
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
            assertThat(messages(readerFrames, room).stream().map(ServerFrame.Message::text).toList())
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, total).mapToObj(i -> "m" + i).toList());
            assertThat(writerTokens.accessToken()).isNotEqualTo(firstWriterToken);
            // Three and a half lifetimes: each socket renewed its token in place at least twice.
            assertThat(writerFrames.stream().filter(ServerFrame.Authed.class::isInstance).count()).isGreaterThanOrEqualTo(2);
            assertThat(readerFrames.stream().filter(ServerFrame.Authed.class::isInstance).count()).isGreaterThanOrEqualTo(2);
        } finally {
            pace.shutdownNow();
            writer.close();
            reader.close();
            writerTokens.close();
            readerTokens.close();
        }
    }

    private static List<ServerFrame.Message> messages(List<ServerFrame> frames, String room) {
        List<ServerFrame.Message> messages = new ArrayList<>();
        for (ServerFrame frame : frames) {
            if (frame instanceof ServerFrame.Message m && m.room().equals(room)) {
                messages.add(m);
            }
        }
        return messages;
    }
}
