package io.parley.protocol;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
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
    /** Bound once: {@code mapper.writerFor} per call builds a writer and looks its serializer up again. */
    private final ObjectWriter serverWriter;
    private final ObjectWriter clientWriter;
    private final ObjectReader clientReader;

    public FrameCodec() {
        this.mapper = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .changeDefaultPropertyInclusion(incl -> incl.withValueInclusion(JsonInclude.Include.NON_NULL))
                .build();
        this.serverWriter = mapper.writerFor(ServerFrame.class);
        this.clientWriter = mapper.writerFor(ClientFrame.class);
        this.clientReader = mapper.readerFor(ClientFrame.class);
    }

    /**
     * Decodes a client frame, or throws {@link BadFrame} with the {@code ref} of the offending frame
     * set when known. A valid frame is parsed once, straight into its record; only a frame that fails
     * is parsed again, as a tree, to say what is wrong with it.
     */
    public ClientFrame decodeClient(String json) {
        try {
            ClientFrame frame = clientReader.readValue(json);
            if (frame != null) {
                return frame;
            }
        } catch (JacksonException e) {
            throw refused(json, e);
        }
        throw new BadFrame("a frame is a JSON object");
    }

    /** The {@link BadFrame} for a frame that failed to bind with {@code failure}. */
    private BadFrame refused(String json, JacksonException failure) {
        JsonNode tree;
        try {
            tree = mapper.readTree(json);
        } catch (JacksonException e) {
            return new BadFrame("malformed JSON");
        }
        if (tree == null || !tree.isObject()) {
            return new BadFrame("a frame is a JSON object");
        }
        String ref = refOf(tree);
        JsonNode type = tree.get("type");
        if (type == null || !type.isString()) {
            return new BadFrame(ErrorCode.BAD_REQUEST, "missing field 'type'", ref);
        }
        if (failure instanceof InvalidTypeIdException) {
            return new BadFrame(ErrorCode.BAD_REQUEST, "unknown type '" + type.asString() + "'", ref);
        }
        if (failure instanceof ValueInstantiationException) {
            if (failure.getCause() instanceof BadFrame bad) {
                return bad.withRef(ref);
            }
            return new BadFrame(ErrorCode.BAD_REQUEST, "invalid '" + type.asString() + "' frame", ref);
        }
        if (failure instanceof StreamReadException) {
            return new BadFrame(ErrorCode.BAD_REQUEST, "malformed JSON", ref);
        }
        return new BadFrame(ErrorCode.BAD_REQUEST, describe(failure), ref);
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
        return serverWriter.writeValueAsString(frame);
    }

    public String encode(ClientFrame frame) {
        return clientWriter.writeValueAsString(frame);
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
