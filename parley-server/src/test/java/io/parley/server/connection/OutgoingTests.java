package io.parley.server.connection;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class OutgoingTests {

    @ParameterizedTest
    @ValueSource(strings = {"", "{\"type\":\"pong\"}", "héllo wörld", "日本語のテキスト", "emoji 😀 and 👍🏽", "mixed é 日 😀 x"})
    void measuresTheUtf8LengthWithoutEncoding(String text) {
        assertThat(Outgoing.control(text).bytes()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
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
        assertThatIllegalArgumentException().isThrownBy(() -> new Outgoing("{}", null, 0, 1))
                .withMessageContaining("UTF-8 length");
        assertThatIllegalArgumentException().isThrownBy(() -> new Outgoing("{}", null, 0, 7));
    }
}
