package io.parley.server.connection;

import java.security.Principal;

import io.parley.protocol.BadFrame;
import io.parley.protocol.ClientFrame;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.PongMessage;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.socket.server.support.HttpSessionHandshakeInterceptor;

/**
 * The {@code /ws} endpoint: authenticates the socket by its HTTP session's principal, gives it an
 * {@link OutboundQueue}, decodes each inbound frame, rate-limits it, and hands it to the
 * connection's {@link ConnectionHandler}, except {@code auth} frames, which go to the
 * {@link CredentialWatch}. A bad frame gets an {@code error} frame; the socket stays
 * open, unless it collects more than {@code parley.websocket.max-rate-limited} {@code rate_limited}
 * answers within {@code rate-limited-window}: then it is closed with 1008 ({@code rate limit}). An
 * unexpected failure while handling a frame is logged and answered with {@code internal} and
 * nothing more: no exception text reaches the client. Nothing is ever written to the socket except
 * through its queue, pings included. Every socket is watched by the node's {@link Heartbeats} from
 * open to close; every inbound frame and pong is a sign of life, every close is counted by its code
 * ({@link ConnectionStats}).
 *
 * <p>The state of a connection is one {@link Open} object, created at open and kept in the session's
 * own attributes: an inbound frame costs no look-up in a node-wide map ({@link Connections} is
 * touched at open and close only).
 *
 * <p>Takes messages in parts ({@link #supportsPartialMessages()}), so the container's per-socket
 * message buffer need not be as large as the largest frame: the connection's {@link TextAssembler}
 * joins a large frame while it arrives and closes the socket with 1009 when it exceeds
 * {@code parley.websocket.max-frame-size}.
 */
