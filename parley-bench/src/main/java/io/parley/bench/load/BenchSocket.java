package io.parley.bench.load;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.jspecify.annotations.Nullable;

/**
 * One generator connection: the last handler of a Netty WebSocket pipeline. Frames are read on the
 * channel's event loop and classified without being decoded; message frames hand their stamped send
 * time to the generator's {@link Generator.Sink}. {@link #send} and {@link #join} may be called from
 * any thread (Netty queues the write on the loop).
 */
final class BenchSocket extends SimpleChannelInboundHandler<WebSocketFrame> implements Pacer.Sender {

    /** Sees the sequence numbers of this socket's room messages and joins (S6); called on the event loop. */
    interface Sequenced {
        void message(long seq);

        void joined(long lastSeq);
    }

    private final Generator generator;
    private final Wire wire;
    private final long intendedStart;
    private final CompletableFuture<BenchSocket> ready = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    /** Joins waiting for their {@code joined}, in order; touched on the event loop only. */
    private final Queue<CompletableFuture<Void>> joins = new ArrayDeque<>();
    private volatile boolean subscriber = true;
    private volatile @Nullable Sequenced sequenced;
    private volatile Channel channel;
    private int closeCode = 1006;
    /** Whether the server answered the upgrade (101); touched on the event loop only. */
    private boolean upgraded;

    BenchSocket(Generator generator, Wire wire, long intendedStart) {
        this.generator = generator;
        this.wire = wire;
        this.intendedStart = intendedStart;
    }

    /** Completes when the server said it is ready (Parley's welcome, Socket.IO's connect). */
    CompletableFuture<BenchSocket> ready() {
        return ready;
    }

    /** Completes with the close code (1006 without a close frame) when the connection ends. */
    CompletableFuture<Integer> closed() {
        return closed;
    }

    /** When intended as a subscriber, its messages count as deliveries; a publisher's echoes do not. */
    void subscriber(boolean counts) {
        this.subscriber = counts;
    }

    /** Tracks the room sequence of every message and join (Parley only). */
    void sequenced(Sequenced sequenced) {
        this.sequenced = sequenced;
    }

    CompletableFuture<Void> join(String room) {
        return join(room, wire.join(room));
    }

    /** Sends {@code joinFrame} (a join of {@code room}, perhaps with {@code since}); completes on its answer. */
    CompletableFuture<Void> join(String room, String joinFrame) {
        CompletableFuture<Void> joined = new CompletableFuture<>();
        channel.eventLoop().execute(() -> {
            joins.add(joined);
            channel.writeAndFlush(new TextWebSocketFrame(joinFrame));
        });
        return joined;
    }

    @Override
    public void send(String frame) {
        channel.writeAndFlush(new TextWebSocketFrame(frame), channel.voidPromise());
    }

    /** Stops reading: the kernel buffers fill and the server's queue for this socket grows (S5). */
    void stopReading() {
        channel.config().setAutoRead(false);
    }

    void close() {
        Channel c = channel;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            ready.completeExceptionally(new IllegalStateException("WebSocket handshake timed out"));
        } else if (event == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            upgraded = true;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof CloseWebSocketFrame close) {
            closeCode = close.statusCode();
            ctx.close();
            return;
        }
        if (!(frame instanceof TextWebSocketFrame)) {
            return;
        }
        ByteBuf content = frame.content();
        long now = System.nanoTime();
        generator.frameReceived();
        switch (wire.classify(content)) {
            case MESSAGE -> {
                Sequenced seq = sequenced;
                if (seq != null) {
                    seq.message(Wire.longField(content, "\"seq\":"));
                }
                if (subscriber) {
                    long stamped = Wire.stampedNanos(content);
                    if (stamped > 0) {
                        generator.sink().delivered(stamped, now);
                    }
                }
            }
            case ACK -> {
                long acked = wire.ackedNanos(content);
                if (acked > 0) {
                    generator.sink().acked(acked, now);
                }
            }
            case READY -> {
                if (!ready.isDone()) {
                    generator.connected(now - intendedStart);
                    String hello = wire.hello();
                    if (hello != null) {
                        ctx.writeAndFlush(new TextWebSocketFrame(hello), ctx.voidPromise());
                    }
                    ready.complete(this);
                }
            }
            case JOINED -> {
                Sequenced seq = sequenced;
                if (seq != null) {
                    seq.joined(Wire.longField(content, "\"lastSeq\":"));
                }
                CompletableFuture<Void> joined = joins.poll();
                if (joined != null) {
                    joined.complete(null);
                }
            }
            case ERROR -> generator.errorFrame(content);
            case OTHER -> {
                String reply = wire.reply(content);
                if (reply != null) {
                    ctx.writeAndFlush(new TextWebSocketFrame(reply), ctx.voidPromise());
                }
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        boolean wasOpen = ready.isDone() && !ready.isCompletedExceptionally();
        IllegalStateException lost = new IllegalStateException("connection closed (" + closeCode + ")"
                + (ready.isDone() ? "" : upgraded ? " after the upgrade, before the server's first frame" : " before the upgrade"));
        ready.completeExceptionally(lost);
        joins.forEach(join -> join.completeExceptionally(lost));
        joins.clear();
        generator.disconnected(wasOpen);
        closed.complete(closeCode);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ready.completeExceptionally(cause);
        ctx.close();
    }
}
