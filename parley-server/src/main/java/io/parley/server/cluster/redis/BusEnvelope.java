package io.parley.server.cluster.redis;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.NodeEvent;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The payload of every bus message: {@code {"origin":"<node id>","ts":<epoch ms>,"event":{...}}},
 * where the event is a protocol {@link ServerFrame} on a room channel and a {@link NodeEvent} on a
 * node channel. {@code origin} lets a node skip its own events (it delivered them in-process);
 * {@code ts} gives the bus lag. The event's JSON is kept as the exact text the publisher encoded, so
 * a receiving node hands those bytes to its clients without encoding the event again. Thread-safe.
 *
 * @param origin the id of the publishing node
 * @param publishedAt epoch milliseconds on the publishing node's clock
 * @param event the event's JSON, as published
 */
record BusEnvelope(String origin, long publishedAt, String event) {

    /** The payload for an event already encoded as {@code eventJson}. */
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
        return new BusEnvelope(origin, publishedAt, event);
    }

    ServerFrame frame(FrameCodec codec) {
        return codec.decodeServer(event);
    }

    NodeEvent nodeEvent(JsonMapper mapper) {
        return mapper.readValue(event, NodeEvent.class);
    }
}
