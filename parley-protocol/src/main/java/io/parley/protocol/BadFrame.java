package io.parley.protocol;

import org.jspecify.annotations.Nullable;

/**
 * A frame that cannot be accepted. Carries the error code to answer with and, once known, the
 * {@code ref} of the offending frame (its {@code clientMsgId}, else its {@code type}).
 */
public final class BadFrame extends RuntimeException {

    private final ErrorCode code;
    private final @Nullable String ref;

    public BadFrame(String message) {
        this(ErrorCode.BAD_REQUEST, message, null);
    }

    public BadFrame(ErrorCode code, String message) {
        this(code, message, null);
    }

    public BadFrame(ErrorCode code, String message, @Nullable String ref) {
        super(message, null, false, false);
        this.code = code;
        this.ref = ref;
    }

    public ErrorCode code() {
        return code;
    }

    public @Nullable String ref() {
        return ref;
    }

    public BadFrame withRef(@Nullable String ref) {
        return new BadFrame(code, getMessage(), ref);
    }

    /** The error frame that answers this. */
    public ServerFrame.Error toErrorFrame() {
        return new ServerFrame.Error(code, String.valueOf(getMessage()), ref);
    }
}
