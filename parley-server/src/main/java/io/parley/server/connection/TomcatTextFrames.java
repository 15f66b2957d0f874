package io.parley.server.connection;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends bytes already in UTF-8 as one text frame on Tomcat, so that a broadcast is encoded once and
 * not once per recipient.
 *
 * <p>JSR-356 can only send a text as a {@code String}, which Tomcat encodes to UTF-8 on every send,
 * in chunks of its per-socket encoder buffer ({@code org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE},
 * 8 KB): a message to 1,000 members is encoded 1,000 times, and a text longer than the buffer goes
 * out as several fragments. Tomcat's binary send already writes a caller's buffer as it is, through
 * {@code WsRemoteEndpointImplBase#startMessage(byte, ByteBuffer, boolean, SendHandler)}; this class
 * calls that method with the text opcode. It is package-private, so it is reached through a
 * {@link MethodHandles#privateLookupIn private lookup} (Tomcat's jar is on the class path, in the
 * unnamed module, open to reflection), resolved once. Where it cannot be resolved (another container,
 * another Tomcat) {@link #available()} is false and {@link StandardFrameSink} sends the text.
 *
 * <p>What the call skips: the remote endpoint's state machine, which throws when the application
 * starts a second message before the first has completed. The {@link OutboundQueue} already never
 * starts a write before the previous one has completed, and Tomcat's own frames (close, pong) are
 * control frames, which that state machine does not track. What it keeps: the session's
 * last-write time, extensions (permessage-deflate compresses the part like any other), the queueing
 * of a control frame behind the data frame in progress, and the completion on Tomcat's thread.
 */
final class TomcatTextFrames {

    private static final Logger log = LoggerFactory.getLogger(TomcatTextFrames.class);

    private static final byte OPCODE_TEXT = 0x1;

    /** {@code WsRemoteEndpointBase.base}, as {@code (Object) Object}: the async remote's endpoint implementation. */
    private static final @Nullable MethodHandle ENDPOINT;

    /** {@code WsRemoteEndpointImplBase.startMessage}, as {@code (Object, byte, ByteBuffer, boolean, SendHandler) void}. */
    private static final @Nullable MethodHandle START_MESSAGE;

    private static final @Nullable Class<?> REMOTE;

    static {
        MethodHandle endpoint = null;
        MethodHandle startMessage = null;
        Class<?> remote = null;
        try {
            ClassLoader loader = TomcatTextFrames.class.getClassLoader();
            Class<?> remoteBase = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointBase", false, loader);
            Class<?> implBase = Class.forName("org.apache.tomcat.websocket.WsRemoteEndpointImplBase", false, loader);
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            endpoint = MethodHandles.privateLookupIn(remoteBase, lookup)
                    .findGetter(remoteBase, "base", implBase)
                    .asType(MethodType.methodType(Object.class, Object.class));
            startMessage = MethodHandles.privateLookupIn(implBase, lookup)
                    .findVirtual(implBase, "startMessage", MethodType.methodType(void.class, byte.class,
                            ByteBuffer.class, boolean.class, SendHandler.class))
                    .asType(MethodType.methodType(void.class, Object.class, byte.class, ByteBuffer.class,
                            boolean.class, SendHandler.class));
            remote = remoteBase;
        }
        catch (ReflectiveOperationException | RuntimeException | LinkageError ex) {
            endpoint = null;
            startMessage = null;
            remote = null;
            log.debug("Tomcat's text frames from UTF-8 bytes are not available; texts are encoded per send: {}", ex.toString());
        }
        ENDPOINT = endpoint;
        START_MESSAGE = startMessage;
        REMOTE = remote;
    }

    private TomcatTextFrames() {
    }

    /** Whether this class can send on Tomcat's sockets. */
    static boolean available() {
        return START_MESSAGE != null;
    }

    /**
     * The endpoint implementation behind {@code remote} that {@link #send} writes to, or {@code null}
     * when {@code remote} is not Tomcat's or this class is not {@link #available()}.
     */
    static @Nullable Object endpoint(RemoteEndpoint.Async remote) {
        MethodHandle getter = ENDPOINT;
        Class<?> type = REMOTE;
        if (getter == null || type == null || !type.isInstance(remote)) {
            return null;
        }
        try {
            return (Object) getter.invokeExact((Object) remote);
        }
        catch (Throwable ex) {
            throw rethrow(ex);
        }
    }

    /**
     * Starts sending {@code payload} (UTF-8, from position 0 to its limit) as one final text frame on
     * {@code endpoint} (from {@link #endpoint}); {@code handler} is called once when it completes. Throws
     * what Tomcat throws when the session is closed.
     */
    static void send(Object endpoint, ByteBuffer payload, SendHandler handler) {
        MethodHandle start = START_MESSAGE;
        if (start == null) {
            throw new IllegalStateException("not available");
        }
        try {
            start.invokeExact(endpoint, OPCODE_TEXT, payload, true, handler);
        }
        catch (Throwable ex) {
            throw rethrow(ex);
        }
    }

    private static RuntimeException rethrow(Throwable ex) {
        if (ex instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (ex instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException(ex);
    }
}
