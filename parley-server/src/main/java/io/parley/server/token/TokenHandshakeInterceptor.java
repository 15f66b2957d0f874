package io.parley.server.token;

import java.security.Principal;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;
import org.springframework.web.socket.server.support.HttpSessionHandshakeInterceptor;

/**
 * For a handshake authenticated by an access token (Spring Security has checked it already), records
 * the token's family as the connection's session id ({@link TokenSessions}), so that revoking the
 * family closes the socket like a logout closes a cookie socket. Runs after Spring's HTTP-session
 * interceptor and overrides it: a bearer connection belongs to its token, not to a cookie that came
 * along. Thread-safe (stateless).
 */
@Component
class TokenHandshakeInterceptor implements HandshakeInterceptor {

    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
            Map<String, Object> attributes) {
        Principal principal = request.getPrincipal();
        if (principal instanceof JwtAuthenticationToken token) {
            attributes.put(HttpSessionHandshakeInterceptor.HTTP_SESSION_ID_ATTR_NAME,
                    TokenSessions.of(token.getToken().getClaimAsString(AccessTokens.FAMILY_CLAIM)));
        }
        return true;
    }

    @Override
    public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
            @Nullable Exception exception) {
    }
}
