package io.parley.server.chat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;

import io.parley.client.ConnectionState;
import io.parley.client.HandshakeRejectedException;
import io.parley.client.ParleyClient;
import io.parley.client.ParleyHttp;
import io.parley.protocol.ServerFrame;
import io.parley.server.support.ParleyNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code parley-client} against a real server: it survives dropped connections in the middle of
 * traffic, resumes every room, retries un-acknowledged sends without duplicates, and sees every
 * message exactly once, in order; it keeps each room's online users from presence frames.
 */
class JavaClientIT {

    @TempDir
    static Path dataDir;

    static ParleyNode node;

    @BeforeAll
    static void start() {
        node = ParleyNode.start(Map.of(
                "parley.data-dir", dataDir.toString(),
                "parley.websocket.frames-per-second", "100000",
                "parley.websocket.frame-burst", "100000"));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static ParleyHttp login(String prefix) {
        String name = prefix + "_" + UUID.randomUUID().toString().substring(0, 6);
        ParleyHttp http = new ParleyHttp(URI.create(node.baseUrl()));
        http.signup(name, "correct horse");
        http.login(name, "correct horse");
        return http;
    }

    static ParleyClient client(ParleyHttp http) {
        return http.clientBuilder().backoff(Duration.ofMillis(50), Duration.ofMillis(500)).build();
    }

    static List<Long> seqsOf(List<ServerFrame> frames, String room) {
        List<Long> seqs = new ArrayList<>();
        for (ServerFrame frame : frames) {
            if (frame instanceof ServerFrame.Message m && m.room().equals(room)) {
                seqs.add(m.seq());
            }
        }
        return seqs;
    }

    @Test
    void readPositionsAndAnnouncedRoomsReachTheClientsListeners() throws Exception {
        String room = "reads-" + UUID.randomUUID().toString().substring(0, 8);
        ParleyHttp aliceHttp = login("alice");
        ParleyHttp bobHttp = login("bob");
        String alice = aliceHttp.me();
        String bob = bobHttp.me();
        List<ServerFrame.Read> laptopReads = new CopyOnWriteArrayList<>();
        List<ServerFrame.Read> phoneReads = new CopyOnWriteArrayList<>();
        List<ServerFrame.Room> announced = new CopyOnWriteArrayList<>();
        try (ParleyClient laptop = client(aliceHttp).onRead(laptopReads::add).onRoom(announced::add);
                ParleyClient phone = client(aliceHttp).onRead(phoneReads::add);
                ParleyClient bobClient = client(bobHttp)) {
            laptop.connect().get(30, java.util.concurrent.TimeUnit.SECONDS);
            phone.connect().get(30, java.util.concurrent.TimeUnit.SECONDS);
            bobClient.connect().get(30, java.util.concurrent.TimeUnit.SECONDS);
            laptop.join(room).get(30, java.util.concurrent.TimeUnit.SECONDS);
            bobClient.join(room).get(30, java.util.concurrent.TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) {
                bobClient.send(room, "m" + i).get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            phone.read(room, 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> !laptopReads.isEmpty() && !phoneReads.isEmpty());
            assertThat(laptopReads).containsExactly(new ServerFrame.Read(room, 2));
            assertThat(phoneReads).containsExactly(new ServerFrame.Read(room, 2));

            String direct = io.parley.protocol.RoomName.direct(alice, bob);
            bobClient.send(direct, "hi").get(30, java.util.concurrent.TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> !announced.isEmpty());
            assertThat(announced).containsExactly(new ServerFrame.Room(direct, "direct"));
        }
    }

    @Test
    void clientThatLosesItsConnectionRepeatedlySeesEveryMessageExactlyOnceInOrder() {
        String room = "drops-" + UUID.randomUUID().toString().substring(0, 8);
        List<ServerFrame> received = new CopyOnWriteArrayList<>();
        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        ParleyClient reader = client(login("reader")).onFrame(received::add).onStateChange(change -> states.add(change.state()));
        ParleyClient writer = client(login("writer"));
        try {
            reader.connect().join();
            reader.join(room).join();
            writer.connect().join();
            writer.join(room).join();

            int total = 300;
            List<CompletableFuture<Long>> acks = new ArrayList<>();
            for (int i = 1; i <= total; i++) {
                acks.add(writer.send(room, "m" + i));
                if (i % 75 == 0) {
                    reader.abort();
                }
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();

            await().atMost(Duration.ofSeconds(30)).until(() -> seqsOf(received, room).size() >= total);
            assertThat(seqsOf(received, room)).containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
            assertThat(received.stream().filter(ServerFrame.Message.class::isInstance).map(f -> ((ServerFrame.Message) f).text()))
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, total).mapToObj(i -> "m" + i).toList());
            assertThat(states).contains(ConnectionState.RECONNECTING, ConnectionState.RESUMED);
            assertThat(reader.lastSeq(room)).isEqualTo(total);
        } finally {
            reader.close();
            writer.close();
        }
    }

    @Test
    void sendsInFlightWhenTheConnectionDropsAreStoredExactlyOnce() {
        String room = "inflight-" + UUID.randomUUID().toString().substring(0, 8);
        ParleyHttp http = login("sender");
        ParleyClient sender = client(http);
        try {
            sender.connect().join();
            sender.join(room).join();
            List<CompletableFuture<Long>> acks = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                acks.add(sender.send(room, "in flight " + i));
            }
            sender.abort();
            List<Long> seqs = acks.stream().map(CompletableFuture::join).toList();

            assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(1, 20).boxed().toList());
            List<ServerFrame.Message> stored = sender.history(room, null, 200).join();
            assertThat(stored).extracting(ServerFrame.Message::seq).containsExactlyElementsOf(seqs);
            assertThat(stored).extracting(ServerFrame.Message::text).doesNotHaveDuplicates().hasSize(20);
        } finally {
            sender.close();
        }
    }

    @Test
    void theClientKeepsEachRoomsOnlineUsersFromTheSnapshotAndTheDeltas() {
        String room = "presence-" + UUID.randomUUID().toString().substring(0, 8);
        ParleyClient alice = client(login("alice"));
        ParleyClient bob = client(login("bob"));
        try {
            alice.connect().join();
            bob.connect().join();
            alice.join(room).join();
            String aliceName = alice.welcome().user();
            String bobName = bob.welcome().user();
            await().atMost(Duration.ofSeconds(10)).until(() -> alice.online(room).equals(java.util.Set.of(aliceName)));

            bob.join(room).join();
            await().atMost(Duration.ofSeconds(10)).until(() -> alice.online(room).equals(java.util.Set.of(aliceName, bobName)));
            await().atMost(Duration.ofSeconds(10)).until(() -> bob.online(room).equals(java.util.Set.of(aliceName, bobName)));

            bob.leave(room).join();
            assertThat(bob.online(room)).as("a room left has no list").isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> alice.online(room).equals(java.util.Set.of(aliceName)));
        } finally {
            alice.close();
            bob.close();
        }
    }

    @Test
    void connectingWithoutASessionIsRefusedWith401() {
        ParleyClient anonymous = ParleyClient.builder(URI.create(node.baseUrl())).build();
        assertThatThrownBy(() -> anonymous.connect().join())
                .cause().isInstanceOfSatisfying(HandshakeRejectedException.class, e -> assertThat(e.status()).isEqualTo(401));
    }
}
