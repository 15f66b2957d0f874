package io.parley.bench.load;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;

/**
 * The chat protocol the generator speaks on a plain WebSocket: Parley's JSON frames or Socket.IO's
 * (Engine.IO v4). Implementations are stateless and shared by every socket; {@link #classify} and
 * {@link #reply} run on the socket's event loop and must not allocate more than the frame they read.
 */
interface Wire {

    /** What a received frame means to the generator. */
    enum Kind { READY, JOINED, MESSAGE, ACK, ERROR, OTHER }

    /** Marks the intended send time (System.nanoTime) inside a message text: {@code ~T<nanos>~}. */
    String MARKER = "~T";

    /** The path (and query) of the WebSocket endpoint. */
    String path();

    String join(String room);

    /** A message whose text carries {@code intendedNanos}; {@code id} is unique per publisher. */
    String send(String room, long id, long intendedNanos, String padding);

    Kind classify(ByteBuf frame);

    /**
     * The frame to send as soon as the server said it is ready, or null: Parley closes a socket that
     * sends nothing after its handshake (4000, {@code parley.websocket.first-frame-timeout}), and a
     * socket of a scenario may wait long before its first join.
     */
    default @Nullable String hello() {
        return null;
    }

    /** The frame to answer with at once (Engine.IO's open and ping), or null. */
    @Nullable String reply(ByteBuf frame);

    /** For an {@link Kind#ACK}: the intended send time of the acknowledged message, or -1. */
    long ackedNanos(ByteBuf frame);

    static String text(long intendedNanos, String padding) {
        return MARKER + intendedNanos + "~" + padding;
    }

    /** The intended send time stamped in a message frame, or -1 if the frame carries none. */
    static long stampedNanos(ByteBuf frame) {
        int end = frame.writerIndex();
        for (int i = frame.indexOf(frame.readerIndex(), end, (byte) '~'); i >= 0 && i + 1 < end;
                i = frame.indexOf(i + 1, end, (byte) '~')) {
            if (frame.getByte(i + 1) == 'T') {
                return digits(frame, i + 2, end);
            }
        }
        return -1;
    }

    /** The number after {@code key} (such as {@code "seq":}), or -1. */
    static long longField(ByteBuf frame, String key) {
        int at = indexOf(frame, key);
        return at < 0 ? -1 : digits(frame, at + key.length(), frame.writerIndex());
    }

    private static long digits(ByteBuf frame, int from, int end) {
        long value = 0;
        int i = from;
        for (; i < end; i++) {
            byte b = frame.getByte(i);
            if (b < '0' || b > '9') {
                break;
            }
            value = value * 10 + (b - '0');
        }
        return i == from ? -1 : value;
    }

    /** True if the frame's bytes at {@code offset} are {@code ascii}. */
    static boolean startsWith(ByteBuf frame, int offset, String ascii) {
        int at = frame.readerIndex() + offset;
        if (frame.writerIndex() - at < ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (frame.getByte(at + i) != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static int indexOf(ByteBuf frame, String ascii) {
        byte[] needle = ascii.getBytes(StandardCharsets.US_ASCII);
        int end = frame.writerIndex() - needle.length;
        outer:
        for (int i = frame.readerIndex(); i <= end; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (frame.getByte(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
