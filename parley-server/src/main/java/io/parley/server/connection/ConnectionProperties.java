package io.parley.server.connection;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the TCP connections this node accepts ({@code parley.connections.*}). Immutable;
 * validated at construction.
 *
 * @param socketSendBuffer the kernel send buffer ({@code SO_SNDBUF}) of every accepted socket.
 * Default: not set, and the kernel autotunes each socket's buffer up to {@code net.ipv4.tcp_wmem}'s
 * maximum (4 MiB on most Linux systems): a client that stops reading can hold that much kernel
 * memory before the socket's writes stall and Parley's outbound queue, with its limits, takes over.
 * Set, it is fixed (Linux doubles the value for its own bookkeeping) and never grows: kernel memory
 * per slow client is bounded, and a stalled socket stalls after a known number of bytes. Too small a
 * value limits throughput on links with a large bandwidth-delay product; 64KB carries about
 * 5 MB/s at 25 ms of round trip.
 */
@ConfigurationProperties("parley.connections")
public record ConnectionProperties(@Nullable DataSize socketSendBuffer) {

    public ConnectionProperties {
        if (socketSendBuffer != null && (socketSendBuffer.toBytes() < 1024 || socketSendBuffer.toBytes() > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("parley.connections.socket-send-buffer must be between 1KB and 2GB, got "
                    + socketSendBuffer);
        }
    }
}
