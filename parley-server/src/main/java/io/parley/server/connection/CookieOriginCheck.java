package io.parley.server.connection;

import java.net.URI;
import java.util.Collection;
import java.util.Map;

import io.parley.protocol.Protocol;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.server.support.OriginHandshakeInterceptor;

/**
 * The defence against cross-site WebSocket hijacking: a handshake authenticated by cookie must carry
 * an {@code Origin} that is this server's own (same scheme, host and port as the request) or exactly
 * one of {@code parley.websocket.allowed-origins}; anything else is refused with 403 and no upgrade.
 *
 * <ul>
 * <li><b>No {@code Origin}: 403.</b> Spring's own interceptor lets such a request through (it treats a
 * missing Origin as same-origin); this one does not. Every browser sends {@code Origin} on a WebSocket
 * handshake, so a cookie handshake without one comes from a program (or from a proxy that stripped the
 * header); such a client can send its server's origin, as Parley's Java client and load tool do, or
 * authenticate with a bearer token instead. Refusing costs no legitimate browser anything and leaves
 * no path on which a cookie is honoured without the check.</li>
 * <li><b>{@code null}</b> (sandboxed frames, {@code file:} pages, some redirects), look-alikes
 * ({@code https://app.example.com.evil.test}), another scheme or another port: 403. The comparison is
 * Spring's {@code CorsConfiguration.checkOrigin} over the configured list: whole-string equality
 * (ASCII case ignored), no patterns, no wildcard.</li>
 * <li><b>Bearer handshakes are not checked.</b> Hijacking rides on the cookie a browser attaches by
 * itself; a bearer token is never attached by the browser, so a handshake carrying {@code
 * Authorization: Bearer}, or a browser's {@code bearer.<token>} subprotocol entry (both already checked
 * by Spring Security, which answers 401 to a bad token before this runs), needs no Origin.</li>
 * </ul>
 *
 * <p>Each configured origin must be a serialized origin, {@code scheme://host[:port]} with no path,
 * and {@code *} is refused: the node does not start otherwise. Thread-safe.
 */
final class CookieOriginCheck extends OriginHandshakeInterceptor {

    CookieOriginCheck(Collection<String> allowedOrigins) {
        super(validated(allowedOrigins));
    }

    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
            Map<String, Object> attributes) throws Exception {
        String authorization = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return true;
        }
        for (String protocol : request.getHeaders().getValuesAsList(WebSocketHttpHeaders.SEC_WEBSOCKET_PROTOCOL)) {
            if (protocol.startsWith(Protocol.BEARER_SUBPROTOCOL_PREFIX)) {
                return true;
            }
        }
        if (request.getHeaders().getOrigin() == null) {
            response.setStatusCode(HttpStatus.FORBIDDEN);
            return false;
        }
        return super.beforeHandshake(request, response, handler, attributes);
    }

    private static Collection<String> validated(Collection<String> origins) {
        for (String origin : origins) {
            URI uri;
            try {
                uri = URI.create(origin);
            } catch (IllegalArgumentException e) {
                throw invalid(origin);
            }
            boolean serializedOrigin = ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null && uri.getRawUserInfo() == null && uri.getRawPath().isEmpty()
                    && uri.getRawQuery() == null && uri.getRawFragment() == null;
            if (!serializedOrigin) {
                throw invalid(origin);
            }
        }
        return origins;
    }

    private static IllegalArgumentException invalid(String origin) {
        return new IllegalArgumentException("parley.websocket.allowed-origins: '" + origin
                + "' is not an origin: write scheme://host[:port], such as https://chat.example.com, with no path and no wildcard");
    }
}
