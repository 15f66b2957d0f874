package io.parley.server.token;

import java.util.Collections;

import jakarta.servlet.http.HttpServletRequest;
import io.parley.protocol.Protocol;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.stereotype.Component;
import org.springframework.web.socket.WebSocketHttpHeaders;

/**
 * Where Spring Security's resource server finds the access token: {@code Authorization: Bearer}
 * (Spring's {@link DefaultBearerTokenResolver}: header only, never a query parameter or a form
 * field), else, on the {@code /ws} handshake only, the {@code bearer.<token>} entry of
 * {@code Sec-WebSocket-Protocol}, for browsers, which cannot set headers on a WebSocket (the
 * trade-offs: docs/security.md). Picked up by Spring Security as the only
 * {@link BearerTokenResolver} bean. Thread-safe.
 */
@Component
class WebSocketBearerTokenResolver implements BearerTokenResolver {

    private final DefaultBearerTokenResolver header = new DefaultBearerTokenResolver();

    @Override
    public @Nullable String resolve(HttpServletRequest request) {
        String token = header.resolve(request);
        if (token != null || !"/ws".equals(request.getServletPath())) {
            return token;
        }
        for (String values : Collections.list(request.getHeaders(WebSocketHttpHeaders.SEC_WEBSOCKET_PROTOCOL))) {
            for (String protocol : values.split(",")) {
                String trimmed = protocol.trim();
                if (trimmed.startsWith(Protocol.BEARER_SUBPROTOCOL_PREFIX) && trimmed.length() > Protocol.BEARER_SUBPROTOCOL_PREFIX.length()) {
                    return trimmed.substring(Protocol.BEARER_SUBPROTOCOL_PREFIX.length());
                }
            }
        }
        return null;
    }
}
