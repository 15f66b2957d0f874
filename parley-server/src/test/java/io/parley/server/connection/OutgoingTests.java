package io.parley.server.connection;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class OutgoingTests {

    @ParameterizedTest
    @ValueSource(strings = {"", "{\"type\":\"pong\"}", "héllo wörld", "日本語のテキスト", "emoji 😀 and 👍🏽", "mixed é 日 😀 x"})
    void holdsTheTextInUtf8EncodedOnceAndMeasuresItsLength(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        Outgoing frame = Outgoing.control(text);
        assertThat(frame.bytes()).isEqualTo(utf8.length);
        assertThat(Outgoing.utf8Length(text)).isEqualTo(utf8.length);
        ByteBuffer payload = frame.payload();
        assertThat(payload.isReadOnly()).isTrue();
        byte[] read = new byte[payload.remaining()];
        payload.get(read);
        assertThat(read).isEqualTo(utf8);
        assertThat(frame.payload().remaining()).as("each payload is a buffer of its own").isEqualTo(utf8.length);
    }

    @Test
    void aControlFrameIsNeverDroppableAndARoomMessageIs() {
        assertThat(Outgoing.control("{}").droppable()).isFalse();
        assertThat(Outgoing.control("{}").room()).isNull();
        Outgoing message = Outgoing.roomMessage("{}", "general", 42);
        assertThat(message.droppable()).isTrue();
        assertThat(message.room()).isEqualTo("general");
        assertThat(message.seq()).isEqualTo(42);
    }

    @Test
    void rejectsInconsistentFrames() {
        assertThatIllegalArgumentException().isThrownBy(() -> Outgoing.roomMessage("{}", "general", 0));
        assertThatIllegalArgumentException().isThrownBy(() -> new Outgoing("{}", null, 7));
    }
}
