package io.parley.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class WireTests {

    private final ParleyWire parley = new ParleyWire();
    private final SocketIoWire socketIo = new SocketIoWire();

    @Test
    void parleyFramesAreClassifiedByTheirTypeWithoutDecoding() {
        assertThat(parley.classify(frame("{\"type\":\"message\",\"room\":\"r\",\"seq\":7,\"text\":\"~T12~x\"}"))).isEqualTo(Wire.Kind.MESSAGE);
        assertThat(parley.classify(frame("{\"type\":\"sent\",\"room\":\"r\",\"seq\":7}"))).isEqualTo(Wire.Kind.ACK);
        assertThat(parley.classify(frame("{\"type\":\"welcome\",\"user\":\"a\"}"))).isEqualTo(Wire.Kind.READY);
        assertThat(parley.classify(frame("{\"type\":\"joined\",\"room\":\"r\",\"lastSeq\":3}"))).isEqualTo(Wire.Kind.JOINED);
        assertThat(parley.classify(frame("{\"type\":\"error\",\"code\":\"rate_limited\"}"))).isEqualTo(Wire.Kind.ERROR);
        assertThat(parley.classify(frame("{\"room\":\"r\",\"type\":\"message\"}"))).as("type not first").isEqualTo(Wire.Kind.MESSAGE);
        assertThat(parley.classify(frame("{\"type\":\"presence\",\"online\":[]}"))).isEqualTo(Wire.Kind.OTHER);
    }

    @Test
    void theIntendedSendTimeRoundTripsThroughTheTextAndTheClientMsgId() {
        long intended = 123_456_789_012_345L;
        String send = parley.send("room-1", 42, intended, "xxxx");
        assertThat(Wire.stampedNanos(frame(send))).isEqualTo(intended);
        String clientMsgId = ParleyWire.clientMsgId(42, intended);
        assertThat(UUID.fromString(clientMsgId).getLeastSignificantBits()).isEqualTo(intended);
        assertThat(UUID.fromString(clientMsgId).getMostSignificantBits()).isEqualTo(42);
        assertThat(parley.ackedNanos(frame("{\"type\":\"sent\",\"room\":\"room-1\",\"clientMsgId\":\"" + clientMsgId + "\",\"seq\":9}")))
                .isEqualTo(intended);
        assertThat(Wire.longField(frame("{\"type\":\"joined\",\"room\":\"r\",\"lastSeq\":57}"), "\"lastSeq\":")).isEqualTo(57);
        assertThat(Wire.stampedNanos(frame("{\"type\":\"message\",\"text\":\"no stamp ~ here\"}"))).isEqualTo(-1);
    }

    @Test
    void socketIoOpenIsAnsweredWithConnectAndPingWithPong() {
        assertThat(socketIo.reply(frame("0{\"sid\":\"abc\",\"pingInterval\":25000}"))).isEqualTo("40");
        assertThat(socketIo.reply(frame("2"))).isEqualTo("3");
        assertThat(socketIo.classify(frame("40{\"sid\":\"x\"}"))).isEqualTo(Wire.Kind.READY);
        assertThat(socketIo.classify(frame("42[\"joined\",\"r\"]"))).isEqualTo(Wire.Kind.JOINED);
        String send = socketIo.send("r", 1, 987_654_321L, "yy");
        assertThat(send).startsWith("42[\"send\",\"r\",\"~T987654321~yy");
        assertThat(Wire.stampedNanos(frame("42[\"message\",\"r\",\"~T987654321~yy\"]"))).isEqualTo(987_654_321L);
        assertThat(socketIo.classify(frame("42[\"message\",\"r\",\"~T1~\"]"))).isEqualTo(Wire.Kind.MESSAGE);
    }

    private static ByteBuf frame(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }
}
