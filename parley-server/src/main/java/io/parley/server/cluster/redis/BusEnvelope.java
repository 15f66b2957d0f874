package io.parley.server.cluster.redis;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.cluster.NodeEvent;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The payload of every bus message: {@code {"origin":"<node id>","ts":<epoch ms>,"event":{...}}},
 * where the event is a protocol {@link ServerFrame} on a room channel and a {@link NodeEvent} on a
 * node channel. {@code origin} lets a node skip its own events (it delivered them in-process);
 * {@code ts} gives the bus lag. Thread-safe.
 *
 * @param origin the id of the publishing node
 * @param publishedAt epoch milliseconds on the publishing node's clock
 * @param event the event's JSON
 */
record BusEnvelope(String origin, long publishedAt, JsonNode event) {

    static String encode(JsonMapper mapper, String origin, long publishedAt, String eventJson) {
        return "{\"origin\":" + mapper.writeValueAsString(origin) + ",\"ts\":" + publishedAt + ",\"event\":" + eventJson + "}";
    }

    static String encode(FrameCodec codec, String origin, long publishedAt, ServerFrame frame) {
        return encode(codec.mapper(), origin, publishedAt, codec.encode(frame));
    }

    static String encode(JsonMapper mapper, String origin, long publishedAt, NodeEvent event) {
        return encode(mapper, origin, publishedAt, mapper.writerFor(NodeEvent.class).writeValueAsString(event));
    }

    /** Parses a payload; throws {@link IllegalArgumentException} when it is not an envelope. */
    static BusEnvelope decode(JsonMapper mapper, String payload) {
        JsonNode tree;
        try {
            tree = mapper.readTree(payload);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bus payload is not JSON", e);
        }
        JsonNode origin = tree.get("origin");
        JsonNode event = tree.get("event");
        if (origin == null || !origin.isString() || event == null || !event.isObject()) {
            throw new IllegalArgumentException("bus payload without origin or event");
        }
        return new BusEnvelope(origin.asString(), tree.path("ts").asLong(0), event);
    }

    ServerFrame frame(JsonMapper mapper) {
        return mapper.treeToValue(event, ServerFrame.class);
    }

    NodeEvent nodeEvent(JsonMapper mapper) {
        return mapper.treeToValue(event, NodeEvent.class);
    }
}
