package io.parley.bench.load;

import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;

/**
 * Parley protocol v1 (docs/protocol.md): ready on {@code welcome}, {@code join} answered by
 * {@code joined}, {@code send} acknowledged by {@code sent}. The {@code clientMsgId} is a UUID whose
 * low 64 bits are the intended send time, so an ack's latency is read back from the ack alone.
 */
final class ParleyWire implements Wire {

    private static final String TYPE = "\"type\":\"";
    private static final String MSG_ID = "\"clientMsgId\":\"";

    @Override
    public String path() {
        return "/ws";
    }

    @Override
    public String join(String room) {
        return "{\"type\":\"join\",\"room\":\"" + room + "\"}";
    }

    /** A join that resumes after {@code since}: the server replays every later message first. */
    String join(String room, long since) {
        return "{\"type\":\"join\",\"room\":\"" + room + "\",\"since\":" + since + "}";
    }

    @Override
    public String send(String room, long id, long intendedNanos, String padding) {
        return "{\"type\":\"send\",\"room\":\"" + room + "\",\"clientMsgId\":\"" + clientMsgId(id, intendedNanos)
                + "\",\"text\":\"" + Wire.text(intendedNanos, padding) + "\"}";
    }

    /** {@code id} in the high bits (unique per sender), the intended nanos in the low 64 bits. */
    static String clientMsgId(long id, long intendedNanos) {
        String hi = String.format("%016x", id);
        String lo = String.format("%016x", intendedNanos);
        return hi.substring(0, 8) + "-" + hi.substring(8, 12) + "-" + hi.substring(12) + "-" + lo.substring(0, 4) + "-" + lo.substring(4);
    }

    @Override
    public Kind classify(ByteBuf frame) {
        int at = Wire.startsWith(frame, 1, TYPE) ? frame.readerIndex() + 1 : Wire.indexOf(frame, TYPE);
        if (at < 0) {
            return Kind.OTHER;
        }
        int offset = at - frame.readerIndex() + TYPE.length();
        if (Wire.startsWith(frame, offset, "message\"")) {
            return Kind.MESSAGE;
        }
        if (Wire.startsWith(frame, offset, "sent\"")) {
            return Kind.ACK;
        }
        if (Wire.startsWith(frame, offset, "welcome\"")) {
            return Kind.READY;
        }
        if (Wire.startsWith(frame, offset, "joined\"")) {
            return Kind.JOINED;
        }
        if (Wire.startsWith(frame, offset, "error\"")) {
            return Kind.ERROR;
        }
        return Kind.OTHER;
    }

    @Override
    public String hello() {
        return "{\"type\":\"ping\",\"id\":\"hello\"}";
    }

    @Override
    public @Nullable String reply(ByteBuf frame) {
        return null;
    }

    @Override
    public long ackedNanos(ByteBuf frame) {
        int at = Wire.indexOf(frame, MSG_ID);
        if (at < 0 || frame.writerIndex() < at + MSG_ID.length() + 36) {
            return -1;
        }
        int uuid = at + MSG_ID.length();
        long value = 0;
        for (int i = uuid + 19; i < uuid + 36; i++) {
            int c = frame.getByte(i);
            if (c == '-') {
                continue;
            }
            value = (value << 4) | Character.digit(c, 16);
        }
        return value;
    }
}
