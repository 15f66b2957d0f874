package io.parley.server.connection;

import java.security.Principal;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpSession;
import org.jspecify.annotations.Nullable;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeFailureException;
import org.springframework.web.socket.server.RequestUpgradeStrategy;
import org.springframework.web.socket.server.standard.StandardWebSocketUpgradeStrategy;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

/**
 * A handshake after which the socket keeps only what Parley reads: the user's name. The container
 * and Spring keep the handshake's principal, HTTP session and headers for the socket's lifetime
 * (Tomcat's {@code WsHandshakeRequest}, held by its upgrade handler; {@code WsSession}; Spring's
 * {@code StandardWebSocketSession}), and Parley reads none of them after the socket opened: a
 * bearer token's {@code JwtAuthenticationToken} alone (the token's text, its claims, its
 * authorities) is some 2 KB per idle socket, and a browser's headers (cookies, user agent) more.
 *
 * <p>So the user of the WebSocket session is a {@link UserName}; the authentication the handshake
 * was made with travels in the session's attributes under {@link #AUTHENTICATION} until the
 * handler has opened the connection with it ({@link ParleyWebSocketHandler} removes it); and the
 * container is upgraded through a view of the request that shows it the same {@code UserName}, no
 * HTTP session and no header list (it still reads the headers it negotiates with by name, as
 * before). Everything the handshake decides (security, origin, admission, the interceptors) has
 * happened on the real request by then.
 */
final class LeanHandshakeHandler extends DefaultHandshakeHandler {

    /** Attribute: the handshake's own {@link Principal}, until the connection opened with it. */
    static final String AUTHENTICATION = LeanHandshakeHandler.class.getName() + ".authentication";

    LeanHandshakeHandler() {
        this(new StandardWebSocketUpgradeStrategy());
    }

    /** Upgrades through {@code upgrade} (the container's strategy), showing it the lean request. */
    LeanHandshakeHandler(RequestUpgradeStrategy upgrade) {
        super(new LeanUpgrade(upgrade));
    }

    @Override
    protected @Nullable Principal determineUser(ServerHttpRequest request, WebSocketHandler handler,
            Map<String, Object> attributes) {
        Principal authenticated = request.getPrincipal();
        if (authenticated == null) {
            return null;
        }
        attributes.put(AUTHENTICATION, authenticated);
        return new UserName(authenticated.getName());
    }

    /** The principal a socket keeps: its user's name and nothing else. */
    record UserName(String name) implements Principal {
        @Override
        public String getName() {
            return name;
        }
    }

    /** Upgrades through {@link LeanRequest}, so the container keeps none of the handshake's state. */
    private record LeanUpgrade(RequestUpgradeStrategy delegate) implements RequestUpgradeStrategy {

        @Override
        public String[] getSupportedVersions() {
            return delegate.getSupportedVersions();
        }

        @Override
        public List<WebSocketExtension> getSupportedExtensions(ServerHttpRequest request) {
            return delegate.getSupportedExtensions(request);
        }

        @Override
        public void upgrade(ServerHttpRequest request, ServerHttpResponse response, @Nullable String selectedProtocol,
                List<WebSocketExtension> selectedExtensions, @Nullable Principal user, WebSocketHandler wsHandler,
                Map<String, Object> attributes) throws HandshakeFailureException {
            ServerHttpRequest lean = request instanceof ServletServerHttpRequest servlet
                    ? new ServletServerHttpRequest(new LeanRequest(servlet.getServletRequest(), user))
                    : request;
            delegate.upgrade(lean, response, selectedProtocol, selectedExtensions, user, wsHandler, attributes);
        }
    }

    /**
     * The request as the container's upgrade sees it: {@code user} as its principal, no HTTP session,
     * no list of header names (so neither Tomcat's handshake request nor Spring's session copies the
     * headers); single headers, the upgrade itself and everything else pass through.
     */
    private static final class LeanRequest extends HttpServletRequestWrapper {

        private final @Nullable Principal user;

        LeanRequest(HttpServletRequest request, @Nullable Principal user) {
            super(request);
            this.user = user;
        }

        @Override
        public @Nullable Principal getUserPrincipal() {
            return user;
        }

        @Override
        public @Nullable HttpSession getSession(boolean create) {
            return create ? super.getSession(true) : null;
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            return Collections.emptyEnumeration();
        }
    }
}
