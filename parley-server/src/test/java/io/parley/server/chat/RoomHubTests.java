package io.parley.server.chat;

import java.util.List;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.local.LocalPresence;
import io.parley.server.connection.TestConnections;
import io.parley.server.history.StoredMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RoomHubTests {

    private final FakeMessageLog log = new FakeMessageLog();
    private final RecordingBus bus = new RecordingBus();
    private final FrameCodec codec = new FrameCodec();
    private final RoomHub hub = new RoomHub(bus, log, new LocalPresence(), codec);
    private final TestConnections connections = new TestConnections();

    @AfterEach
    void close() {
        connections.close();
    }

    private TestConnections.Recorded live(String room) {
        TestConnections.Recorded recorded = connections.open("bob");
        Subscription subscription = new Subscription(recorded.connection(), room);
        subscription.finishReplay(hub.subscribe(subscription));
        return recorded;
    }

    private List<Long> seqs(TestConnections.Recorded recorded) {
        return recorded.written().stream().map(codec::decodeServer)
                .filter(ServerFrame.Message.class::isInstance).map(f -> ((ServerFrame.Message) f).seq()).toList();
    }

    private static ServerFrame.Message event(StoredMessage m) {
        return Messages.frame(m);
    }

    @Test
    void firstSubscriberSubscribesTheBusAndLearnsTheHeadFromTheLog() {
        log.commit("general", "one");
        log.commit("general", "two");
        TestConnections.Recorded bob = connections.open("bob");
        assertThat(hub.subscribe(new Subscription(bob.connection(), "general"))).isEqualTo(2);
        assertThat(bus.subscribed).containsExactly("general");
    }

    @Test
    void lastUnsubscribeUnsubscribesTheBus() {
        TestConnections.Recorded a = connections.open("a");
        TestConnections.Recorded b = connections.open("b");
        Subscription first = new Subscription(a.connection(), "general");
        Subscription second = new Subscription(b.connection(), "general");
        hub.subscribe(first);
        hub.subscribe(second);
        hub.unsubscribe(first);
        assertThat(bus.subscribed).containsExactly("general");
        hub.unsubscribe(second);
        assertThat(bus.subscribed).isEmpty();
        assertThat(hub.roomNames()).isEmpty();
    }

    @Test
    void aJumpIsFilledFromTheLogBeforeDeliveringInOrder() {
        TestConnections.Recorded bob = live("general");
        log.commit("general", "lost 1");
        log.commit("general", "lost 2");
        StoredMessage third = log.commit("general", "arrives");

        bus.deliver("general", event(third));

        assertThat(seqs(bob)).containsExactly(1L, 2L, 3L);
    }

    @Test
    void duplicatesAndStaleEventsAreDropped() {
        TestConnections.Recorded bob = live("general");
        StoredMessage first = log.commit("general", "one");
        StoredMessage second = log.commit("general", "two");
        bus.deliver("general", event(first));
        bus.deliver("general", event(second));
        bus.deliver("general", event(first));
        bus.deliver("general", event(second));
        assertThat(seqs(bob)).containsExactly(1L, 2L);
    }

    @Test
    void eachMessageIsEncodedOnceAndTheSameTextGoesToEverySubscriber() {
        TestConnections.Recorded a = live("general");
        TestConnections.Recorded b = live("general");
        bus.deliver("general", event(log.commit("general", "shared")));
        assertThat(a.written()).hasSize(1);
        assertThat(a.written().get(0)).isSameAs(b.written().get(0));
    }

    @Test
    void catchUpDeliversWhatTheLogHasBeyondTheHead() {
        TestConnections.Recorded bob = live("general");
        log.commit("general", "silently lost");
        hub.catchUp("general");
        assertThat(seqs(bob)).containsExactly(1L);
        hub.onResubscribed();
        assertThat(seqs(bob)).containsExactly(1L);
    }

    @Test
    void typingGoesToOthersOnly() {
        TestConnections.Recorded alice = connections.open("alice");
        Subscription aliceSub = new Subscription(alice.connection(), "general");
        aliceSub.finishReplay(hub.subscribe(aliceSub));
        TestConnections.Recorded bob = live("general");
        bus.deliver("general", new ServerFrame.Typing("general", "alice"));
        assertThat(alice.written()).isEmpty();
        assertThat(bob.written()).containsExactly(codec.encode(new ServerFrame.Typing("general", "alice")));
    }
}
