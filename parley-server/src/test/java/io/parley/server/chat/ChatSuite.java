package io.parley.server.chat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.parley.protocol.RoomName;
import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Protocol v1 end to end on a real port: chat in rooms and direct rooms, ordering and gapless
 * sequences under concurrent senders, resume without loss or duplicate, idempotent retries, and bad
 * input. Subclasses run it on H2 and on PostgreSQL.
 */
abstract class ChatSuite {

    static ParleyNode node;
    private static final AtomicInteger users = new AtomicInteger();

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    /** A fresh logged-in user with a unique name. */
    static Browser user(String prefix) {
        return new Browser().loggedIn(node.baseUrl(), prefix + "_" + users.incrementAndGet(), "correct horse");
    }

    static String nameOf(Browser browser) {
        return browser.get(node.baseUrl() + "/api/me").field("username");
    }

    static String room(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static RawSocket connect(Browser browser) {
        RawSocket socket = RawSocket.open(node, browser);
        socket.await("welcome");
        return socket;
    }

    static long join(RawSocket socket, String room) {
        socket.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
        return socket.await("joined", "room", room).path("lastSeq").asLong();
    }

    static String sendFrame(String room, UUID id, String text) {
        return "{\"type\":\"send\",\"room\":\"" + room + "\",\"clientMsgId\":\"" + id + "\",\"text\":\"" + text + "\"}";
    }

    /** Sends and waits for the ack; returns the sequence. */
    static long send(RawSocket socket, String room, String text) {
        UUID id = UUID.randomUUID();
        socket.send(sendFrame(room, id, text));
        return socket.await("sent", "clientMsgId", id.toString()).path("seq").asLong();
    }

    static List<Long> seqs(RawSocket socket, String room) {
        return socket.frames("message").stream().filter(m -> room.equals(m.path("room").asString()))
                .map(m -> m.path("seq").asLong()).toList();
    }

    @Test
    void welcomeNamesTheUserTheNodeAndTheProtocol() {
        Browser alice = user("alice");
        try (RawSocket socket = RawSocket.open(node, alice)) {
            JsonNode welcome = socket.await("welcome");
            assertThat(welcome.path("user").asString()).isEqualTo(nameOf(alice));
            assertThat(welcome.path("node").asString()).isNotBlank();
            assertThat(welcome.path("protocol").asInt()).isEqualTo(1);
        }
    }

    @Test
    void twoUsersChatInARoom() {
        Browser alice = user("alice");
        Browser bob = user("bob");
        String room = room("general");
        try (RawSocket a = connect(alice); RawSocket b = connect(bob)) {
            assertThat(join(a, room)).isZero();
            join(b, room);
            UUID id = UUID.randomUUID();
            a.send(sendFrame(room, id, "hi bob"));

            JsonNode sent = a.await("sent", "clientMsgId", id.toString());
            assertThat(sent.path("seq").asLong()).isEqualTo(1);
            for (RawSocket socket : List.of(a, b)) {
                JsonNode message = socket.await("message", "clientMsgId", id.toString());
                assertThat(message.path("room").asString()).isEqualTo(room);
                assertThat(message.path("seq").asLong()).isEqualTo(1);
                assertThat(message.path("from").asString()).isEqualTo(nameOf(alice));
                assertThat(message.path("text").asString()).isEqualTo("hi bob");
                assertThat(message.path("ts").asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            }
            b.awaitOnline(room, List.of(nameOf(alice), nameOf(bob)));
            a.awaitOnline(room, List.of(nameOf(alice), nameOf(bob)));
            assertThat(b.frames("presence")).as("one snapshot, after the join").hasSize(1);

            b.send("{\"type\":\"typing\",\"room\":\"" + room + "\"}");
            assertThat(a.await("typing").path("user").asString()).isEqualTo(nameOf(bob));
            assertThat(b.frames("typing")).isEmpty();

            a.send("{\"type\":\"ping\",\"id\":\"p1\"}");
            assertThat(a.await("pong").path("id").asString()).isEqualTo("p1");
        }
    }

    @Test
    void typingIsRelayedOncePerIntervalAndAgainAtOnceAfterTheTypistsOwnMessage() {
        Browser alice = user("alice");
        Browser bob = user("bob");
        String room = room("typing");
        try (RawSocket a = connect(alice); RawSocket b = connect(bob)) {
            join(a, room);
            join(b, room);
            String typing = "{\"type\":\"typing\",\"room\":\"" + room + "\"}";
            b.send(typing);
            b.send(typing); // within the interval (1 s): not relayed
            UUID first = UUID.randomUUID();
            b.send(sendFrame(room, first, "here is my reply"));
            // The room's events reach alice in order: the message comes after any typing relayed before it.
            a.await("message", "clientMsgId", first.toString());
            assertThat(a.frames("typing")).as("one typing per interval").hasSize(1);

            // The message ended bob's typing on alice's screen, so his next keystroke is news at once.
            b.send(typing);
            UUID second = UUID.randomUUID();
            b.send(sendFrame(room, second, "and another"));
            a.await("message", "clientMsgId", second.toString());
            assertThat(a.frames("typing")).as("typing right after the typist's own message").hasSize(2);
            assertThat(b.frames("typing")).as("never to the typist").isEmpty();
        }
    }

    @Test
    void twoUsersChatInADirectRoomAndAThirdCannotJoinOrReadIt() {
        Browser alice = user("alice");
        Browser bob = user("bob");
        Browser carol = user("carol");
        List<String> pair = new ArrayList<>(List.of(nameOf(alice), nameOf(bob)));
        pair.sort(null);
        String dm = "dm:" + pair.get(0) + ":" + pair.get(1);
        try (RawSocket a = connect(alice); RawSocket b = connect(bob); RawSocket c = connect(carol)) {
            join(a, dm);
            join(b, dm);
            long seq = send(a, dm, "secret");
            assertThat(b.await("message", "room", dm).path("text").asString()).isEqualTo("secret");
            assertThat(seq).isEqualTo(1);

            c.send("{\"type\":\"join\",\"room\":\"" + dm + "\"}");
            assertError(c.await("error"), "forbidden", "join");
            c.send("{\"type\":\"history\",\"room\":\"" + dm + "\"}");
            assertThat(c.await(f -> "error".equals(f.path("type").asString()) && "history".equals(f.path("ref").asString()))
                    .path("code").asString()).isEqualTo("forbidden");
            UUID id = UUID.randomUUID();
            c.send(sendFrame(dm, id, "let me in"));
            assertThat(c.await("error", "ref", id.toString()).path("code").asString()).isEqualTo("forbidden");
            assertThat(c.frames("message")).isEmpty();
            assertThat(c.frames("history")).isEmpty();

            assertThat(carol.get(node.baseUrl() + "/api/rooms/" + dm + "/messages").status()).isEqualTo(403);
            Browser.Response bobsView = bob.get(node.baseUrl() + "/api/rooms/" + dm + "/messages");
            assertThat(bobsView.status()).isEqualTo(200);
            assertThat(bobsView.json().path("messages").get(0).path("text").asString()).isEqualTo("secret");
        }
    }

    @Test
    void aDirectRoomWithAUserWhoDoesNotExistIsNotFoundAndOneWithOneselfIsABadRequest() {
        Browser alice = user("alice");
        String me = nameOf(alice);
        String nobody = "zz_nobody_" + users.incrementAndGet();
        String withNobody = RoomName.direct(me, nobody);
        String withMe = "dm:" + me + ":" + me;
        try (RawSocket a = connect(alice)) {
            a.send("{\"type\":\"join\",\"room\":\"" + withNobody + "\"}");
            assertError(a.await("error", "ref", "join"), "not_found", "join");
            UUID id = UUID.randomUUID();
            a.send(sendFrame(withNobody, id, "anyone there?"));
            assertError(a.await("error", "ref", id.toString()), "not_found", id.toString());
            a.send("{\"type\":\"history\",\"room\":\"" + withNobody + "\"}");
            assertError(a.await("error", "ref", "history"), "not_found", "history");

            a.send("{\"type\":\"join\",\"room\":\"" + withMe + "\"}");
            UUID own = UUID.randomUUID();
            a.send(sendFrame(withMe, own, "note to self"));
            a.send("{\"type\":\"history\",\"room\":\"" + withMe + "\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> a.frames("error").size() == 6);
            List<JsonNode> errors = a.frames("error").subList(3, 6);
            assertThat(errors).extracting(e -> e.path("code").asString()).containsOnly("bad_request");
            assertThat(errors).extracting(e -> e.path("ref").asString()).containsExactly("join", own.toString(), "history");
            assertThat(errors.get(0).path("message").asString()).contains("oneself");
            assertThat(a.frames("joined")).isEmpty();
            assertThat(a.frames("sent")).isEmpty();
        }
        Browser.Response viaHttp = alice.get(node.baseUrl() + "/api/rooms/" + withNobody + "/messages");
        assertThat(viaHttp.status()).isEqualTo(404);
        assertThat(viaHttp.field("error")).isEqualTo("not_found");
        Browser.Response withSelfViaHttp = alice.get(node.baseUrl() + "/api/rooms/" + withMe + "/messages");
        assertThat(withSelfViaHttp.status()).isEqualTo(400);
        assertThat(withSelfViaHttp.field("error")).isEqualTo("bad_request");
        assertThat(alice.get(node.baseUrl() + "/api/rooms").json()).isEmpty();
    }

    @Test
    void directRoomShowsInTheOtherParticipantsRoomsAfterTheFirstMessage() {
        Browser alice = user("alice");
        Browser bob = user("bob");
        List<String> pair = new ArrayList<>(List.of(nameOf(alice), nameOf(bob)));
        pair.sort(null);
        String dm = "dm:" + pair.get(0) + ":" + pair.get(1);
        try (RawSocket a = connect(alice)) {
            // Joining first (opening the conversation) must not skip making the other a member.
            join(a, dm);
            send(a, dm, "hello?");
        }
        JsonNode rooms = bob.get(node.baseUrl() + "/api/rooms").json();
        assertThat(rooms.size()).isEqualTo(1);
        assertThat(rooms.get(0).path("room").asString()).isEqualTo(dm);
        assertThat(rooms.get(0).path("lastSeq").asLong()).isEqualTo(1);
    }

    @Test
    void concurrentSendersGetGaplessSequencesAndEverySubscriberReceivesAllInOrder() throws Exception {
        String room = room("busy");
        int senders = 8;
        int perSender = 500;
        List<RawSocket> watchers = new ArrayList<>();
        List<RawSocket> sending = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        try {
            for (int i = 0; i < 2; i++) {
                RawSocket watcher = connect(user("watcher"));
                join(watcher, room);
                watchers.add(watcher);
            }
            for (int i = 0; i < senders; i++) {
                RawSocket sender = connect(user("sender"));
                join(sender, room);
                sending.add(sender);
            }
            List<Future<?>> done = new ArrayList<>();
            for (RawSocket sender : sending) {
                done.add(pool.submit(() -> {
                    for (int n = 0; n < perSender; n++) {
                        sender.send(sendFrame(room, UUID.randomUUID(), "m" + n));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            int total = senders * perSender;
            List<RawSocket> everyone = new ArrayList<>(watchers);
            everyone.addAll(sending);
            for (RawSocket socket : everyone) {
                await().atMost(Duration.ofSeconds(60)).until(() -> seqs(socket, room).size() >= total);
                assertThat(seqs(socket, room)).containsExactlyElementsOf(IntStream.rangeClosed(1, total).mapToObj(i -> (long) i).toList());
            }
            Set<Long> acked = new HashSet<>();
            for (RawSocket sender : sending) {
                await().atMost(Duration.ofSeconds(30)).until(() -> sender.frames("sent").size() == perSender);
                sender.frames("sent").forEach(s -> acked.add(s.path("seq").asLong()));
            }
            assertThat(acked).hasSize(total);
        } finally {
            pool.shutdownNow();
            watchers.forEach(RawSocket::close);
            sending.forEach(RawSocket::close);
        }
    }

    @Test
    void reconnectingClientResumesWithExactlyTheMessagesItMissedWhileSendsContinue() throws Exception {
        String room = room("resume");
        Browser reader = user("reader");
        Browser writer = user("writer");
        RawSocket w = connect(writer);
        join(w, room);
        long last;
        try (RawSocket r = connect(reader)) {
            join(r, room);
            send(w, room, "before");
            await().atMost(Duration.ofSeconds(10)).until(() -> seqs(r, room).size() == 1);
            last = seqs(r, room).get(0);
            r.abort();
        }
        for (int i = 0; i < 100; i++) {
            send(w, room, "missed " + i);
        }
        // Keep sending while the reader resumes, so the replay/live boundary is crossed under load.
        ExecutorService background = Executors.newSingleThreadExecutor();
        Future<?> more = background.submit(() -> {
            for (int i = 0; i < 50; i++) {
                w.send(sendFrame(room, UUID.randomUUID(), "during " + i));
            }
        });
        try (RawSocket r = connect(reader)) {
            r.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"since\":" + last + "}");
            more.get();
            long finalSeq = last + 150;
            await().atMost(Duration.ofSeconds(30)).until(() -> seqs(r, room).contains(finalSeq));
            assertThat(seqs(r, room)).containsExactlyElementsOf(
                    IntStream.rangeClosed((int) last + 1, (int) finalSeq).mapToObj(i -> (long) i).toList());
            List<JsonNode> messages = r.frames("message");
            assertThat(messages.subList(0, 100)).extracting(m -> m.path("text").asString())
                    .containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(i -> "missed " + i).toList());
            long live = send(w, room, "after");
            await().atMost(Duration.ofSeconds(10)).until(() -> seqs(r, room).contains(live));
            assertThat(seqs(r, room)).hasSize(151).doesNotHaveDuplicates();
        } finally {
            background.shutdownNow();
            w.close();
        }
    }

    @Test
    void sendRetriedWithTheSameClientMsgIdAfterADroppedConnectionYieldsOneMessage() {
        Browser alice = user("alice");
        String room = room("retry");
        UUID id = UUID.randomUUID();
        try (RawSocket first = connect(alice)) {
            join(first, room);
            first.send(sendFrame(room, id, "only once"));
            first.abort();
        }
        try (RawSocket second = connect(alice)) {
            join(second, room);
            second.send(sendFrame(room, id, "only once"));
            long seq = second.await("sent", "clientMsgId", id.toString()).path("seq").asLong();
            second.send(sendFrame(room, id, "only once"));
            await().atMost(Duration.ofSeconds(10)).until(() -> second.frames("sent").size() == 2);
            assertThat(second.frames("sent")).extracting(s -> s.path("seq").asLong()).containsOnly(seq);
            assertThat(seq).isEqualTo(1);

            JsonNode history = alice.get(node.baseUrl() + "/api/rooms/" + room + "/messages").json().path("messages");
            assertThat(history.size()).isEqualTo(1);
            assertThat(history.get(0).path("clientMsgId").asString()).isEqualTo(id.toString());
            long next = send(second, room, "next");
            assertThat(next).isEqualTo(2);
        }
    }

    @Test
    void historyPagesBackwardsInAscendingOrder() {
        Browser alice = user("alice");
        String room = room("pages");
        try (RawSocket a = connect(alice)) {
            join(a, room);
            for (int i = 1; i <= 30; i++) {
                send(a, room, "n" + i);
            }
            a.send("{\"type\":\"history\",\"room\":\"" + room + "\",\"before\":21,\"limit\":5}");
            JsonNode page = a.await("history", "room", room);
            assertThat(page.path("messages")).extracting(m -> m.path("seq").asLong()).containsExactly(16L, 17L, 18L, 19L, 20L);
            Browser.Response after = alice.get(node.baseUrl() + "/api/rooms/" + room + "/messages?after=27&limit=10");
            assertThat(after.json().path("messages")).extracting(m -> m.path("text").asString()).containsExactly("n28", "n29", "n30");
            JsonNode rooms = alice.get(node.baseUrl() + "/api/rooms").json();
            assertThat(rooms).anySatisfy(r -> {
                assertThat(r.path("room").asString()).isEqualTo(room);
                assertThat(r.path("lastSeq").asLong()).isEqualTo(30);
            });
        }
    }

    @Test
    void badFramesGetTheRightErrorAndBreakNothing() {
        Browser alice = user("alice");
        Browser bob = user("bob");
        String room = room("robust");
        try (RawSocket a = connect(alice); RawSocket b = connect(bob)) {
            join(a, room);
            join(b, room);
            UUID id = UUID.randomUUID();
            String[][] cases = {
                    {"{not json", "bad_request", null},
                    {"{\"type\":\"dance\"}", "bad_request", "dance"},
                    {"{\"type\":\"send\",\"room\":\"" + room + "\",\"text\":\"x\"}", "bad_request", "send"},
                    {"{\"type\":\"join\"}", "bad_request", "join"},
                    {"{\"type\":\"join\",\"room\":\"Bad Room!\"}", "bad_request", "join"},
                    {sendFrame(room, id, "x".repeat(4001)), "too_large", id.toString()},
                    {"{\"type\":\"send\",\"room\":\"" + room + "\",\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"text\":\"\"}", "bad_request", null},
                    {"[]", "bad_request", null},
                    {sendFrame(room, id, " \\n\\t \\u200b "), "bad_request", id.toString()},
                    {sendFrame(room, id, "beep\\u0007"), "bad_request", id.toString()},
                    {"{\"type\":\"join\",\"room\":\"" + room + "\",\"since\":\"1\"}", "bad_request", "join"},
                    {"{\"type\":\"ping\",\"x\":" + "[".repeat(40) + "]".repeat(40) + "}", "bad_request", null},
            };
            for (String[] c : cases) {
                int before = a.frames("error").size();
                a.send(c[0]);
                await().atMost(Duration.ofSeconds(10)).until(() -> a.frames("error").size() == before + 1);
                JsonNode error = a.frames("error").get(before);
                assertThat(error.path("code").asString()).as(c[0]).isEqualTo(c[1]);
                assertThat(error.path("message").asString()).as(c[0]).isNotBlank().doesNotContain("Exception");
                if (c[2] != null) {
                    assertThat(error.path("ref").asString()).as(c[0]).isEqualTo(c[2]);
                }
            }
            assertThat(a.isOpen()).isTrue();
            long seq = send(a, room, "still here");
            assertThat(b.await("message", "text", "still here").path("seq").asLong()).isEqualTo(seq);
            assertThat(seqs(b, room)).containsExactly(seq);
        }
    }

    @Test
    void aFrameOverTheMaximumSizeClosesTheConnectionWith1009AndOthersGoOn() throws Exception {
        Browser alice = user("alice");
        Browser bob = user("bob");
        String room = room("big");
        try (RawSocket a = connect(alice); RawSocket b = connect(bob)) {
            join(b, room);
            a.send("{\"type\":\"ping\",\"id\":\"" + "x".repeat(70 * 1024) + "\"}");
            assertThat(a.closed().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1009);
            long seq = send(b, room, "unaffected");
            assertThat(b.await("message", "text", "unaffected").path("seq").asLong()).isEqualTo(seq);
        }
    }

    @Test
    void aFrameOfExactlyTheMaximumSizeArrivesWholeThoughTheContainerBufferIsSmall() throws Exception {
        int max = 64 * 1024; // parley.websocket.max-frame-size, in chars; the container's buffer holds 512
        try (RawSocket a = connect(user("alice"))) {
            String head = "{\"type\":\"ping\",\"id\":\"big\"";
            a.send(head + " ".repeat(max - head.length() - 1) + "}");
            assertThat(a.await("pong").path("id").asString()).isEqualTo("big");
            String over = head + " ".repeat(max - head.length()) + "}";
            a.send(over);
            assertThat(a.closed().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(1009);
        }
    }

    @Test
    void sendingToARoomNotJoinedIsForbidden() {
        try (RawSocket a = connect(user("alice"))) {
            UUID id = UUID.randomUUID();
            a.send(sendFrame(room("elsewhere"), id, "hello"));
            assertError(a.await("error", "ref", id.toString()), "forbidden", id.toString());
        }
    }

    @Test
    void handshakeWithoutASessionIs401AndFromAForeignOriginIs403() {
        HttpClient http = HttpClient.newHttpClient();
        assertThatThrownBy(() -> http.newWebSocketBuilder().buildAsync(URI.create(node.wsUrl()), new WebSocket.Listener() { }).join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(WebSocketHandshakeException.class,
                        e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));

        Browser alice = user("alice");
        HttpClient withCookies = HttpClient.newBuilder().cookieHandler(alice.cookieManager()).build();
        assertThatThrownBy(() -> withCookies.newWebSocketBuilder().header("Origin", "http://evil.example")
                .buildAsync(URI.create(node.wsUrl()), new WebSocket.Listener() { }).join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(WebSocketHandshakeException.class,
                        e -> assertThat(e.getResponse().statusCode()).isEqualTo(403));
    }

    @Test
    void leavingStopsDeliveryAndRemovesTheRoom() {
        Browser alice = user("alice");
        Browser bob = user("bob");
        String room = room("leave");
        try (RawSocket a = connect(alice); RawSocket b = connect(bob)) {
            join(a, room);
            join(b, room);
            b.send("{\"type\":\"leave\",\"room\":\"" + room + "\"}");
            b.await("left", "room", room);
            long seq = send(a, room, "gone?");
            a.await("message", "text", "gone?");
            b.send("{\"type\":\"ping\",\"id\":\"sync\"}");
            b.await("pong");
            assertThat(seqs(b, room)).doesNotContain(seq);
            assertThat(bob.get(node.baseUrl() + "/api/rooms").json().size()).isZero();
        }
    }

    private static void assertError(JsonNode error, String code, String ref) {
        assertThat(error.path("type").asString()).isEqualTo("error");
        assertThat(error.path("code").asString()).isEqualTo(code);
        assertThat(error.path("ref").asString()).isEqualTo(ref);
    }
}
