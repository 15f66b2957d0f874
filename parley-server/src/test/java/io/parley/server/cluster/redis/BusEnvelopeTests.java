package io.parley.server.cluster.redis;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.NodeEvent;
import io.parley.server.cluster.RoomEvent;
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
        String payload = BusEnvelope.encode(codec.mapper(), "node-\"1\"", 42, RoomEvent.of(message), published);

        BusEnvelope envelope = BusEnvelope.decode(codec.mapper(), payload);

        assertThat(envelope.origin()).isEqualTo("node-\"1\"");
        assertThat(envelope.publishedAt()).isEqualTo(42);
        assertThat(envelope.event()).isEqualTo(published);
        assertThat(codec.decodeServer(envelope.event())).isEqualTo(message);
        assertThat(envelope.summary()).as("carried, so the receiver need not decode the event")
                .isEqualTo(RoomEvent.message(7, Instant.parse("2026-01-02T03:04:05.123456Z")));
    }

    @Test
    void aTypingNoticeCarriesItsUserAndAPresenceNoticeItsKind() {
        ServerFrame.Typing typing = new ServerFrame.Typing("general", "bob \"b\"");
        BusEnvelope envelope = BusEnvelope.decode(json, BusEnvelope.encode(json, "n1", 1, RoomEvent.of(typing), codec.encode(typing)));
        assertThat(envelope.roomEvent(codec)).isEqualTo(RoomEvent.typing("bob \"b\""));

        ServerFrame.PresenceDelta delta = new ServerFrame.PresenceDelta("general", List.of("a"), List.of());
        envelope = BusEnvelope.decode(json, BusEnvelope.encode(json, "n1", 1, RoomEvent.of(delta), codec.encode(delta)));
        assertThat(envelope.roomEvent(codec).kind()).isEqualTo(RoomEvent.Kind.PRESENCE);
    }

    @Test
    void anEnvelopeWithoutASummaryIsRoutedByDecodingItsEvent() {
        // As a node of an earlier version publishes it.
        ServerFrame.Message message = new ServerFrame.Message("general", 9, "alice", "hi", Instant.parse("2026-01-02T03:04:05Z"), UUID.randomUUID());
        BusEnvelope envelope = BusEnvelope.decode(json, BusEnvelope.encode(json, "n1", 1, codec.encode(message)));
        assertThat(envelope.summary()).isNull();
        assertThat(envelope.roomEvent(codec)).isEqualTo(RoomEvent.message(9, Instant.parse("2026-01-02T03:04:05Z")));
    }

    @Test
    void anIncompleteSummaryIsIgnoredAndAnUnknownKindIsPassedOver() {
        String event = "{\"type\":\"typing\",\"room\":\"r\",\"user\":\"carol\"}";
        BusEnvelope noUser = BusEnvelope.decode(json, "{\"origin\":\"n2\",\"ts\":5,\"kind\":\"typing\",\"event\":" + event + "}");
        assertThat(noUser.roomEvent(codec)).isEqualTo(RoomEvent.typing("carol"));
        BusEnvelope later = BusEnvelope.decode(json, "{\"origin\":\"n2\",\"ts\":5,\"kind\":\"reaction\",\"event\":{\"type\":\"reaction\"}}");
        assertThat(later.roomEvent(codec).kind()).isEqualTo(RoomEvent.Kind.OTHER);
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
