package io.parley.bench.load;

import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;

/**
 * Socket.IO v5 over Engine.IO v4 on a plain WebSocket ({@code /socket.io/?EIO=4&transport=websocket}),
 * against the peer in {@code bench/socketio}: the server opens with {@code 0{...}}, the client connects
 * to the main namespace with {@code 40} and is ready on the server's {@code 40{...}}; a ping {@code 2}
 * is answered {@code 3}. Events are {@code 42["name",...]}: {@code join} → {@code joined},
 * {@code send} → {@code message} to the room (the sender included). Socket.IO stores nothing and
 * acknowledges nothing, so there is no {@link Kind#ACK}.
 */
final class SocketIoWire implements Wire {

    @Override
    public String path() {
        return "/socket.io/?EIO=4&transport=websocket";
    }

    @Override
    public String join(String room) {
        return "42[\"join\",\"" + room + "\"]";
    }

    @Override
    public String send(String room, long id, long intendedNanos, String padding) {
        return "42[\"send\",\"" + room + "\",\"" + Wire.text(intendedNanos, padding) + "\"]";
    }

    @Override
    public Kind classify(ByteBuf frame) {
        if (Wire.startsWith(frame, 0, "42[\"message\"")) {
            return Kind.MESSAGE;
        }
        if (Wire.startsWith(frame, 0, "40")) {
            return Kind.READY;
        }
        if (Wire.startsWith(frame, 0, "42[\"joined\"")) {
            return Kind.JOINED;
        }
        if (Wire.startsWith(frame, 0, "44")) {
            return Kind.ERROR;
        }
        return Kind.OTHER;
    }

    @Override
    public @Nullable String reply(ByteBuf frame) {
        if (frame.readableBytes() == 1 && frame.getByte(frame.readerIndex()) == '2') {
            return "3";
        }
        if (Wire.startsWith(frame, 0, "0{")) {
            return "40";
        }
        return null;
    }

    @Override
    public long ackedNanos(ByteBuf frame) {
        return -1;
    }
}
