package io.parley.server.connection;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the WebSocket endpoint {@code /ws}.
 *
 * @param allowedOrigins origins allowed to open a socket besides the server's own (default: none,
 *        same origin only); a browser handshake from any other Origin is refused with 403
 * @param maxFrameSize largest inbound text frame (default 64KB); a larger one closes the connection with 1009
 * @param framesPerSecond sustained inbound frames per connection (default 20); more are answered with {@code rate_limited}
 * @param frameBurst inbound frames a connection may send at once before the rate applies (default 50)
 * @param messageBufferSize the container's per-socket buffer for an inbound text message, in chars
 *        (default 512, 1 KB of heap); a longer message arrives in parts and is joined while it
 *        arrives, up to {@code maxFrameSize}. At most {@code maxFrameSize}
 * @param socketBufferSize each of the container's per-socket read and write buffers (default 1KB); a
 *        larger frame takes several passes
 * @param frameBufferSize the buffers of Tomcat's WebSocket frame reader and writer, three per socket
 *        (default 1KB; Tomcat's own default is 8 KB): an inbound frame is read through it in parts
 *        (a control frame, at most 125 bytes, always fits), without splitting the message it carries;
 *        outbound texts do not pass through it (they are written from their UTF-8 bytes, in one
 *        frame). Tomcat takes it from the JVM property {@code org.apache.tomcat.websocket.DEFAULT_BUFFER_SIZE}
 *        once per JVM, when its WebSocket classes load: Parley sets that property, unless it is
 *        already set, before the server starts. 256B to 1MB
 * @param pingInterval how often the server sends a WebSocket ping on every socket (default 25s,
 *        below the idle timeouts of common proxies and load balancers); {@code 0} turns server pings
 *        and the pong timeout off
 * @param pongTimeout how long after a ping has been handed to the socket the client must have sent
 *        something (a pong, which browsers and WebSocket libraries send by themselves, or any frame);
 *        a silent socket is closed with 4000 (default 10s). Time a ping spends waiting behind a
 *        pending write does not count: a socket that does not take the server's writes is the
 *        send-time limit's business (4500). More than 0 and at most {@code pingInterval}
 * @param firstFrameTimeout how long after the handshake a socket may go without sending a text
 *        frame before it is closed with 4000 (default 2m); pongs do not count. Parley's clients send
 *        a frame as soon as they are welcomed; the default also spares an older web page, which sent
 *        its first frame on its 25 s heartbeat timer (later in a throttled background tab). {@code 0}
 *        turns it off
 * @param maxRateLimited frames answered {@code rate_limited} (by the frame rate above, or by the user's
 *        send rate) that a connection may collect within {@code rateLimitedWindow} (default 100); one
 *        more closes it with 1008 and the reason {@code rate limit}. A budget of that many, refilled
 *        evenly over the window: a client that keeps sending about 10 frames a second more than it may
 *        is closed after about 10 s, a flood within a fraction of a second
 * @param rateLimitedWindow see {@code maxRateLimited} (default 10s)
 * @param permessageDeflate whether a client may negotiate the {@code permessage-deflate} extension
 *        (RFC 7692) at the handshake (default false: the offer is ignored and frames are not
 *        compressed; a compressed frame, RSV1 set, is then a protocol error, 1002). When on, the limit
 *        {@code maxFrameSize} applies to the decompressed message, which is inflated and joined in
 *        parts as it arrives: a small frame that inflates past it is closed with 1009, like a large one
 */
@ConfigurationProperties("parley.websocket")
public record WebSocketProperties(
        @DefaultValue List<String> allowedOrigins,
        @DefaultValue("64KB") DataSize maxFrameSize,
        @DefaultValue("20") double framesPerSecond,
        @DefaultValue("50") int frameBurst,
        @DefaultValue("512") int messageBufferSize,
        @DefaultValue("1KB") DataSize socketBufferSize,
        @DefaultValue("1KB") DataSize frameBufferSize,
        @DefaultValue("25s") Duration pingInterval,
        @DefaultValue("10s") Duration pongTimeout,
        @DefaultValue("2m") Duration firstFrameTimeout,
        @DefaultValue("100") int maxRateLimited,
        @DefaultValue("10s") Duration rateLimitedWindow,
        @DefaultValue("false") boolean permessageDeflate) {

    public WebSocketProperties {
        if (maxFrameSize.toBytes() < 1024 || maxFrameSize.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("parley.websocket.max-frame-size must be between 1KB and 2GB");
        }
        if (framesPerSecond <= 0 || frameBurst < 1) {
            throw new IllegalArgumentException("parley.websocket.frames-per-second must be > 0 and frame-burst >= 1");
        }
        if (messageBufferSize < 128 || messageBufferSize > maxFrameSize.toBytes()) {
            throw new IllegalArgumentException("parley.websocket.message-buffer-size must be between 128 and max-frame-size");
        }
        if (socketBufferSize.toBytes() < 256 || socketBufferSize.toBytes() > 1024 * 1024) {
            throw new IllegalArgumentException("parley.websocket.socket-buffer-size must be between 256B and 1MB");
        }
        if (frameBufferSize.toBytes() < 256 || frameBufferSize.toBytes() > 1024 * 1024) {
            throw new IllegalArgumentException("parley.websocket.frame-buffer-size must be between 256B and 1MB");
        }
        if (maxRateLimited < 1 || rateLimitedWindow.toMillis() < 1) {
            throw new IllegalArgumentException("parley.websocket.max-rate-limited must be >= 1 and rate-limited-window positive");
        }
        if (pingInterval.isNegative() || firstFrameTimeout.isNegative()) {
            throw new IllegalArgumentException("parley.websocket.ping-interval and first-frame-timeout must be 0 (off) or more");
        }
        // The accessors read fields, which a compact constructor assigns only at its end: use the parameters.
        boolean pings = !pingInterval.isZero();
        if (pings && (pongTimeout.compareTo(MIN_TIMEOUT) < 0 || pongTimeout.compareTo(pingInterval) > 0)) {
            throw new IllegalArgumentException("parley.websocket.pong-timeout must be between " + MIN_TIMEOUT.toMillis()
                    + "ms and ping-interval (" + pingInterval + "), got " + pongTimeout);
        }
        if ((pings && pingInterval.compareTo(MIN_TIMEOUT) < 0)
                || (!firstFrameTimeout.isZero() && firstFrameTimeout.compareTo(MIN_TIMEOUT) < 0)) {
            throw new IllegalArgumentException("parley.websocket.ping-interval and first-frame-timeout must be 0 (off) or at least "
                    + MIN_TIMEOUT.toMillis() + "ms");
        }
    }

    /** The shortest ping interval and timeout accepted: the heartbeats' tick is a quarter of the shortest, at least 10 ms. */
    static final Duration MIN_TIMEOUT = Duration.ofMillis(40);

    /** Whether the server pings (a ping interval above 0). */
    public boolean pingsOn() {
        return !pingInterval.isZero();
    }

    /** Whether the first-frame timeout applies (above 0). */
    public boolean firstFrameTimeoutOn() {
        return !firstFrameTimeout.isZero();
    }
}
