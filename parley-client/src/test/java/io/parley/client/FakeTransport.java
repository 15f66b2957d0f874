package io.parley.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;

import static io.parley.client.TestMessages.eventually;

/**
 * A {@link Transport} with no socket: each connection attempt becomes a {@link Connection} that a
 * test drives as the server would, and that records what the client sent.
 */
final class FakeTransport implements Transport {

    static final FrameCodec CODEC = new FrameCodec();

    private final List<Connection> attempts = new CopyOnWriteArrayList<>();

    @Override
    public void connect(URI uri, Map<String, String> headers, Duration timeout, Listener listener) {
        attempts.add(new Connection(uri, headers, listener));
    }

    /** Connection attempt {@code n} (from 0), once the client has made it. */
    Connection attempt(int n) {
        eventually().until(() -> attempts.size() > n);
        return attempts.get(n);
    }

    int attempts() {
        return attempts.size();
    }

    static final class Connection implements Transport.Connection {

        final URI uri;
        final Map<String, String> headers;
        private final Listener listener;
        private final List<ClientFrame> sent = new CopyOnWriteArrayList<>();
        private final AtomicBoolean ended = new AtomicBoolean();
        volatile boolean aborted;
        volatile Integer closedWith;

        Connection(URI uri, Map<String, String> headers, Listener listener) {
            this.uri = uri;
            this.headers = Map.copyOf(headers);
            this.listener = listener;
        }

        // ---- the server's side ----

        /** Completes the handshake and sends {@code welcome}. */
        Connection accept(String user) {
            listener.onOpen(this);
            return push(new ServerFrame.Welcome(user, "node-a", 1));
        }

        /** Refuses the handshake with {@code status}. */
        void refuse(int status, Duration retryAfter) {
            if (ended.compareAndSet(false, true)) {
                listener.onError(new HandshakeRejectedException(status, retryAfter));
            }
        }

        /** Sends frames to the client and waits until it has processed them. */
        Connection push(ServerFrame... frames) {
            for (ServerFrame frame : frames) {
                try {
                    listener.onText(CODEC.encode(frame)).toCompletableFuture().get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError("the client did not process " + frame, e);
                }
            }
            return this;
        }

        /** The server closes the connection with {@code code}. */
        void serverClose(int code) {
            if (ended.compareAndSet(false, true)) {
                listener.onClose(code, "closed by the fake server");
            }
        }

        // ---- what the client did ----

        List<ClientFrame> sent() {
            return List.copyOf(sent);
        }

        /** Waits until the client has sent at least {@code count} frames, and returns them all. */
        List<ClientFrame> awaitSent(int count) {
            eventually().until(() -> sent.size() >= count);
            return sent();
        }

        @Override
        public void send(String text) {
            sent.add(CODEC.decodeClient(text));
        }

        @Override
        public void close(int code, String reason) {
            closedWith = code;
            ended.set(true);
        }

        @Override
        public void abort() {
            aborted = true;
            if (ended.compareAndSet(false, true)) {
                listener.onClose(ABNORMAL_CLOSURE, "aborted");
            }
        }
    }
}
