package io.parley.server.connection;

import java.security.Principal;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * The per-user connection cap, checked once the handshake is authenticated: a user who already
 * holds {@code parley.connections.max-per-user} sockets on this node gets 429 with {@code
 * Retry-After} and no upgrade. Concurrent handshakes of one user may pass the cap by the few in
 * flight; the node-wide limit is exact.
 */
final class UserConnectionLimit implements HandshakeInterceptor {

    private final Admission admission;
    private final String retryAfterSeconds;

    UserConnectionLimit(Admission admission, ConnectionProperties properties) {
        this.admission = admission;
        this.retryAfterSeconds = Long.toString(properties.retryAfter().toSeconds());
    }

    @Override
    public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
            Map<String, Object> attributes) throws Exception {
        Principal principal = request.getPrincipal();
        if (principal == null || admission.tryAdmitUser(principal.getName()) == null) {
            return true;
        }
        if (response instanceof ServletServerHttpResponse servlet) {
            AdmissionFilter.refuse(servlet.getServletResponse(), 429, retryAfterSeconds, "rate_limited",
                    "too many connections for this user on this node; close one first");
        }
        else {
            response.setStatusCode(org.springframework.http.HttpStatus.TOO_MANY_REQUESTS);
        }
        return false;
    }

    @Override
    public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
            @Nullable Exception exception) {
    }
}
