package io.parley.server.cluster.redis;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.NodeEvent;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BusEnvelopeTests {

    private final FrameCodec codec = new FrameCodec();
    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void aRoomEventKeepsItsOriginTimeAndTheExactTextThePublisherEncoded() {
        ServerFrame.Message message = new ServerFrame.Message("general", 7, "alice", "hi \"there\" {}", Instant.parse("2026-01-02T03:04:05.123456Z"),
                UUID.randomUUID());
        String published = codec.encode(message);
        String payload = BusEnvelope.encode(codec.mapper(), "node-\"1\"", 42, published);

        BusEnvelope envelope = BusEnvelope.decode(codec.mapper(), payload);

        assertThat(envelope.origin()).isEqualTo("node-\"1\"");
        assertThat(envelope.publishedAt()).isEqualTo(42);
        assertThat(envelope.event()).isEqualTo(published);
        assertThat(envelope.frame(codec)).isEqualTo(message);
    }

    @Test
    void theEventIsCutOutWhereverItStandsAndWhateverItNests() {
        String event = "{\"type\":\"presence\",\"room\":\"r\",\"online\":[\"a\",\"b\"],\"x\":{\"y\":{}}}";
        BusEnvelope envelope = BusEnvelope.decode(json, "{\"event\":" + event + ",\"origin\":\"n2\",\"extra\":[1,{}],\"ts\":5}");
        assertThat(envelope.event()).isEqualTo(event);
        assertThat(envelope.origin()).isEqualTo("n2");
        assertThat(envelope.publishedAt()).isEqualTo(5);
    }

    @Test
    void aNodeEventRoundTrips() {
        NodeEvent event = new NodeEvent.SessionEnded("alice", "abc");
        BusEnvelope envelope = BusEnvelope.decode(json, BusEnvelope.encode(json, "n1", 1, event));
        assertThat(envelope.nodeEvent(json)).isEqualTo(event);
    }

    @Test
    void aUserFrameRoundTripsWithItsJsonAsText() {
        NodeEvent event = new NodeEvent.UserFrame("alice", "{\"type\":\"room\",\"room\":\"dm:alice:bob\",\"kind\":\"direct\"}", null);
        BusEnvelope envelope = BusEnvelope.decode(json, BusEnvelope.encode(json, "n1", 1, event));
        assertThat(envelope.nodeEvent(json)).isEqualTo(event);
    }

    @Test
    void payloadsThatAreNotEnvelopesAreRefused() {
        for (String payload : List.of("not json", "[]", "{}", "{\"origin\":\"n1\"}", "{\"origin\":1,\"event\":{}}", "{\"origin\":\"n1\",\"event\":3}", "{\"origin\":\"n1\",\"event\":{")) {
            assertThatIllegalArgumentException().as(payload).isThrownBy(() -> BusEnvelope.decode(json, payload));
        }
    }
}
