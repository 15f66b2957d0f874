package io.parley.protocol;

import java.util.Objects;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.exc.InvalidTypeIdException;
import tools.jackson.databind.exc.ValueInstantiationException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * The JSON codec of protocol v1. Thread-safe and cheap to share: one instance per process is enough.
 *
 * <p>Decoding a client frame never throws anything but {@link BadFrame}, whose code and message are
 * fit to send back in an {@code error} frame and never carry a parser's or the server's internals:
 * malformed JSON, an unknown {@code type}, a missing or mistyped field and an out-of-range value each
 * get their own message. Unknown extra fields are ignored, so a newer client can talk to an older
 * server.
 *
 * <p>Client frames are read strictly, so that a hostile document costs little and means one thing:
 * at most {@value Protocol#MAX_FRAME_CHARS} chars (checked before parsing), nesting depth
 * {@value Protocol#MAX_JSON_DEPTH}, {@value Protocol#MAX_JSON_TOKENS} tokens, numbers of
 * {@value Protocol#MAX_JSON_NUMBER_LENGTH} digits and names of {@value Protocol#MAX_JSON_NAME_LENGTH}
 * chars (Jackson's {@link StreamReadConstraints}); a duplicate field, content after the object, a
 * float or a string where an integer belongs, or a number where a string belongs is
 * {@code bad_request}. Server frames (which the Java client decodes) are read with Jackson's defaults:
 * a page of history is far larger than any client frame.
 */
public final class FrameCodec {

    /** A {@code type} or {@code ref} echoed back in an error frame: short, and nothing a display could misread. */
    private static final Pattern ECHOABLE_TYPE = Pattern.compile("[a-z_]{1,32}");
    private static final Pattern ECHOABLE_REF = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private static final String LIMITS = "frame exceeds the protocol's JSON limits (nesting depth " + Protocol.MAX_JSON_DEPTH
            + ", " + Protocol.MAX_JSON_TOKENS + " tokens, numbers of " + Protocol.MAX_JSON_NUMBER_LENGTH + " digits, names of "
            + Protocol.MAX_JSON_NAME_LENGTH + " chars)";

    private final JsonMapper mapper;
    /** Reads client frames only: strict, with the limits above. */
    private final JsonMapper clientMapper;
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
        JsonFactory strict = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxDocumentLength(Protocol.MAX_FRAME_CHARS)
                        .maxStringLength(Protocol.MAX_FRAME_CHARS)
                        .maxNestingDepth(Protocol.MAX_JSON_DEPTH)
                        .maxTokenCount(Protocol.MAX_JSON_TOKENS)
                        .maxNumberLength(Protocol.MAX_JSON_NUMBER_LENGTH)
                        .maxNameLength(Protocol.MAX_JSON_NAME_LENGTH)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.clientMapper = JsonMapper.builder(strict)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .withCoercionConfig(LogicalType.Textual, text -> text
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .build();
        this.serverWriter = mapper.writerFor(ServerFrame.class);
        this.clientWriter = mapper.writerFor(ClientFrame.class);
        this.clientReader = clientMapper.readerFor(ClientFrame.class);
    }

    /**
     * Decodes a client frame, or throws {@link BadFrame} with the {@code ref} of the offending frame
     * set when known. A valid frame is parsed once, straight into its record; only a frame that fails
     * is parsed again, as a tree, to say what is wrong with it.
     */
    public ClientFrame decodeClient(String json) {
        if (json.length() > Protocol.MAX_FRAME_CHARS) {
            throw new BadFrame(ErrorCode.TOO_LARGE, "frame must be at most " + Protocol.MAX_FRAME_CHARS + " chars");
        }
        try {
            ClientFrame frame = clientReader.readValue(json);
            if (frame != null) {
                return frame;
            }
        } catch (JacksonException e) {
            throw refused(json, e);
        } catch (RuntimeException e) {
            // Not expected from Jackson; whatever it is, it is the frame's fault and says nothing to the client.
            throw new BadFrame("invalid frame");
        }
        throw new BadFrame("a frame is a JSON object");
    }

    /** The {@link BadFrame} for a frame that failed to bind with {@code failure}. */
    private BadFrame refused(String json, JacksonException failure) {
        if (failure instanceof StreamConstraintsException) {
            return new BadFrame(LIMITS);
        }
        JsonNode tree;
        try {
            tree = clientMapper.readTree(json);
        } catch (RuntimeException e) {
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
            String name = type.asString();
            return new BadFrame(ErrorCode.BAD_REQUEST,
                    ECHOABLE_TYPE.matcher(name).matches() ? "unknown type '" + name + "'" : "unknown type", ref);
        }
        if (failure instanceof ValueInstantiationException) {
            if (failure.getCause() instanceof BadFrame bad) {
                return bad.withRef(ref);
            }
            return new BadFrame(ErrorCode.BAD_REQUEST, "invalid '" + type.asString() + "' frame", ref);
        }
        if (failure instanceof StreamReadException && !(failure instanceof InputCoercionException)) {
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
        if (id != null && id.isString() && ECHOABLE_REF.matcher(id.asString()).matches()) {
            return id.asString();
        }
        JsonNode type = tree.get("type");
        if (type != null && type.isString() && ECHOABLE_TYPE.matcher(type.asString()).matches()) {
            return type.asString();
        }
        return null;
    }

    /** "invalid value for 'field'", naming a field of the frame's record only (the path of a binding error), never the input. */
    private static String describe(JacksonException e) {
        String path = e.getPath().isEmpty() ? null : e.getPath().get(e.getPath().size() - 1).getPropertyName();
        return path == null || !ECHOABLE_REF.matcher(path).matches() ? "invalid frame" : "invalid value for '" + path + "'";
    }
}
