package io.parley.server.connection;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OutboundBufferTests {

    private final OutboundQueues node = new OutboundQueues(OutboundProperties.defaults(), new SimpleMeterRegistry(),
            new ManualClock(), false);
    private final OutboundBuffer buffer = new OutboundBuffer(node);
    private final FrameCodec codec = new FrameCodec();

    private static Outgoing message(String room, long seq) {
        return Outgoing.roomMessage("m-" + room + "-" + seq, room, seq);
    }

    private List<String> drain() {
        List<String> texts = new ArrayList<>();
        for (Outgoing frame = buffer.poll(); frame != null; frame = buffer.poll()) {
            texts.add(frame.text());
        }
        return texts;
    }

    @Test
    void countsItsBytesAndTheNodesAsFramesComeAndGo() {
        OutboundBuffer other = new OutboundBuffer(node);
        assertThat(buffer.add(Outgoing.control("12345"))).isEqualTo(5);
        assertThat(other.add(Outgoing.control("é"))).isEqualTo(7);
        assertThat(buffer.add(message("a", 1))).isEqualTo(12);

        assertThat(buffer.poll().text()).isEqualTo("12345");
        assertThat(buffer.bytes()).isEqualTo(5);
        buffer.clear();

        assertThat(buffer.bytes()).isZero();
        assertThat(buffer.poll()).isNull();
        assertThat(node.stats().bufferedBytes()).isEqualTo(2);
    }

    @Test
    void dropOldestSkipsControlFramesAndStopsOnceEnoughIsFreed() {
        buffer.add(Outgoing.control("c1"));
        buffer.add(message("a", 1));
        buffer.add(message("a", 2));
        buffer.add(message("a", 3));

        assertThat(buffer.dropOldest(7)).isEqualTo(2);

        assertThat(drain()).containsExactly("c1", "m-a-3");
        assertThat(node.stats().dropped()).isEqualTo(2);
    }

    @Test
    void resyncPutsOneGapPerRoomWhereItsFirstMessageWasAndWidensAWaitingGap() {
        buffer.add(message("a", 4));
        buffer.add(Outgoing.control("c1"));
        buffer.add(message("b", 9));
        buffer.add(message("a", 5));
        assertThat(buffer.resync()).isEqualTo(3);
        buffer.add(Outgoing.control("c2"));
        buffer.add(message("a", 6));

        assertThat(buffer.resync()).isEqualTo(1);

        assertThat(drain()).containsExactly(codec.encode(new ServerFrame.Gap("a", 4, 6)), "c1",
                codec.encode(new ServerFrame.Gap("b", 9, 9)), "c2");
        assertThat(node.stats().gaps()).isEqualTo(2);
        assertThat(node.stats().dropped()).isEqualTo(4);
        assertThat(node.stats().bufferedBytes()).isZero();
    }

    @Test
    void aGapThatWasWrittenIsNotWidenedAgain() {
        buffer.add(message("a", 1));
        buffer.resync();
        assertThat(buffer.poll().text()).isEqualTo(codec.encode(new ServerFrame.Gap("a", 1, 1)));
        buffer.add(message("a", 2));

        buffer.resync();

        assertThat(drain()).containsExactly(codec.encode(new ServerFrame.Gap("a", 2, 2)));
    }
}
