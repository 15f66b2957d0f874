package io.parley.server.connection;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;
import org.springframework.web.socket.CloseStatus;

/**
 * One authenticated WebSocket on this node. Sending never blocks: frames go to the socket's
 * {@link OutboundQueue}. Thread-safe: any thread may send or close.
 */
public final class Connection {

    private final String id;
    private final String user;
    private final @Nullable String httpSessionId;
    private final OutboundQueue outbound;
    private final FrameRateLimiter rateLimiter;
    private final TextAssembler assembler;
    /** Whether a frame arrived since {@link #takeInboundActivity()} last asked. */
    private volatile boolean inbound;
    /** Whether anything (a frame or a pong) arrived since the last {@link #clearHeard()}: for {@link Heartbeats}. */
    private volatile boolean heard;
    /** Whether a frame (not a pong) ever arrived: the first-frame timeout of {@link Heartbeats}. */
    private volatile boolean spoke;
    /** Set once, right after open; null until the frame handler has created it. */
    private volatile @Nullable ConnectionHandler handler;
    private volatile boolean quiescing;

    Connection(String id, String user, @Nullable String httpSessionId, OutboundQueue outbound, FrameRateLimiter rateLimiter,
            TextAssembler assembler) {
        this.id = id;
        this.user = user;
        this.httpSessionId = httpSessionId;
        this.outbound = outbound;
        this.rateLimiter = rateLimiter;
        this.assembler = assembler;
    }

    /** The WebSocket session id, unique on this node. */
    public String id() {
        return id;
    }

    /** The authenticated user name. */
    public String user() {
        return user;
    }

    /** The id of the HTTP session the handshake was made with. */
    public @Nullable String httpSessionId() {
        return httpSessionId;
    }

    /** Queues a frame; false when the connection is closed or closing (the frame is dropped). */
    public boolean send(Outgoing frame) {
        return outbound.enqueue(frame);
    }

    /** Closes now: what is still queued is discarded. */
    public void close(CloseStatus status) {
        outbound.close(status);
    }

    /** Writes what is queued, then closes (graceful drain). */
    public void closeAfterFlush(CloseStatus status) {
        outbound.closeAfterFlush(status);
    }

    /**
     * Notes that a frame arrived from the client; called by the handler for every inbound text
     * frame (or part). Each mark is written only when it changes, so a busy socket costs three reads.
     */
    void inboundFrame() {
        if (!inbound) {
            inbound = true;
        }
        if (!heard) {
            heard = true;
        }
        if (!spoke) {
            spoke = true;
        }
    }

    /** Notes a pong from the client: it is alive (but a pong is not a first frame, nor activity of its HTTP session). */
    void pong() {
        if (!heard) {
            heard = true;
        }
    }

    /** Whether the client sent anything since the last {@link #clearHeard()}. */
    boolean heard() {
        return heard;
    }

    /** Forgets what was heard: called right before a ping, whose answer is then awaited. */
    void clearHeard() {
        heard = false;
    }

    /** Whether the client ever sent a frame. */
    boolean spoke() {
        return spoke;
    }

    /** Whether a frame arrived since the last call; clears the mark. For the HTTP session's keep-alive. */
    public boolean takeInboundActivity() {
        boolean was = inbound;
        if (was) {
            inbound = false;
        }
        return was;
    }

    void handledBy(ConnectionHandler handler) {
        this.handler = handler;
        if (quiescing) {
            handler.quiesce(); // the drain chose this connection while it opened
        }
    }

    /**
     * For a drain: stops the connection's handler from taking requests and completes when those it
     * took are answered ({@link ConnectionHandler#quiesce()}). A connection whose handler does not
     * exist yet has taken none, and its handler is quiesced as soon as it is set.
     */
    CompletionStage<Void> quiesce() {
        quiescing = true;
        ConnectionHandler current = handler;
        return current == null ? CompletableFuture.completedFuture(null) : current.quiesce();
    }

    OutboundQueue outbound() {
        return outbound;
    }

    FrameRateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** Joins the parts of a large inbound message; only the container's delivery thread may call it. */
    TextAssembler assembler() {
        return assembler;
    }

    @Override
    public String toString() {
        return "Connection[" + id + ", " + user + "]";
    }
}
