package io.parley.server.connection;

import java.util.Collection;
import java.util.Map;

import io.parley.protocol.Protocol;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.WebSocketHttpHeaders;
import org.springframework.web.socket.server.support.OriginHandshakeInterceptor;

/**
 * Spring's Origin check (same origin, or one of {@code parley.websocket.allowed-origins}; 403
 * otherwise), applied to handshakes authenticated by cookie only. Cross-site WebSocket hijacking
 * rides on the cookie a browser attaches by itself; a bearer token is never attached by the browser,
 * so a handshake carrying {@code Authorization: Bearer}, or a browser's {@code bearer.<token>}
 * subprotocol entry (both already checked by Spring Security, which answers 401 to a bad token
 * before this runs), needs no Origin. Thread-safe.
 */
final class CookieOriginCheck extends OriginHandshakeInterceptor {

    CookieOriginCheck(Collection<String> allowedOrigins) {
        super(allowedOrigins);
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
        return super.beforeHandshake(request, response, handler, attributes);
    }
}
