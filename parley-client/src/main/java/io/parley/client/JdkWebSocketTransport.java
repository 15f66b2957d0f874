package io.parley.client;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;

/**
 * {@link Transport} over the JDK's {@link WebSocket}. Thread-safe; one instance can serve any
 * number of clients, over one shared {@link HttpClient} (one selector thread for all of them).
 *
 * <p>What the JDK leaves to its caller, done here:
 * <ul>
 * <li>Flow control: the JDK delivers nothing until {@code request(n)}. One message is requested at
 * a time, and the next only after the client has processed the current one, so a slow client
 * pushes back on TCP instead of queueing without bound.</li>
 * <li>Partial messages: a text message may arrive in several {@code onText} calls; parts are
 * appended until {@code last}, up to {@value #MAX_MESSAGE_CHARS} chars.</li>
 * <li>One send at a time: {@code sendText} throws if the previous one has not completed, so sends
 * are chained.</li>
 * <li>Abort is silent in the JDK (no listener call); this transport reports it as 1006.</li>
 * </ul>
 */
final class JdkWebSocketTransport implements Transport {

    private static final System.Logger log = System.getLogger(JdkWebSocketTransport.class.getName());

    /** The largest inbound message assembled from parts; a bigger one aborts the connection. */
    static final int MAX_MESSAGE_CHARS = 16 * 1024 * 1024;

    /** How long a close handshake may take before the socket is dropped. */
    private static final long CLOSE_GRACE_SECONDS = 5;

    private final HttpClient http;

    JdkWebSocketTransport(HttpClient http) {
        this.http = http;
    }

    @Override
    public void connect(URI uri, Map<String, String> headers, Duration timeout, Listener listener) {
        Adapter adapter = new Adapter(listener);
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(timeout);
        headers.forEach(builder::header);
        builder.buildAsync(uri, adapter).whenComplete((ws, error) -> {
            if (error != null) {
                adapter.handshakeFailed(unwrap(error));
            }
        });
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof WebSocketHandshakeException handshake) {
            var response = handshake.getResponse();
            Duration retryAfter = response.headers().firstValue("Retry-After")
                    .flatMap(JdkWebSocketTransport::seconds).orElse(null);
            return new HandshakeRejectedException(response.statusCode(), retryAfter);
        }
        return e;
    }

    private static java.util.Optional<Duration> seconds(String value) {
        try {
            return java.util.Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return java.util.Optional.empty(); // an HTTP date: not used by Parley
        }
    }

    /** Adapts one JDK WebSocket to a {@link Transport.Listener}. The JDK calls its listener serially. */
    private static final class Adapter implements WebSocket.Listener, Connection {

        private final Listener listener;
        private final StringBuilder parts = new StringBuilder();
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile @Nullable WebSocket ws;
        private CompletableFuture<?> sends = CompletableFuture.completedFuture(null); // guarded by this

        Adapter(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            this.ws = webSocket;
            listener.onOpen(this);
            webSocket.request(1);
        }

        @Override
        public @Nullable CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (parts.length() + data.length() > MAX_MESSAGE_CHARS) {
                parts.setLength(0);
                fail(webSocket, new IOException("inbound message exceeds " + MAX_MESSAGE_CHARS + " chars"));
                return null;
            }
            parts.append(data);
            if (!last) {
                webSocket.request(1);
                return null;
            }
            String text = parts.toString();
            parts.setLength(0);
            listener.onText(text).whenComplete((ignored, error) -> webSocket.request(1));
            return null;
        }

        @Override
        public @Nullable CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            log.log(Level.DEBUG, "ignoring a binary frame: protocol v1 is text only");
            webSocket.request(1);
            return null;
        }

        @Override
        public @Nullable CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (ended.compareAndSet(false, true)) {
                listener.onClose(statusCode, reason);
            }
            return null; // the JDK echoes the close frame at once
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            if (ended.compareAndSet(false, true)) {
                listener.onError(error);
            }
        }

        void handshakeFailed(Throwable error) {
            if (ended.compareAndSet(false, true)) {
                listener.onError(error);
            }
        }

        private void fail(WebSocket webSocket, Throwable error) {
            webSocket.abort();
            if (ended.compareAndSet(false, true)) {
                listener.onError(error);
            }
        }

        @Override
        public synchronized void send(String text) {
            WebSocket webSocket = ws();
            sends = sends.thenCompose(ignored -> webSocket.sendText(text, true));
            sends.whenComplete((ignored, error) -> {
                if (error != null) {
                    log.log(Level.DEBUG, "send failed; aborting the connection", error);
                    abort();
                }
            });
        }

        @Override
        public synchronized void close(int code, String reason) {
            WebSocket webSocket = ws();
            ended.set(true); // the caller has moved on: no callback for a close it asked for
            sends = sends.handle((ignored, error) -> null)
                    .thenCompose(ignored -> webSocket.sendClose(code, reason));
            CompletableFuture.delayedExecutor(CLOSE_GRACE_SECONDS, TimeUnit.SECONDS).execute(webSocket::abort);
        }

        @Override
        public void abort() {
            ws().abort();
            if (ended.compareAndSet(false, true)) {
                listener.onClose(ABNORMAL_CLOSURE, "aborted");
            }
        }

        private WebSocket ws() {
            WebSocket webSocket = ws;
            if (webSocket == null) {
                throw new IllegalStateException("not open");
            }
            return webSocket;
        }
    }
}
