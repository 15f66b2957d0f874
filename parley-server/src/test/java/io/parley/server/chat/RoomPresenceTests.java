package io.parley.server.chat;

import java.util.List;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.connection.Outgoing;
import io.parley.server.connection.TestConnection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RoomPresenceTests {

    private final FrameCodec codec = new FrameCodec();
    private final RoomPresence presence = new RoomPresence("r", codec);

    private Subscription subscription(String user) {
        return new Subscription(TestConnection.open("c-" + user, user, "h-" + user).connection(), "r");
    }

    @Test
    void theDeltaIsTheDifferenceWithTheBaselineAndNothingWhenItDidNotChange() {
        presence.open(List.of("bob", "alice", "dave"));

        Outgoing delta = presence.update(List.of("erin", "alice", "carol", "dave"));

        assertThat(codec.decodeServer(delta.text()))
                .isEqualTo(new ServerFrame.PresenceDelta("r", List.of("carol", "erin"), List.of("bob")));
        assertThat(presence.update(List.of("alice", "carol", "dave", "erin"))).isNull();
    }

    @Test
    void everyPresenceFrameIsAStateFrameOfTheRoomWhoseSourceGivesTheCurrentSnapshot() {
        presence.open(List.of("alice"));
        Outgoing delta = presence.update(List.of("alice", "bob"));

        assertThat(delta.isState()).isTrue();
        assertThat(delta.room()).isEqualTo("r");
        Outgoing snapshot = delta.source().snapshot();
        assertThat(codec.decodeServer(snapshot.text())).isEqualTo(new ServerFrame.Presence("r", List.of("alice", "bob")));
        assertThat(snapshot.source()).isSameAs(presence);
        assertThat(presence.snapshot()).isSameAs(snapshot);
    }

    @Test
    void aNewSubscriptionIsToldTheSharedSnapshotOrOneWithItsOwnUserAdded() {
        presence.open(List.of("alice", "carol"));

        Outgoing forCarol = presence.tell(subscription("carol"));
        Outgoing forBob = presence.tell(subscription("bob"));

        assertThat(forCarol).isSameAs(presence.snapshot());
        assertThat(codec.decodeServer(forBob.text())).isEqualTo(new ServerFrame.Presence("r", List.of("alice", "bob", "carol")));
        assertThat(forBob.isState()).isTrue();
        assertThat(presence.told()).hasSize(2);
    }
}
