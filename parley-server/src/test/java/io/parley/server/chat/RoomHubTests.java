package io.parley.server.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.Bus;
import io.parley.server.cluster.BusListener;
import io.parley.server.cluster.ClusterProperties;
import io.parley.server.cluster.NodeEvent;
import io.parley.server.cluster.NodeEventListener;
import io.parley.server.cluster.RoomEvent;
import io.parley.server.cluster.local.LocalPresence;
import io.parley.server.connection.TestConnection;
import io.parley.server.history.StoredMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RoomHubTests {

    private final FakeMessageLog log = new FakeMessageLog();
    private final RecordingBus bus = new RecordingBus();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final JsonMapper json = JsonMapper.builder().build();
    private final LocalPresence presence = new LocalPresence();
    private RoomHub hub;

    @AfterEach
    void stop() {
        hub.destroy();
    }

    private RoomHub hub(Duration reorderWindow) {
        return hub(reorderWindow, Duration.ofMillis(250));
    }

    private RoomHub hub(Duration reorderWindow, Duration presenceWindow) {
        hub = new RoomHub(bus, log, presence, new FrameCodec(),
                new ClusterProperties(Duration.ofSeconds(2), Duration.ofSeconds(6), Duration.ofSeconds(60), reorderWindow,
                        Duration.ofSeconds(2)), new ChatProperties(1000, 500, Duration.ofSeconds(1), 20, 40, Duration.ofSeconds(2), presenceWindow), meters);
        return hub;
    }

    /** A live subscription of {@code user} to room "r" that has entered presence and been told it, as ChatService's join does. */
    private TestConnection present(String user) {
        TestConnection connection = TestConnection.open("c-" + user, user, "http-" + user);
        Subscription subscription = new Subscription(connection.connection(), "r");
        subscription.finishReplay(hub.subscribe(subscription));
        if (presence.enter("r", user)) {
            publish(new ServerFrame.PresenceDelta("r", List.of(user), List.of()));
        }
        hub.tellPresence(subscription);
        hub.awaitDelivered("r");
        return connection;
    }

    private List<JsonNode> presenceFrames(TestConnection connection) {
        List<JsonNode> frames = new ArrayList<>();
        for (String text : connection.written()) {
            JsonNode frame = json.readTree(text);
            if (frame.path("type").asString().startsWith("presence")) {
                frames.add(frame);
            }
        }
        return frames;
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(name -> names.add(name.asString()));
        return names;
    }

    private TestConnection subscribed(String room) {
        TestConnection connection = TestConnection.open("c-" + room, "alice", "http-1");
        Subscription subscription = new Subscription(connection.connection(), room);
        subscription.finishReplay(hub.subscribe(subscription));
        return connection;
    }

    private static ServerFrame.Message frame(StoredMessage m) {
        return Messages.frame(m);
    }

    /** Hands an event of room "r" to the hub as a bus does: with its JSON, encoded once by the publisher. */
    private void publish(ServerFrame event) {
        hub.onRoomEvent("r", RoomEvent.of(event), new FrameCodec().encode(event));
        hub.awaitDelivered("r");
    }

    private List<Long> seqs(TestConnection connection) {
        List<Long> seqs = new ArrayList<>();
        for (String text : connection.written()) {
            if (text.contains("\"type\":\"message\"")) {
                seqs.add(json.readTree(text).path("seq").asLong());
            }
        }
        return seqs;
    }

    @Test
    void messageAheadOfAMissingOneIsHeldUntilTheMissingOneArrivesWithoutReadingTheLog() {
        hub(Duration.ofSeconds(10));
        TestConnection alice = subscribed("r");
        StoredMessage first = log.commit("r");
        StoredMessage second = log.commit("r");
        int readsBefore = log.rangeReads.get();

        publish(frame(second));
        assertThat(seqs(alice)).isEmpty();
        publish(frame(first));

        assertThat(seqs(alice)).containsExactly(1L, 2L);
        assertThat(log.rangeReads.get()).isEqualTo(readsBefore);
        assertThat(meters.get("parley.chat.gap.fills").counter().count()).isZero();
    }

    @Test
    void whatIsStillMissingAfterTheReorderWindowIsReadFromTheLogAndDeliveredFirst() {
        hub(Duration.ofMillis(20));
        TestConnection alice = subscribed("r");
        log.commit("r");
        log.commit("r");
        StoredMessage third = log.commit("r");

        publish(frame(third));

        await().atMost(Duration.ofSeconds(5)).until(() -> seqs(alice).size() == 3);
        assertThat(seqs(alice)).containsExactly(1L, 2L, 3L);
        assertThat(meters.get("parley.chat.gap.fills").counter().count()).isEqualTo(1);
        assertThat(meters.get("parley.chat.gap.messages").counter().count()).isEqualTo(2);
    }

    @Test
    void duplicatesAndMessagesAtOrBelowTheHeadAreDropped() {
        hub(Duration.ofSeconds(10));
        TestConnection alice = subscribed("r");
        StoredMessage first = log.commit("r");
        StoredMessage second = log.commit("r");

        publish(frame(first));
        publish(frame(first));
        publish(frame(second));
        publish(frame(first));

        assertThat(seqs(alice)).containsExactly(1L, 2L);
    }

    @Test
    void catchUpDeliversWhatTheLogHasBeyondTheHeadAndReleasesHeldMessages() {
        hub(Duration.ofSeconds(10));
        TestConnection alice = subscribed("r");
        log.commit("r");
        log.commit("r");
        StoredMessage third = log.commit("r");
        publish(frame(third));

        hub.onResubscribed();

        await().atMost(Duration.ofSeconds(5)).until(() -> seqs(alice).size() == 3);
        assertThat(seqs(alice)).containsExactly(1L, 2L, 3L);
    }

    @Test
    void theLastSubscriberLeavingUnsubscribesTheBusBeforeANewSubscriberSubscribesAgain() {
        hub(Duration.ofSeconds(10));
        TestConnection alice = TestConnection.open("c1", "alice", "http-1");
        Subscription first = new Subscription(alice.connection(), "r");
        hub.subscribe(first);
        hub.unsubscribe(first);
        hub.subscribe(new Subscription(alice.connection(), "r"));

        assertThat(bus.calls).containsExactly("subscribe r", "unsubscribe r", "subscribe r");
    }

    @Test
    void theFirstSubscriberLearnsTheRoomsHeadFromTheLog() {
        hub(Duration.ofSeconds(10));
        log.commit("r");
        log.commit("r");
        TestConnection alice = TestConnection.open("c1", "alice", "http-1");
        assertThat(hub.subscribe(new Subscription(alice.connection(), "r"))).isEqualTo(2);
        assertThat(bus.calls).containsExactly("subscribe r");
    }

    @Test
    void everySubscriberGetsThePublishersTextItselfNotAnotherEncoding() {
        hub(Duration.ofSeconds(10));
        TestConnection alice = subscribed("r");
        TestConnection bob = TestConnection.open("c2", "bob", "http-2");
        Subscription bobs = new Subscription(bob.connection(), "r");
        bobs.finishReplay(hub.subscribe(bobs));
        ServerFrame.Message message = frame(log.commit("r"));
        String published = new FrameCodec().encode(message);

        hub.onRoomEvent("r", RoomEvent.of(message), published);
        hub.awaitDelivered("r");

        assertThat(alice.written()).containsExactly(published);
        assertThat(bob.written()).containsExactly(published);
        assertThat(alice.frames().get(0)).as("one encoding for every subscriber").isSameAs(bob.frames().get(0));
    }

    @Test
    void typingGoesToTheRoomsOtherUsersOnly() {
        hub(Duration.ofSeconds(10));
        TestConnection alice = subscribed("r");
        TestConnection bob = TestConnection.open("c2", "bob", "http-2");
        Subscription bobs = new Subscription(bob.connection(), "r");
        bobs.finishReplay(hub.subscribe(bobs));

        publish(new ServerFrame.Typing("r", "alice"));

        assertThat(alice.written()).isEmpty();
        assertThat(bob.written()).containsExactly(new FrameCodec().encode(new ServerFrame.Typing("r", "alice")));
    }

    @Test
    void theFanOutRunsOnADeliveryThreadNotOnThePublishersThread() {
        hub(Duration.ofSeconds(10));
        List<String> writers = new java.util.concurrent.CopyOnWriteArrayList<>();
        TestConnection alice = subscribed("r");
        alice.duringWrite(() -> writers.add(Thread.currentThread().getName()));

        publish(frame(log.commit("r")));

        assertThat(alice.written()).hasSize(1);
        assertThat(writers).singleElement().asString().startsWith("parley-delivery-");
    }

    @Test
    void aBigRoomIsWrittenBySeveralLanesAndEachMemberGetsEveryMessageInOrderUntilItLeaves() {
        hub(Duration.ofSeconds(10));
        Set<String> writers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<TestConnection> members = new ArrayList<>();
        List<Subscription> subscriptions = new ArrayList<>();
        for (int i = 0; i < 2 * RoomHub.SHARDED_FROM; i++) {
            TestConnection member = TestConnection.open("c" + i, "user" + i, "http-" + i);
            member.duringWrite(() -> writers.add(Thread.currentThread().getName()));
            Subscription subscription = new Subscription(member.connection(), "r");
            subscription.finishReplay(hub.subscribe(subscription));
            members.add(member);
            subscriptions.add(subscription);
        }

        for (int i = 0; i < 30; i++) {
            ServerFrame.Message message = frame(log.commit("r"));
            hub.onRoomEvent("r", RoomEvent.of(message), new FrameCodec().encode(message));
        }
        hub.awaitDelivered("r");

        assertThat(members).allSatisfy(member -> assertThat(seqs(member)).isEqualTo(LongStream.rangeClosed(1, 30).boxed().toList()));
        assertThat(writers).as("lanes that wrote").hasSizeGreaterThan(1).allMatch(name -> name.startsWith("parley-delivery-"));

        List<TestConnection> leaving = members.subList(0, members.size() / 2);
        subscriptions.subList(0, members.size() / 2).forEach(hub::unsubscribe);
        for (int i = 0; i < 10; i++) {
            ServerFrame.Message message = frame(log.commit("r"));
            hub.onRoomEvent("r", RoomEvent.of(message), new FrameCodec().encode(message));
        }
        hub.awaitDelivered("r");

        assertThat(leaving).allSatisfy(member -> assertThat(seqs(member)).hasSize(30));
        assertThat(members.subList(members.size() / 2, members.size()))
                .allSatisfy(member -> assertThat(seqs(member)).isEqualTo(LongStream.rangeClosed(1, 40).boxed().toList()));
    }

    @Test
    void eventsThatArriveWhileTheFirstSubscriberOpensTheRoomAreDeliveredAfterTheHeadItRead() throws Exception {
        hub(Duration.ofSeconds(10));
        log.commit("r");
        java.util.concurrent.CountDownLatch subscribing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        bus.onSubscribe = () -> {
            subscribing.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> release.getCount() == 0);
        };
        TestConnection alice = TestConnection.open("c1", "alice", "http-1");
        Subscription subscription = new Subscription(alice.connection(), "r");
        java.util.concurrent.CompletableFuture<Long> head = java.util.concurrent.CompletableFuture.supplyAsync(() -> hub.subscribe(subscription));
        assertThat(subscribing.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        // The room is opening (its bus subscribe is slow, outside any lock): this room's events wait for the head.
        StoredMessage second = log.commit("r");
        hub.onRoomEvent("r", RoomEvent.of(frame(second)), new FrameCodec().encode(frame(second)));
        release.countDown();
        subscription.finishReplay(head.get(5, java.util.concurrent.TimeUnit.SECONDS));
        hub.awaitDelivered("r");

        // The head was read after the subscribe (2): the held event is at it, so replayed, not delivered live.
        assertThat(head.get()).isEqualTo(2);
        StoredMessage third = log.commit("r");
        publish(frame(third));
        assertThat(seqs(alice)).containsExactly(3L);
    }

    /** The online set a client builds from the presence frames it was sent: snapshots replace, deltas apply. */
    private java.util.SortedSet<String> onlineSeenBy(TestConnection connection) {
        java.util.SortedSet<String> online = new java.util.TreeSet<>();
        for (JsonNode frame : presenceFrames(connection)) {
            if (frame.path("type").asString().equals("presence")) {
                online.clear();
                online.addAll(names(frame.path("online")));
            } else {
                names(frame.path("left")).forEach(online::remove);
                online.addAll(names(frame.path("joined")));
            }
        }
        return online;
    }

    @Test
    void aJoiningSubscriptionGetsOneSnapshotFirstAndDeltasAfterIt() {
        hub(Duration.ofSeconds(10), Duration.ofMillis(50));
        TestConnection alice = present("alice");
        TestConnection bob = present("bob");

        for (TestConnection member : List.of(alice, bob)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> onlineSeenBy(member).equals(java.util.Set.of("alice", "bob")));
            List<JsonNode> frames = presenceFrames(member);
            assertThat(frames.get(0).path("type").asString()).isEqualTo("presence");
            assertThat(names(frames.get(0).path("online"))).as("a snapshot has its own user").contains(member.connection().user());
            assertThat(frames.subList(1, frames.size())).allMatch(f -> f.path("type").asString().equals("presence-delta"));
        }
        assertThat(meters.get("parley.chat.presence.snapshots").counter().count()).isEqualTo(2);
    }

    @Test
    void aBurstOfChangesReachesEachMemberAsAFewDeltasEncodedOnce() {
        hub(Duration.ofSeconds(10), Duration.ofSeconds(1));
        TestConnection alice = present("alice");
        TestConnection bob = present("bob");
        await().atMost(Duration.ofSeconds(10)).until(() -> onlineSeenBy(alice).size() == 2 && onlineSeenBy(bob).size() == 2);
        int aliceBefore = presenceFrames(alice).size();
        int bobBefore = presenceFrames(bob).size();
        double readsBefore = meters.get("parley.chat.presence.reads").counter().count();

        // 100 users join on other nodes (no subscription here) and one of them leaves again: 101 notices.
        java.util.SortedSet<String> expected = new java.util.TreeSet<>(List.of("alice", "bob"));
        for (int i = 0; i < 100; i++) {
            presence.enter("r", "u" + i);
            hub.onRoomEvent("r", RoomEvent.of(new ServerFrame.PresenceDelta("r", List.of("u" + i), List.of())), "{}");
            expected.add("u" + i);
        }
        presence.exit("r", "u7");
        hub.onRoomEvent("r", RoomEvent.of(new ServerFrame.PresenceDelta("r", List.of(), List.of("u7"))), "{}");
        expected.remove("u7");

        await().atMost(Duration.ofSeconds(10)).until(() -> onlineSeenBy(alice).equals(expected) && onlineSeenBy(bob).equals(expected));
        // A read at once, then at most one a window: a handful, not 101.
        assertThat(presenceFrames(alice).size() - aliceBefore).isBetween(1, 3);
        assertThat(presenceFrames(bob).size() - bobBefore).isBetween(1, 3);
        assertThat(meters.get("parley.chat.presence.reads").counter().count() - readsBefore).isBetween(1.0, 4.0);
        assertThat(alice.frames().get(alice.frames().size() - 1)).as("one encoding for every member")
                .isSameAs(bob.frames().get(bob.frames().size() - 1));
    }

    @Test
    void aSubscriptionThatLeftGetsNoMoreDeltas() {
        hub(Duration.ofSeconds(10), Duration.ofMillis(10));
        TestConnection alice = present("alice");
        TestConnection bob = TestConnection.open("c-bob", "bob", "http-bob");
        Subscription bobs = new Subscription(bob.connection(), "r");
        bobs.finishReplay(hub.subscribe(bobs));
        hub.tellPresence(bobs);
        hub.awaitDelivered("r");
        hub.unsubscribe(bobs);
        int bobFrames = presenceFrames(bob).size();

        presence.enter("r", "carol");
        publish(new ServerFrame.PresenceDelta("r", List.of("carol"), List.of()));

        await().atMost(Duration.ofSeconds(5)).until(() -> onlineSeenBy(alice).contains("carol"));
        hub.awaitDelivered("r");
        assertThat(presenceFrames(bob)).hasSize(bobFrames);
    }

    @Test
    void aRefreshReadsTheOnlineSetAgainAndCorrectsWhatALostNoticeLeftStale() {
        hub(Duration.ofSeconds(10), Duration.ofMillis(10));
        TestConnection alice = present("alice");
        await().atMost(Duration.ofSeconds(5)).until(() -> onlineSeenBy(alice).equals(java.util.Set.of("alice")));

        presence.enter("r", "carol"); // its notice is lost
        hub.refreshPresence();

        await().atMost(Duration.ofSeconds(5)).until(() -> onlineSeenBy(alice).equals(java.util.Set.of("alice", "carol")));
    }

    /** Records subscriptions; publishes nowhere (the tests hand events to the hub themselves). */
    static final class RecordingBus implements Bus {
        final List<String> calls = new ArrayList<>();
        volatile Runnable onSubscribe = () -> { };

        @Override
        public void listen(BusListener listener) {
        }

        @Override
        public void listen(NodeEventListener listener) {
        }

        @Override
        public void publish(String room, ServerFrame event) {
        }

        @Override
        public void send(String nodeId, NodeEvent event) {
        }

        @Override
        public void subscribe(String room) {
            synchronized (this) {
                calls.add("subscribe " + room);
            }
            onSubscribe.run();
        }

        @Override
        public synchronized void unsubscribe(String room) {
            calls.add("unsubscribe " + room);
        }
    }
}
