package io.parley.server.connection;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * One encoded frame to send on a socket.
 *
 * <p>Encode once, share everywhere: a broadcast builds one {@code Outgoing} and hands the same
 * instance to the {@link OutboundQueue} of every recipient. The instance holds the frame's UTF-8
 * bytes, encoded once here: the queues account for buffered memory with their length ({@link
 * #bytes()}), as Spring's {@code ConcurrentWebSocketSessionDecorator} does with {@code
 * getPayloadLength()}, and a {@link FrameSink} that can write bytes as a text frame writes them
 * ({@link #payload()}) instead of having the container encode the text again per recipient.
 *
 * <p>A frame is one of three kinds:
 * <ul>
 * <li>a <em>control</em> frame ({@link #room()} is {@code null}: welcome, acks, errors, history
 * pages) that an {@link OutboundQueue} never drops;
 * <li>a <em>room message</em> ({@code room} and its sequence {@code seq > 0}) that the queue may
 * drop under the {@link OverflowStrategy#DROP DROP} strategy or replace by a {@code gap} frame
 * under {@link OverflowStrategy#RESYNC RESYNC};
 * <li>a <em>state frame</em> ({@code room}, {@code seq == 0} and a {@link #source()}): a snapshot or
 * a change of a room's state (presence). Under {@code DROP} and {@code RESYNC} the queue may replace
 * all its buffered state frames of a room by the source's current snapshot, where that frees
 * bytes; they are never dropped without one.
 * </ul>
 *
 * <p>A live room message may carry the moment it was committed ({@link #committedAt()}, on the
 * {@link System#nanoTime()} scale of this JVM): the queue that completes its write records the
 * delivery latency from it, so the latency costs no clock read per recipient.
 *
 * <p>The frame keeps its text only as those bytes, so a buffered frame costs its UTF-8 length and
 * not a {@code String} besides.
 *
 * <p>Immutable and thread-safe. Equal only to itself: two frames of the same text are two sends.
 */
public final class Outgoing {

    /** The {@link #committedAt()} of a frame whose delivery is not timed. */
    public static final long UNTIMED = Long.MIN_VALUE;

    private final byte[] utf8; // the frame's only copy of its text: buffered frames hold no String
    private final ByteBuffer view; // read-only over utf8, position 0; payload() hands out duplicates
    private final @Nullable String room;
    private final long seq;
    private final long committedAt;
    private final @Nullable StateSource source;

    /**
     * @param text the frame as sent on the wire (one JSON object)
     * @param room the room of a room message or state frame; {@code null} for a control frame
     * @param seq the room sequence of a room message ({@code > 0}); {@code 0} otherwise
     * @param committedAt when the message was committed, as a {@code System.nanoTime()} reading, or
     * {@link #UNTIMED}: a control frame, a state frame, or a message replayed from history, whose
     * delivery is not timed
     * @param source where the current snapshot of a state frame's state comes from; {@code null} for
     * the other kinds
     */
    public Outgoing(String text, @Nullable String room, long seq, long committedAt, @Nullable StateSource source) {
        Objects.requireNonNull(text, "text");
        if (room == null && (seq != 0 || source != null)) {
            throw new IllegalArgumentException("a control frame has no sequence nor state source, got seq " + seq);
        }
        if (room != null && source == null && seq <= 0) {
            throw new IllegalArgumentException("a room message has a sequence > 0, got " + seq);
        }
        if (source != null && seq != 0) {
            throw new IllegalArgumentException("a state frame has no sequence, got " + seq);
        }
        this.utf8 = text.getBytes(StandardCharsets.UTF_8);
        this.view = ByteBuffer.wrap(utf8).asReadOnlyBuffer();
        this.room = room;
        this.seq = seq;
        this.committedAt = committedAt;
        this.source = source;
    }

    /** An untimed control frame or room message. */
    public Outgoing(String text, @Nullable String room, long seq) {
        this(text, room, seq, UNTIMED, null);
    }

    /** A control frame (ack, error, welcome, history page): never dropped. */
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
        return new Outgoing(json, Objects.requireNonNull(room, "room"), seq,
                committed == null ? UNTIMED : nanoTimeOf(committed), null);
    }

    /** The {@code System.nanoTime()} reading of this JVM that corresponds to the wall-clock {@code instant}. */
    static long nanoTimeOf(Instant instant) {
        long nanoTime = System.nanoTime();
        Instant now = Instant.now();
        long age = (now.getEpochSecond() - instant.getEpochSecond()) * 1_000_000_000L + (now.getNano() - instant.getNano());
        return nanoTime - age;
    }

    /**
     * The frame as sent on the wire (one JSON object), decoded from its bytes on each call: for a
     * container that sends only strings, and for tests.
     */
    public String text() {
        return new String(utf8, StandardCharsets.UTF_8);
    }

    /** The number of bytes the frame's text takes in UTF-8. */
    public int bytes() {
        return utf8.length;
    }

    /**
     * The frame's text in UTF-8, as a read-only buffer of its own (position 0, limit {@link
     * #bytes()}) over the bytes every recipient shares: a writer may consume it.
     */
    public ByteBuffer payload() {
        return view.duplicate();
    }

    /** The room of a room message or state frame; {@code null} for a control frame. */
    public @Nullable String room() {
        return room;
    }

    /** The room sequence of a room message ({@code > 0}); {@code 0} otherwise. */
    public long seq() {
        return seq;
    }

    /** When the message was committed, as a {@code System.nanoTime()} reading, or {@link #UNTIMED}. */
    public long committedAt() {
        return committedAt;
    }

    /** Where the current snapshot of a state frame's state comes from; {@code null} for the other kinds. */
    public @Nullable StateSource source() {
        return source;
    }

    /** Whether the delivery of this frame is timed. */
    public boolean timed() {
        return committedAt != UNTIMED;
    }

    /**
     * A state frame of {@code room} (a presence snapshot or change): under {@code DROP} and
     * {@code RESYNC}, the buffered state frames of the room may be replaced by {@code source}'s
     * current snapshot.
     */
    public static Outgoing state(String json, String room, StateSource source) {
        return new Outgoing(json, Objects.requireNonNull(room, "room"), 0, UNTIMED,
                Objects.requireNonNull(source, "source"));
    }

    /** Whether this is a room message (with a sequence). */
    public boolean isRoomMessage() {
        return room != null && source == null;
    }

    /** Whether this is a state frame (a snapshot or change of a room's state). */
    public boolean isState() {
        return source != null;
    }

    /** Whether an overflow strategy may shed this frame: room messages and state frames, never control frames. */
    public boolean droppable() {
        return room != null;
    }

    /** The number of bytes {@code text} takes in UTF-8, without encoding it (for frames not built yet). */
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
        return room == null ? "control(" + bytes() + " B)"
                : source != null ? "state(" + room + ", " + bytes() + " B)"
                : "message(" + room + "#" + seq + ", " + bytes() + " B)";
    }
}
