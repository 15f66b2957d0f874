package io.parley.server.chat;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Read state and pushed membership (issue 9), against {@link #first()} and {@link #second()}: two
 * cluster nodes, or one standalone node twice. Sockets are bare ({@link RawSocket}).
 */
abstract class ReadStateSuite {

    static final Duration BOUND = Duration.ofSeconds(30);
    private static final AtomicInteger counter = new AtomicInteger();

    abstract ParleyNode first();

    abstract ParleyNode second();

    static String unique(String prefix) {
        return prefix + "_" + counter.incrementAndGet() + "_" + UUID.randomUUID().toString().substring(0, 6);
    }

    static Browser user(ParleyNode node, String name) {
        return new Browser().loggedIn(node.baseUrl(), name, "correct horse");
    }

    static RawSocket connect(ParleyNode node, Browser browser) {
        RawSocket socket = RawSocket.open(node, browser);
        socket.await("welcome");
        return socket;
    }

    static void join(RawSocket socket, String room) {
        socket.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
        socket.await("joined", "room", room);
    }

    static long send(RawSocket socket, String room, String text) {
        String id = UUID.randomUUID().toString();
        socket.send("{\"type\":\"send\",\"room\":\"" + room + "\",\"clientMsgId\":\"" + id + "\",\"text\":\"" + text + "\"}");
        return socket.await(f -> f.path("type").asString().equals("sent") && f.path("clientMsgId").asString().equals(id))
                .path("seq").asLong();
    }

    static void read(RawSocket socket, String room, long seq) {
        socket.send("{\"type\":\"read\",\"room\":\"" + room + "\",\"seq\":" + seq + "}");
    }

    static JsonNode awaitRead(RawSocket socket, String room, long seq) {
        return socket.await(f -> f.path("type").asString().equals("read") && f.path("room").asString().equals(room)
                && f.path("seq").asLong() == seq);
    }

    /** This user's entry for {@code room} in {@code GET /api/rooms} on {@code node}. */
    static JsonNode summary(ParleyNode node, Browser browser, String room) {
        Browser.Response response = browser.get(node.baseUrl() + "/api/rooms");
        assertThat(response.status()).isEqualTo(200);
        for (JsonNode entry : response.json()) {
            if (entry.path("room").asString().equals(room)) {
                return entry;
            }
        }
        throw new AssertionError(room + " not in " + response.body());
    }

    static void assertCounts(JsonNode summary, long lastSeq, long readSeq, long unread) {
        assertThat(summary.path("lastSeq").asLong()).as("lastSeq of %s", summary).isEqualTo(lastSeq);
        assertThat(summary.path("readSeq").asLong()).as("readSeq of %s", summary).isEqualTo(readSeq);
        assertThat(summary.path("unread").asLong()).as("unread of %s", summary).isEqualTo(unread);
    }

    @Test
    void aReadOnOneNodeReachesTheSameUsersSocketOnTheOtherAndTheCountsOfBoth() {
        String room = unique("read").replace('_', '-');
        Browser alice = user(first(), unique("alice"));
        Browser bob = user(second(), unique("bob"));
        try (RawSocket aliceA = connect(first(), alice); RawSocket aliceB = connect(second(), alice);
                RawSocket bobB = connect(second(), bob)) {
            join(aliceA, room);
            join(bobB, room);
            for (int i = 1; i <= 3; i++) {
                assertThat(send(bobB, room, "m" + i)).isEqualTo(i);
            }
            assertCounts(summary(first(), alice, room), 3, 0, 3);
            assertCounts(summary(second(), alice, room), 3, 0, 3);

            read(aliceA, room, 2);
            awaitRead(aliceA, room, 2);
            awaitRead(aliceB, room, 2);
            assertCounts(summary(first(), alice, room), 3, 2, 1);
            assertCounts(summary(second(), alice, room), 3, 2, 1);

            read(aliceA, room, 3);
            awaitRead(aliceB, room, 3);
            assertCounts(summary(first(), alice, room), 3, 3, 0);
            assertCounts(summary(second(), alice, room), 3, 3, 0);
            // Bob's own messages never counted as unread for him.
            await().atMost(BOUND).untilAsserted(() -> assertCounts(summary(first(), bob, room), 3, 3, 0));
            assertThat(bobB.frames("read")).as("bob read nothing himself").isEmpty();
        }
    }

    @Test
    void thePositionNeverMovesBackNorPastTheHead() {
        String room = unique("mono").replace('_', '-');
        Browser alice = user(first(), unique("alice"));
        Browser bob = user(first(), unique("bob"));
        try (RawSocket aliceA = connect(first(), alice); RawSocket aliceB = connect(second(), alice);
                RawSocket bobA = connect(first(), bob)) {
            join(aliceA, room);
            join(bobA, room);
            for (int i = 1; i <= 4; i++) {
                send(bobA, room, "m" + i);
            }
            read(aliceA, room, 3);
            awaitRead(aliceA, room, 3);
            awaitRead(aliceB, room, 3);

            read(aliceA, room, 1);
            await().atMost(BOUND).until(() -> aliceA.frames("read").size() == 2);
            assertThat(aliceA.frames("read").get(1).path("seq").asLong()).as("answered with the stored value").isEqualTo(3);
            assertCounts(summary(second(), alice, room), 4, 3, 1);

            read(aliceB, room, 1000);
            awaitRead(aliceB, room, 4);
            awaitRead(aliceA, room, 4);
            assertCounts(summary(first(), alice, room), 4, 4, 0);
            assertThat(aliceA.frames("read")).extracting(f -> f.path("seq").asLong()).containsExactly(3L, 3L, 4L);
            assertThat(aliceB.frames("read")).extracting(f -> f.path("seq").asLong()).containsExactly(3L, 4L);
        }
    }

    @Test
    void aNonMembersReadIsForbidden() {
        String room = unique("closed").replace('_', '-');
        Browser alice = user(first(), unique("alice"));
        String bobName = unique("bob");
        String carolName = unique("carol");
        user(first(), bobName);
        Browser carol = user(second(), carolName);
        try (RawSocket aliceA = connect(first(), alice); RawSocket carolB = connect(second(), carol)) {
            join(aliceA, room);
            send(aliceA, room, "hello");
            read(carolB, room, 1);
            JsonNode error = carolB.await("error");
            assertThat(error.path("code").asString()).isEqualTo("forbidden");
            assertThat(error.path("ref").asString()).isEqualTo("read");

            String direct = io.parley.protocol.RoomName.direct(bobName, aliceA.await("welcome").path("user").asString());
            read(carolB, direct, 1);
            await().atMost(BOUND).until(() -> carolB.frames("error").size() == 2);
            assertThat(carolB.frames("error").get(1).path("code").asString()).isEqualTo("forbidden");
            assertThat(carolB.frames("read")).isEmpty();
        }
    }

    @Test
    void ownSendsAreNeverUnread() {
        String room = unique("own").replace('_', '-');
        Browser alice = user(first(), unique("alice"));
        Browser bob = user(second(), unique("bob"));
        try (RawSocket aliceA = connect(first(), alice); RawSocket bobB = connect(second(), bob)) {
            join(aliceA, room);
            join(bobB, room);
            send(bobB, room, "from bob");
            send(aliceA, room, "from alice 1");
            long last = send(aliceA, room, "from alice 2");
            assertThat(last).isEqualTo(3);
            await().atMost(BOUND).untilAsserted(() -> assertCounts(summary(second(), alice, room), 3, 3, 0));
            await().atMost(BOUND).untilAsserted(() -> assertCounts(summary(first(), bob, room), 3, 1, 2));
        }
    }

    @Test
    void aDirectRoomsFirstMessageAnnouncesItToTheOtherUsersSockets() {
        String daveName = unique("dave");
        String erinName = unique("erin");
        Browser dave = user(first(), daveName);
        Browser erin = user(second(), erinName);
        String direct = io.parley.protocol.RoomName.direct(daveName, erinName);
        try (RawSocket daveA = connect(first(), dave); RawSocket erinB = connect(second(), erin);
                RawSocket erinA = connect(first(), erin)) {
            send(daveA, direct, "hi erin");
            for (RawSocket socket : new RawSocket[] {erinB, erinA}) {
                JsonNode announced = socket.await("room");
                assertThat(announced.path("room").asString()).isEqualTo(direct);
                assertThat(announced.path("kind").asString()).isEqualTo("direct");
            }
            assertCounts(summary(second(), erin, direct), 1, 0, 1);
            send(daveA, direct, "again");
            await().atMost(BOUND).untilAsserted(() -> assertCounts(summary(first(), erin, direct), 2, 0, 2));
            assertThat(erinB.frames("room")).as("announced once").hasSize(1);
            assertThat(daveA.frames("room")).as("the sender is not told").isEmpty();
        }
    }
}
