package io.parley.server.cluster.redis;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.NodeEvent;
import io.parley.server.cluster.RoomEvent;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The payload of every bus message: {@code {"origin":"<node id>","ts":<epoch ms>,"event":{...}}},
 * where the event is a protocol {@link ServerFrame} on a room channel and a {@link NodeEvent} on a
 * node channel. {@code origin} lets a node skip its own events (it delivered them in-process);
 * {@code ts} gives the bus lag. The event's JSON is kept as the exact text the publisher encoded, so
 * a receiving node hands those bytes to its clients without encoding the event again.
 *
 * <p>A room event also carries its {@link RoomEvent} summary before the event: {@code "kind"}
 * ({@code message}, {@code typing}, {@code presence}, {@code other}), and {@code "seq"} with {@code
 * "at"} (the commit time, epoch microseconds) for a message, {@code "user"} for a typing notice. A
 * receiving node routes the event by them and never parses the event itself: decoding every message
 * (its commit time from an ISO-8601 string above all) was most of the receiving thread's work. An
 * envelope without {@code "kind"} (from a node of an earlier version) is routed by decoding its event.
 * Thread-safe.
 *
 * @param origin the id of the publishing node
 * @param publishedAt epoch milliseconds on the publishing node's clock
 * @param summary a room event's summary, if the envelope carried one
 * @param event the event's JSON, as published
 */
record BusEnvelope(String origin, long publishedAt, @Nullable RoomEvent summary, String event) {

    /** The payload for a room event already encoded as {@code eventJson}, with its summary. */
    static String encode(JsonMapper mapper, String origin, long publishedAt, RoomEvent summary, String eventJson) {
        StringBuilder payload = new StringBuilder(eventJson.length() + 96)
                .append("{\"origin\":").append(mapper.writeValueAsString(origin))
                .append(",\"ts\":").append(publishedAt)
                .append(",\"kind\":\"").append(summary.kind().name().toLowerCase(Locale.ROOT)).append('"');
        if (summary.kind() == RoomEvent.Kind.MESSAGE) {
            payload.append(",\"seq\":").append(summary.seq());
            Instant committed = summary.committed();
            if (committed != null) {
                payload.append(",\"at\":").append(ChronoUnit.MICROS.between(Instant.EPOCH, committed));
            }
        }
        String user = summary.user();
        if (user != null) {
            payload.append(",\"user\":").append(mapper.writeValueAsString(user));
        }
        return payload.append(",\"event\":").append(eventJson).append('}').toString();
    }

    /** The payload for an event already encoded as {@code eventJson}, without a summary. */
    static String encode(JsonMapper mapper, String origin, long publishedAt, String eventJson) {
        return "{\"origin\":" + mapper.writeValueAsString(origin) + ",\"ts\":" + publishedAt + ",\"event\":" + eventJson + "}";
    }

    static String encode(JsonMapper mapper, String origin, long publishedAt, NodeEvent event) {
        return encode(mapper, origin, publishedAt, mapper.writerFor(NodeEvent.class).writeValueAsString(event));
    }

    /**
     * Parses a payload in one streaming pass, cutting the event's text out of it by the parser's
     * character offsets; throws {@link IllegalArgumentException} when it is not an envelope.
     */
    static BusEnvelope decode(JsonMapper mapper, String payload) {
        String origin = null;
        long publishedAt = 0;
        String event = null;
        RoomEvent.Kind kind = null;
        long seq = 0;
        Instant committed = null;
        String user = null;
        try (JsonParser parser = mapper.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("bus payload is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "origin" -> origin = value == JsonToken.VALUE_STRING ? parser.getString() : null;
                    case "ts" -> publishedAt = value == JsonToken.VALUE_NUMBER_INT ? parser.getLongValue() : 0;
                    case "kind" -> kind = value == JsonToken.VALUE_STRING ? kindOf(parser.getString()) : null;
                    case "seq" -> seq = value == JsonToken.VALUE_NUMBER_INT ? parser.getLongValue() : 0;
                    case "at" -> committed = value == JsonToken.VALUE_NUMBER_INT ? microsToInstant(parser.getLongValue()) : null;
                    case "user" -> user = value == JsonToken.VALUE_STRING ? parser.getString() : null;
                    case "event" -> {
                        if (value != JsonToken.START_OBJECT) {
                            throw new IllegalArgumentException("bus event is not a JSON object");
                        }
                        int from = (int) parser.currentTokenLocation().getCharOffset();
                        parser.skipChildren();
                        int to = (int) parser.currentLocation().getCharOffset();
                        event = payload.substring(from, to);
                    }
                    default -> parser.skipChildren();
                }
            }
        } catch (JacksonException e) {
            throw new IllegalArgumentException("bus payload is not JSON", e);
        }
        if (origin == null || event == null) {
            throw new IllegalArgumentException("bus payload without origin or event");
        }
        return new BusEnvelope(origin, publishedAt, summary(kind, seq, committed, user), event);
    }

    private static RoomEvent.@Nullable Kind kindOf(String name) {
        for (RoomEvent.Kind kind : RoomEvent.Kind.values()) {
            if (kind.name().equalsIgnoreCase(name)) {
                return kind;
            }
        }
        return RoomEvent.Kind.OTHER; // a kind of a later version: not delivered, like OTHER
    }

    private static @Nullable RoomEvent summary(RoomEvent.@Nullable Kind kind, long seq, @Nullable Instant committed, @Nullable String user) {
        if (kind == null) {
            return null;
        }
        if ((kind == RoomEvent.Kind.MESSAGE && seq <= 0) || (kind == RoomEvent.Kind.TYPING && user == null)) {
            return null; // an incomplete summary: route by the event itself
        }
        return new RoomEvent(kind, kind == RoomEvent.Kind.MESSAGE ? seq : 0, kind == RoomEvent.Kind.MESSAGE ? committed : null,
                kind == RoomEvent.Kind.TYPING ? user : null);
    }

    private static Instant microsToInstant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /** The room event's summary: the one the envelope carried, or else the decoded event's. */
    RoomEvent roomEvent(FrameCodec codec) {
        return summary != null ? summary : RoomEvent.of(codec.decodeServer(event));
    }

    NodeEvent nodeEvent(JsonMapper mapper) {
        return mapper.readValue(event, NodeEvent.class);
    }
}
