package io.parley.bench.load;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import org.HdrHistogram.Recorder;

/**
 * The load generator's sockets: one Netty event loop group (a thread per core, never one per
 * socket) for every connection of this process. Each connection binds to the next of
 * {@code sourceAddresses} local addresses (127.0.0.2, 127.0.0.3, …), since one source address can
 * reach one server port from only ~28,000 ephemeral ports.
 *
 * <p>Thread-safe. Counters are updated on the event loops and read by the reporter.
 */
final class Generator implements AutoCloseable {

    /** Where message deliveries and acks go; called on event loops, must not block. */
    interface Sink {
        void delivered(long stampedNanos, long nowNanos);

        void acked(long stampedNanos, long nowNanos);

        Sink NONE = new Sink() {
            @Override
            public void delivered(long stampedNanos, long nowNanos) {}

            @Override
            public void acked(long stampedNanos, long nowNanos) {}
        };
    }

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final List<InetSocketAddress> sources = new ArrayList<>();
    private final AtomicInteger nextSource = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder frames = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Recorder connectLatency = new Recorder(3);
    private volatile Sink sink = Sink.NONE;
    private volatile String lastError = "";

    Generator(int ioThreads, int sourceAddresses) {
        this(ioThreads, sourceAddresses, 0);
    }

    /** Source addresses 127.0.0.(2 + offset) and on: generator processes of one run use distinct ones. */
    Generator(int ioThreads, int sourceAddresses, int sourceOffset) {
        group = new MultiThreadIoEventLoopGroup(ioThreads, NioIoHandler.newFactory());
        bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
        for (int i = 0; i < sourceAddresses; i++) {
            int n = 2 + sourceOffset + i;
            sources.add(new InetSocketAddress("127." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255), 0));
        }
    }

    /**
     * Opens a WebSocket to {@code server} (an http URI) with {@code credential}: {@code "Bearer <token>"}
     * goes into the {@code Authorization} header, anything else into {@code Cookie}; completes when
     * the server says it is ready. {@code intendedStart} (nanoTime) is when the connection was
     * scheduled: its connect latency counts from then, so a slow ramp is not hidden.
     */
    CompletableFuture<BenchSocket> connect(URI server, Wire wire, String credential, long intendedStart) {
        URI ws = URI.create("ws://" + server.getHost() + ":" + server.getPort() + wire.path());
        HttpHeaders headers = new DefaultHttpHeaders();
        headers.set(HttpHeaderNames.ORIGIN, "http://" + server.getHost() + ":" + server.getPort());
        if (credential.startsWith(Accounts.BEARER)) {
            headers.set(HttpHeaderNames.AUTHORIZATION, credential);
        } else if (!credential.isEmpty()) {
            headers.set(HttpHeaderNames.COOKIE, credential);
        }
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(ws).customHeaders(headers).maxFramePayloadLength(1 << 20)
                .handshakeTimeoutMillis(30_000).handleCloseFrames(false).build();
        BenchSocket socket = new BenchSocket(this, wire, intendedStart);
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024),
                        new WebSocketClientProtocolHandler(config), socket);
            }
        });
        InetSocketAddress remote = new InetSocketAddress(server.getHost(), server.getPort());
        InetSocketAddress local = sources.get(Math.floorMod(nextSource.getAndIncrement(), sources.size()));
        b.connect(remote, local).addListener(f -> {
            if (!f.isSuccess()) {
                socket.ready().completeExceptionally(f.cause());
            }
        });
        return socket.ready();
    }

    Sink sink() {
        return sink;
    }

    void sink(Sink sink) {
        this.sink = sink;
    }

    void connected(long connectNanos) {
        open.incrementAndGet();
        connectLatency.recordValue(Math.max(0, connectNanos / 1000));
    }

    void disconnected(boolean wasOpen) {
        if (wasOpen) {
            open.decrementAndGet();
        }
    }

    void frameReceived() {
        frames.increment();
    }

    void errorFrame(ByteBuf frame) {
        errors.increment();
        lastError = frame.toString(StandardCharsets.UTF_8);
    }

    int open() {
        return open.get();
    }

    long frames() {
        return frames.sum();
    }

    long errors() {
        return errors.sum();
    }

    String lastError() {
        return lastError;
    }

    /** Connect latencies (µs) since the last call. */
    Recorder connectLatency() {
        return connectLatency;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
