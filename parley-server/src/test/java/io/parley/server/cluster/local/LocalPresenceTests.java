package io.parley.server.cluster.local;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalPresenceTests {

    private final LocalPresence presence = new LocalPresence();

    @Test
    void aUserWithTwoConnectionsIsOnlineOnceUntilBothLeave() {
        assertThat(presence.enter("general", "bob")).isTrue();
        assertThat(presence.enter("general", "bob")).isFalse();
        assertThat(presence.enter("general", "alice")).isTrue();
        assertThat(presence.online("general")).containsExactly("alice", "bob");

        assertThat(presence.exit("general", "bob")).isFalse();
        assertThat(presence.online("general")).containsExactly("alice", "bob");
        assertThat(presence.exit("general", "bob")).isTrue();
        assertThat(presence.online("general")).containsExactly("alice");
    }

    @Test
    void roomsAreIndependentAndAnUnknownExitChangesNothing() {
        presence.enter("a", "alice");
        assertThat(presence.online("b")).isEmpty();
        assertThat(presence.exit("b", "alice")).isFalse();
        assertThat(presence.exit("a", "alice")).isTrue();
        assertThat(presence.online("a")).isEmpty();
    }
}
