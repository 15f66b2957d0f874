package io.parley.client;

import java.net.URI;
import java.time.Duration;

/**
 * The settings of a {@link ParleyClient}, validated at construction. Build them with
 * {@link ParleyClient#builder(URI)}; defaults are the {@code DEFAULT_*} constants.
 *
 * @param baseUri the server's HTTP origin, such as {@code http://127.0.0.1:8080}
 * @param webSocketUri where to open the WebSocket: {@code baseUri} with {@code ws(s)} and path
 *        {@code /ws} by default
 * @param origin the {@code Origin} header of the handshake: the server accepts only its own origin,
 *        so by default the origin of {@code baseUri}
 * @param connectTimeout how long one attempt may take from the start of the handshake to the
 *        server's {@code welcome}; an attempt that takes longer is abandoned and counts as failed
 * @param backoffBase the jitter window of the first reconnect attempt; attempt {@code n} waits a
 *        uniformly random time in {@code [0, min(backoffMax, backoffBase * 2^n)]}
 * @param backoffMax the widest jitter window
 * @param stableAfter a connection that stayed open this long resets the backoff to
 *        {@code backoffBase}, so a client that was fine for a while reconnects fast, while a
 *        server that accepts and at once drops a connection still sees the windows widen
 * @param heartbeat when nothing was received for this long the client sends a {@code ping}; when
 *        nothing was received for twice this long it drops the connection and reconnects. This
 *        detects a dead peer that TCP would notice only after minutes. A first ping goes out right
 *        after {@code welcome}, so a client with nothing to say yet still meets a server's
 *        first-message time limit. {@code Duration.ZERO} turns heartbeats off
 */
public record ParleyClientOptions(URI baseUri, URI webSocketUri, String origin, Duration connectTimeout,
        Duration backoffBase, Duration backoffMax, Duration stableAfter, Duration heartbeat) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(500);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(30);
    public static final Duration DEFAULT_STABLE_AFTER = Duration.ofSeconds(10);
    /** Above the server's own heartbeat (about 25 s), so a healthy server's pings keep it quiet. */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(30);

    public ParleyClientOptions {
        String scheme = webSocketUri.getScheme();
        if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
            throw new IllegalArgumentException("webSocketUri must be ws:// or wss://: " + webSocketUri);
        }
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("backoffBase", backoffBase);
        if (backoffMax.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException("backoffMax " + backoffMax + " is below backoffBase " + backoffBase);
        }
        if (stableAfter.isNegative()) {
            throw new IllegalArgumentException("stableAfter must not be negative: " + stableAfter);
        }
        if (heartbeat.isNegative()) {
            throw new IllegalArgumentException("heartbeat must not be negative: " + heartbeat);
        }
    }

    /** The defaults for a server at {@code baseUri}. */
    public static ParleyClientOptions defaults(URI baseUri) {
        return new ParleyClientOptions(baseUri, webSocketUriOf(baseUri), originOf(baseUri), DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_BACKOFF_BASE, DEFAULT_BACKOFF_MAX, DEFAULT_STABLE_AFTER, DEFAULT_HEARTBEAT);
    }

    /** {@code http://host:port/...} → {@code ws://host:port/ws}; {@code https} → {@code wss}. */
    static URI webSocketUriOf(URI baseUri) {
        String scheme = switch (String.valueOf(baseUri.getScheme())) {
            case "http", "ws" -> "ws";
            case "https", "wss" -> "wss";
            default -> throw new IllegalArgumentException("base URI must be http:// or https://: " + baseUri);
        };
        return URI.create(scheme + "://" + baseUri.getRawAuthority() + "/ws");
    }

    /** The serialized origin of {@code baseUri}: scheme, host and explicit port, no path. */
    static String originOf(URI baseUri) {
        String scheme = switch (String.valueOf(baseUri.getScheme())) {
            case "http", "ws" -> "http";
            case "https", "wss" -> "https";
            default -> throw new IllegalArgumentException("base URI must be http:// or https://: " + baseUri);
        };
        return scheme + "://" + baseUri.getRawAuthority();
    }

    private static void requirePositive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
