package io.parley.server.connection;

import java.time.Duration;
import java.util.Objects;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the per-socket {@link OutboundQueue}s of this node ({@code parley.outbound.*}). Immutable;
 * validated at construction, so a nonsensical value fails startup with a message naming it.
 *
 * <p>The first two limits and their defaults are Spring's ({@code sendTimeLimit} 10 s,
 * {@code sendBufferSizeLimit} 512 KiB of {@code WebSocketTransportRegistration}). Spring's send-time
 * limit "is checked only on attempts to send additional messages"; Parley's is enforced by a
 * watchdog, so a socket whose write is stuck is closed on time even if nothing else is ever sent to
 * it. See docs/outbound-queue.md for sizing.
 *
 * @param sendTimeLimit how long one write to a socket may take before the socket is closed with 4500
 * {@code SESSION_NOT_RELIABLE}; also bounds a graceful drain ({@link OutboundQueue#closeAfterFlush}).
 * Detected within the limit plus {@link #checkInterval()}. Default 10 s.
 * @param bufferLimit bytes (UTF-8) a socket may have waiting behind its current write before
 * {@code overflow} applies. Default 512 KB (binary: 524,288 bytes).
 * @param overflow what happens when {@code bufferLimit} is exceeded. Default {@code RESYNC}.
 * @param nodeBudget bytes that all sockets of this node together may have waiting; above it, the
 * largest queues are shed first, each by {@code overflow}. At least {@code bufferLimit}. Default 256 MB.
 */
@ConfigurationProperties("parley.outbound")
public record OutboundProperties(
        @DefaultValue("10s") Duration sendTimeLimit,
        @DefaultValue("512KB") DataSize bufferLimit,
        @DefaultValue("RESYNC") OverflowStrategy overflow,
        @DefaultValue("256MB") DataSize nodeBudget) {

    /** Shortest accepted send-time limit: below it, ordinary scheduling jitter would close healthy sockets. */
    public static final Duration MIN_SEND_TIME_LIMIT = Duration.ofMillis(10);

    public OutboundProperties {
        Objects.requireNonNull(sendTimeLimit, "parley.outbound.send-time-limit");
        Objects.requireNonNull(bufferLimit, "parley.outbound.buffer-limit");
        Objects.requireNonNull(overflow, "parley.outbound.overflow");
        Objects.requireNonNull(nodeBudget, "parley.outbound.node-budget");
        if (sendTimeLimit.compareTo(MIN_SEND_TIME_LIMIT) < 0) {
            throw new IllegalArgumentException("parley.outbound.send-time-limit must be at least "
                    + MIN_SEND_TIME_LIMIT.toMillis() + "ms, got " + sendTimeLimit);
        }
        if (bufferLimit.toBytes() <= 0) {
            throw new IllegalArgumentException("parley.outbound.buffer-limit must be positive, got " + bufferLimit);
        }
        if (nodeBudget.toBytes() < bufferLimit.toBytes()) {
            throw new IllegalArgumentException("parley.outbound.node-budget (" + nodeBudget
                    + ") must be at least parley.outbound.buffer-limit (" + bufferLimit + ")");
        }
    }

    /** The defaults, as bound from an empty configuration. */
    public static OutboundProperties defaults() {
        return new OutboundProperties(Duration.ofSeconds(10), DataSize.ofKilobytes(512), OverflowStrategy.RESYNC,
                DataSize.ofMegabytes(256));
    }

    /**
     * How often the watchdog checks write times and the node budget: a tenth of the send-time limit,
     * between 10 ms and 1 s. A stuck socket is closed at most this long after its limit.
     */
    public Duration checkInterval() {
        Duration tenth = sendTimeLimit.dividedBy(10);
        if (tenth.compareTo(Duration.ofSeconds(1)) > 0) {
            return Duration.ofSeconds(1);
        }
        return tenth.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : tenth;
    }
}
