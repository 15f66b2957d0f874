package io.parley.server.connection;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits and settings of the connections this node accepts ({@code parley.connections.*}).
 * Immutable; validated at construction. How the defaults follow the process's file-descriptor limit
 * is described on {@link Admission}.
 *
 * @param max WebSockets this node holds at most; a handshake beyond it is refused with 503 and
 * {@code Retry-After} before any upgrade. Default: derived from the descriptor limit ({@link
 * Admission#defaultMax(long)}).
 * @param maxPerUser WebSockets one user may hold on this node; one more is refused with 429.
 * Default 10.
 * @param fileDescriptorThreshold the share of the process's descriptor limit above which new
 * handshakes are refused with 503, whatever {@code max} says, so that the database, Redis and logs
 * always find a descriptor. Default 0.9.
 * @param retryAfter what a refused handshake is told to wait ({@code Retry-After}, whole seconds).
 * Default 5 s.
 * @param socketSendBuffer the kernel send buffer ({@code SO_SNDBUF}) of every accepted socket.
 * Default: not set, and the kernel autotunes each socket's buffer up to {@code net.ipv4.tcp_wmem}'s
 * maximum (4 MiB on most Linux systems): a client that stops reading can hold that much kernel
 * memory before the socket's writes stall and Parley's outbound queue, with its limits, takes over.
 * Set, it is fixed (Linux doubles the value for its own bookkeeping) and never grows: kernel memory
 * per slow client is bounded, and a stalled socket stalls after a known number of bytes. Too small a
 * value limits throughput on links with a large bandwidth-delay product; 64KB carries about
 * 5 MB/s at 25 ms of round trip.
 * @param handshakeRate WebSocket handshakes this node admits per second, a token bucket of {@code
 * handshakeBurst}; one more is refused with 503 and a {@code Retry-After} drawn at random between
 * 1 s and {@code retryAfter}, so that a crowd of clients that all lost their node at once (a
 * reconnect storm) comes back spread out, at the rate this node can serve, instead of all being
 * accepted and then starved (their writes time out and they are closed with 4500). Default 0: no
 * limit. A handshake with its login and joins costs a few ms of CPU (docs/benchmarks.md, S6), so
 * a two-core node serves a few hundred a second.
 * @param handshakeBurst handshakes admitted at once before the rate applies. Default 0: as many as
 * {@code handshakeRate} (one second's worth).
 */
@ConfigurationProperties("parley.connections")
public record ConnectionProperties(
        @Nullable Integer max,
        @DefaultValue("10") int maxPerUser,
        @DefaultValue("0.9") double fileDescriptorThreshold,
        @DefaultValue("5s") Duration retryAfter,
        @Nullable DataSize socketSendBuffer,
        @DefaultValue("0") double handshakeRate,
        @DefaultValue("0") int handshakeBurst) {

    public ConnectionProperties {
        if (max != null && max < 0) {
            throw new IllegalArgumentException("parley.connections.max must be 0 or more, got " + max);
        }
        if (maxPerUser < 1) {
            throw new IllegalArgumentException("parley.connections.max-per-user must be at least 1, got " + maxPerUser);
        }
        if (!(fileDescriptorThreshold > 0 && fileDescriptorThreshold <= 1)) {
            throw new IllegalArgumentException("parley.connections.file-descriptor-threshold must be in (0, 1], got "
                    + fileDescriptorThreshold);
        }
        if (retryAfter.isNegative() || retryAfter.toSeconds() < 1) {
            throw new IllegalArgumentException("parley.connections.retry-after must be at least 1s, got " + retryAfter);
        }
        if (!(handshakeRate >= 0) || Double.isInfinite(handshakeRate) || handshakeBurst < 0) {
            throw new IllegalArgumentException("parley.connections.handshake-rate and handshake-burst must be 0 (no limit) or more, got "
                    + handshakeRate + " and " + handshakeBurst);
        }
        if (socketSendBuffer != null && (socketSendBuffer.toBytes() < 1024 || socketSendBuffer.toBytes() > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("parley.connections.socket-send-buffer must be between 1KB and 2GB, got "
                    + socketSendBuffer);
        }
    }
}
