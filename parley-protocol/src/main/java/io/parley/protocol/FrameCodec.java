package io.parley.protocol;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.InvalidTypeIdException;
import tools.jackson.databind.exc.ValueInstantiationException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON codec of protocol v1. Thread-safe and cheap to share: one instance per process is enough.
 *
 * <p>Decoding a client frame never throws anything but {@link BadFrame}, whose code and message are
 * fit to send back in an {@code error} frame: malformed JSON, an unknown {@code type}, a missing or
 * mistyped field and an out-of-range value each get their own message. Unknown extra fields are
 * ignored, so a newer client can talk to an older server.
 */
public final class FrameCodec {

    private final JsonMapper mapper;

    public FrameCodec() {
        this.mapper = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .changeDefaultPropertyInclusion(incl -> incl.withValueInclusion(JsonInclude.Include.NON_NULL))
                .build();
    }

    /** Decodes a client frame, or throws {@link BadFrame} with the {@code ref} of the offending frame set when known. */
    public ClientFrame decodeClient(String json) {
        JsonNode tree;
        try {
            tree = mapper.readTree(json);
        } catch (JacksonException e) {
            throw new BadFrame("malformed JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw new BadFrame("a frame is a JSON object");
        }
        String ref = refOf(tree);
        JsonNode type = tree.get("type");
        if (type == null || !type.isString()) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "missing field 'type'", ref);
        }
        try {
            return mapper.treeToValue(tree, ClientFrame.class);
        } catch (InvalidTypeIdException e) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "unknown type '" + type.asString() + "'", ref);
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof BadFrame bad) {
                throw bad.withRef(ref);
            }
            throw new BadFrame(ErrorCode.BAD_REQUEST, "invalid '" + type.asString() + "' frame", ref);
        } catch (StreamReadException e) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, "malformed JSON", ref);
        } catch (JacksonException e) {
            throw new BadFrame(ErrorCode.BAD_REQUEST, describe(e), ref);
        }
    }

    /** Decodes a server frame (used by clients). Throws {@link IllegalArgumentException} on anything invalid. */
    public ServerFrame decodeServer(String json) {
        try {
            return Objects.requireNonNull(mapper.readValue(json, ServerFrame.class));
        } catch (JacksonException e) {
            throw new IllegalArgumentException("invalid server frame: " + e.getOriginalMessage(), e);
        }
    }

    /** Encodes any frame, with its {@code type}, as one line of JSON. */
    public String encode(ServerFrame frame) {
        return mapper.writerFor(ServerFrame.class).writeValueAsString(frame);
    }

    public String encode(ClientFrame frame) {
        return mapper.writerFor(ClientFrame.class).writeValueAsString(frame);
    }

    /** The shared mapper, configured for the protocol. Do not reconfigure it. */
    public JsonMapper mapper() {
        return mapper;
    }

    private static @Nullable String refOf(JsonNode tree) {
        JsonNode id = tree.get("clientMsgId");
        if (id != null && id.isString() && id.asString().length() <= 64) {
            return id.asString();
        }
        JsonNode type = tree.get("type");
        if (type != null && type.isString() && type.asString().length() <= 32) {
            return type.asString();
        }
        return null;
    }

    private static String describe(JacksonException e) {
        String path = e.getPath().isEmpty() ? null : e.getPath().get(e.getPath().size() - 1).getPropertyName();
        return path == null ? "invalid frame" : "invalid value for '" + path + "'";
    }
}
