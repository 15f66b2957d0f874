package io.parley.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoomNameTests {

    @Test
    void publicAndDirectNames() {
        assertThat(RoomName.isValid("general")).isTrue();
        assertThat(RoomName.isValid("a".repeat(64))).isTrue();
        assertThat(RoomName.isValid("a".repeat(65))).isFalse();
        assertThat(RoomName.isValid("dm:alice:bob")).isTrue();
        assertThat(RoomName.isValid("dm:bob:alice")).isFalse();
        assertThat(RoomName.isValid("dm:alice:alice")).isFalse();
        assertThat(RoomName.isValid("dm:al:bob")).isFalse();
        assertThat(RoomName.isValid("General")).isFalse();
    }

    @Test
    void directRoomIsTheSameWhateverTheOrder() {
        assertThat(RoomName.direct("bob", "alice")).isEqualTo("dm:alice:bob");
        assertThat(RoomName.direct("alice", "bob")).isEqualTo("dm:alice:bob");
        assertThatThrownBy(() -> RoomName.direct("alice", "alice")).isInstanceOf(BadFrame.class);
    }

    @Test
    void onlyParticipantsMayAccessADirectRoom() {
        assertThat(RoomName.mayAccess("dm:alice:bob", "alice")).isTrue();
        assertThat(RoomName.mayAccess("dm:alice:bob", "bob")).isTrue();
        assertThat(RoomName.mayAccess("dm:alice:bob", "carol")).isFalse();
        assertThat(RoomName.mayAccess("general", "carol")).isTrue();
    }
}