public class ParleyWebSocketHandler extends TextWebSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(ParleyWebSocketHandler.class);

    private final FrameHandler frames;
    private final OutboundQueues queues;
    private final Connections connections;
    private final FrameCodec codec;
    private final WebSocketProperties properties;
    private final CredentialWatch credentials;
    private final Heartbeats heartbeats;
    private final ConnectionStats stats;

    /** The session attribute that holds the connection's {@link Open}. */
    private static final String OPEN = ParleyWebSocketHandler.class.getName() + ".open";

    /**
     * A connection, the handler of its frames, its heartbeat watch, and its budget of {@code
     * rate_limited} answers: when it runs out, the client is not slowing down, and the connection is
     * closed with 1008.
     */
    private record Open(Connection connection, ConnectionHandler handler, Heartbeats.Watch watch, FrameRateLimiter rateLimitedBudget) {
    }

    public ParleyWebSocketHandler(FrameHandler frames, OutboundQueues queues, Connections connections, FrameCodec codec,
            WebSocketProperties properties, CredentialWatch credentials, Heartbeats heartbeats) {
        this.credentials = credentials;
        this.heartbeats = heartbeats;
        this.stats = connections.stats();
        this.frames = frames;
        this.queues = queues;
        this.connections = connections;
        this.codec = codec;
        this.properties = properties;
    }

    @Override
    public void afterConnectionEstablished(WebSocketSession session) throws Exception {
        // The handshake's authentication (a token's claims, a login's details) is read here once,
        // then dropped: the session itself keeps only the user's name (LeanHandshakeHandler).
        Principal principal = session.getAttributes().remove(LeanHandshakeHandler.AUTHENTICATION) instanceof Principal
                authenticated ? authenticated : session.getPrincipal();
        if (principal == null) {
            // The security filter refuses unauthenticated handshakes; this is a second line of defence.
            connections.cancelReservation();
            session.close(new CloseStatus(CloseCodes.POLICY_VIOLATION, "not authenticated"));
            return;
        }
        Object httpSessionId = session.getAttributes().get(HttpSessionHandshakeInterceptor.HTTP_SESSION_ID_ATTR_NAME);
        Connection connection = new Connection(session.getId(), principal.getName(),
                httpSessionId instanceof String id ? id : null, queues.open(session),
                new FrameRateLimiter(properties.framesPerSecond(), properties.frameBurst()),
                new TextAssembler((int) properties.maxFrameSize().toBytes()));
        connections.add(connection);
        log.debug("{} opened", connection);
        credentials.onOpen(connection, principal);
        Heartbeats.Watch watch = heartbeats.watch(connection);
        FrameRateLimiter rateLimitedBudget = new FrameRateLimiter(
                properties.maxRateLimited() * 1000.0 / properties.rateLimitedWindow().toMillis(), properties.maxRateLimited());
        ConnectionHandler handler = frames.onOpen(connection);
        connection.handledBy(handler);
        session.getAttributes().put(OPEN, new Open(connection, handler, watch, rateLimitedBudget));
    }

    @Override
    protected void handleTextMessage(WebSocketSession session, TextMessage message) {
        if (!(session.getAttributes().get(OPEN) instanceof Open open)) {
            return;
        }
        Connection connection = open.connection();
        connection.inboundFrame();
        String text;
        try {
            text = connection.assembler().add(message.getPayload(), message.isLast());
        } catch (TextAssembler.TooLarge tooLarge) {
            connection.close(new CloseStatus(CloseCodes.TOO_BIG, tooLarge.getMessage()));
            return;
        }
        if (text == null) {
            return; // more parts to come
        }
        stats.frameIn();
        String ref = null;
        try {
            if (!connection.rateLimiter().tryAcquire()) {
                throw new BadFrame(ErrorCode.RATE_LIMITED, "too many frames; slow down");
            }
            ClientFrame frame = codec.decodeClient(text);
            ref = frame instanceof ClientFrame.Send send ? send.clientMsgId().toString() : ClientFrame.typeOf(frame);
            if (frame instanceof ClientFrame.Auth auth) {
                credentials.onAuth(connection, auth);
            } else {
                open.handler().onFrame(frame);
            }
        } catch (BadFrame bad) {
            if (bad.code() == ErrorCode.RATE_LIMITED && !open.rateLimitedBudget().tryAcquire()) {
                if (!connection.outbound().isOpen()) {
                    return; // closing already: the frames still in flight need no second close
                }
                log.warn("{} closed: over {} rate-limited frames within {}", connection, properties.maxRateLimited(),
                        properties.rateLimitedWindow());
                // After what is queued for it: the rate_limited answers tell the client which frames were refused
                // (a client that does not read is the send-time limit's, 4500).
                connection.closeAfterFlush(new CloseStatus(CloseCodes.POLICY_VIOLATION, CloseCodes.RATE_LIMIT_REASON));
                return;
            }
            reply(connection, bad.ref() != null || ref == null ? bad.toErrorFrame() : bad.withRef(ref).toErrorFrame());
        } catch (RuntimeException e) {
            log.error("Frame of {} failed", connection, e);
            reply(connection, new ServerFrame.Error(ErrorCode.INTERNAL, "internal error; retry", ref));
        }
    }

    /** A pong, in answer to a heartbeat ping (browsers and WebSocket libraries send it by themselves). */
    @Override
    protected void handlePongMessage(WebSocketSession session, PongMessage message) {
        if (session.getAttributes().get(OPEN) instanceof Open open) {
            open.connection().pong();
        }
    }

    @Override
    public boolean supportsPartialMessages() {
        return true;
    }

    @Override
    public void handleTransportError(WebSocketSession session, Throwable exception) {
        // Could be part of normal workflow (for example, a browser tab closed).
        log.debug("Transport error on {}: {}", session.getId(), exception.toString());
    }

    @Override
    public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
        stats.closedWith(status.getCode());
        if (session.getAttributes().remove(OPEN) instanceof Open open) {
            open.watch().end();
            Connection connection = open.connection();
            connections.remove(connection.id());
            connection.close(status);
            log.debug("{} closed with {}", connection, status);
            credentials.onClose(connection);
            open.handler().onClose();
        }
    }

    private void reply(Connection connection, ServerFrame.Error error) {
        connection.send(Outgoing.control(codec.encode(error)));
    }
}
