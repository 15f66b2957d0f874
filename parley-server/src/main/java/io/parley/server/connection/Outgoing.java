package io.parley.server.connection;

import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * One encoded frame to send on a socket.
 *
 * <p>Encode once, share everywhere: a broadcast builds one {@code Outgoing} and hands the same
 * instance to the {@link OutboundQueue} of every recipient. The instance carries the frame's UTF-8
 * length ({@link #bytes()}), computed once here, so that no queue ever re-measures or re-encodes the
 * text; the queues account for buffered memory with it, as Spring's
 * {@code ConcurrentWebSocketSessionDecorator} does with {@code getPayloadLength()}.
 *
 * <p>A frame is either a <em>control</em> frame ({@link #room()} is {@code null}: welcome, acks,
 * errors, history pages, presence) that an {@link OutboundQueue} never drops, or a <em>room
 * message</em> ({@code room} and its sequence {@code seq > 0}) that the queue may drop under the
 * {@link OverflowStrategy#DROP DROP} strategy or replace by a {@code gap} frame under
 * {@link OverflowStrategy#RESYNC RESYNC}.
 *
 * <p>A live room message may carry the moment it was committed ({@link #committedAt()}, on the
 * {@link System#nanoTime()} scale of this JVM): the queue that completes its write records the
 * delivery latency from it, so the latency costs no clock read per recipient.
 *
 * <p>Immutable and thread-safe.
 *
 * @param text the frame as sent on the wire (one JSON object)
 * @param room the room of a room message; {@code null} for a control frame
 * @param seq the room sequence of a room message ({@code > 0}); {@code 0} for a control frame
 * @param bytes the UTF-8 length of {@code text}; the three-argument constructor and the factories
 * compute it
 * @param committedAt when the message was committed, as a {@code System.nanoTime()} reading, or
 * {@link #UNTIMED}: a control frame, or a message replayed from history, whose delivery is not timed
 */
public record Outgoing(String text, @Nullable String room, long seq, int bytes, long committedAt) {

    /** The {@link #committedAt()} of a frame whose delivery is not timed. */
    public static final long UNTIMED = Long.MIN_VALUE;

    public Outgoing {
        Objects.requireNonNull(text, "text");
        if (room == null && seq != 0) {
            throw new IllegalArgumentException("a control frame has no sequence, got " + seq);
        }
        if (room != null && seq <= 0) {
            throw new IllegalArgumentException("a room message has a sequence > 0, got " + seq);
        }
        // UTF-8 takes 1 to 3 bytes per UTF-16 char: a cheap guard against a wrong length.
        if (bytes < text.length() || bytes > 3L * text.length()) {
            throw new IllegalArgumentException("bytes " + bytes + " is not the UTF-8 length of a "
                    + text.length() + "-char text");
        }
    }

    /** An untimed frame. */
    public Outgoing(String text, @Nullable String room, long seq, int bytes) {
        this(text, room, seq, bytes, UNTIMED);
    }

    /** An untimed frame with its UTF-8 length computed from {@code text}. */
    public Outgoing(String text, @Nullable String room, long seq) {
        this(text, room, seq, utf8Length(text), UNTIMED);
    }

    /** A control frame (ack, error, welcome, history page, presence): never dropped. */
    public static Outgoing control(String json) {
        return new Outgoing(json, null, 0);
    }

    /**
     * A room message with sequence {@code seq}: droppable under {@code DROP} and {@code RESYNC};
     * {@code RESYNC} turns the dropped ones into {@code gap(room, from, to)}.
     */
    public static Outgoing roomMessage(String json, String room, long seq) {
        return new Outgoing(json, Objects.requireNonNull(room, "room"), seq);
    }

    /**
     * A live room message committed at {@code committed} (a wall-clock instant, possibly taken on
     * another node): its delivery to each socket is timed from then ({@code
     * parley.delivery.latency}). A clock skew between nodes shows in the latency, as in the bus lag.
     * Untimed if {@code committed} is null.
     */
    public static Outgoing roomMessage(String json, String room, long seq, @Nullable Instant committed) {
        return new Outgoing(json, Objects.requireNonNull(room, "room"), seq, utf8Length(json),
                committed == null ? UNTIMED : nanoTimeOf(committed));
    }

    /** The {@code System.nanoTime()} reading of this JVM that corresponds to the wall-clock {@code instant}. */
    static long nanoTimeOf(Instant instant) {
        long nanoTime = System.nanoTime();
        Instant now = Instant.now();
        long age = (now.getEpochSecond() - instant.getEpochSecond()) * 1_000_000_000L + (now.getNano() - instant.getNano());
        return nanoTime - age;
    }

    /** Whether the delivery of this frame is timed. */
    public boolean timed() {
        return committedAt != UNTIMED;
    }

    /** Whether an overflow strategy may drop this frame: true for room messages only. */
    public boolean droppable() {
        return room != null;
    }

    /** The number of bytes {@code text} takes in UTF-8, without encoding it. */
    static int utf8Length(CharSequence text) {
        int length = text.length();
        long bytes = length;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                    bytes += 2; // 4 bytes for the pair
                    i++;
                } else {
                    bytes += 2; // 3 bytes; an unpaired surrogate is malformed: 3 is an upper bound
                }
            }
        }
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("frame too large: " + bytes + " bytes");
        }
        return (int) bytes;
    }

    @Override
    public String toString() {
        return room == null ? "control(" + bytes + " B)" : "message(" + room + "#" + seq + ", " + bytes + " B)";
    }
}
