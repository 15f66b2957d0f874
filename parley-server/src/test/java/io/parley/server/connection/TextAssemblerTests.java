package io.parley.server.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TextAssemblerTests {

    private final TextAssembler assembler = new TextAssembler(10);

    @Test
    void aMessageInOnePartPassesThroughWithoutACopy() {
        String whole = "0123456789";
        assertThat(assembler.add(whole, true)).isSameAs(whole);
    }

    @Test
    void partsAreJoinedAndReturnedWithTheLastOne() {
        assertThat(assembler.add("0123", false)).isNull();
        assertThat(assembler.add("4567", false)).isNull();
        assertThat(assembler.add("89", true)).isEqualTo("0123456789");
        assertThat(assembler.add("next", true)).isEqualTo("next");
    }

    @Test
    void aMessageOverTheMaximumIsRefusedAndItsRemainingPartsIgnored() {
        assertThat(assembler.add("012345", false)).isNull();
        assertThatThrownBy(() -> assembler.add("67890", false)).isInstanceOf(TextAssembler.TooLarge.class);
        assertThat(assembler.add("more", false)).isNull();
        assertThat(assembler.add("end", true)).isNull();
        assertThat(assembler.add("after", true)).isEqualTo("after");
    }

    @Test
    void aWholeMessageOverTheMaximumIsRefused() {
        assertThatThrownBy(() -> assembler.add("01234567890", true)).isInstanceOf(TextAssembler.TooLarge.class);
        assertThat(assembler.add("ok", true)).isEqualTo("ok");
    }
}
