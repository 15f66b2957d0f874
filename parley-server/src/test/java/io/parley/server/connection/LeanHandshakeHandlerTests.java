package io.parley.server.connection;

import java.security.Principal;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.web.socket.WebSocketExtension;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.socket.server.RequestUpgradeStrategy;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link LeanHandshakeHandler} over a recording upgrade strategy: what the container is shown and keeps. */
class LeanHandshakeHandlerTests {

    /** The arguments of the one upgrade, as the container would get them. */
    private record Upgrade(HttpServletRequest request, ServerHttpRequest springRequest, @Nullable Principal user,
            Map<String, Object> attributes) {
    }

    private static final class Recording implements RequestUpgradeStrategy {
        final AtomicReference<Upgrade> upgrade = new AtomicReference<>();

        @Override
        public String[] getSupportedVersions() {
            return new String[] {"13"};
        }

        @Override
        public List<WebSocketExtension> getSupportedExtensions(ServerHttpRequest request) {
            return List.of();
        }

        @Override
        public void upgrade(ServerHttpRequest request, ServerHttpResponse response, @Nullable String selectedProtocol,
                List<WebSocketExtension> selectedExtensions, @Nullable Principal user, WebSocketHandler wsHandler,
                Map<String, Object> attributes) {
            upgrade.set(new Upgrade(((ServletServerHttpRequest) request).getServletRequest(), request, user, attributes));
        }
    }

    private static MockHttpServletRequest webSocketHandshake() {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/ws");
        request.addHeader("Upgrade", "websocket");
        request.addHeader("Connection", "Upgrade");
        request.addHeader("Sec-WebSocket-Version", "13");
        request.addHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        return request;
    }

    @Test
    void theContainerSeesOnlyTheUsersNameAndTheHandshakeKeepsTheAuthenticationForTheHandlerAlone() throws Exception {
        Recording container = new Recording();
        MockHttpServletRequest request = webSocketHandshake();
        request.addHeader("Cookie", "SESSION=abc");
        request.addHeader("User-Agent", "a browser with a long user agent string");
        request.setSession(new MockHttpSession());
        UsernamePasswordAuthenticationToken alice = UsernamePasswordAuthenticationToken.authenticated("alice", null, List.of());
        request.setUserPrincipal(alice);
        Map<String, Object> attributes = new HashMap<>();

        boolean done = new LeanHandshakeHandler(container).doHandshake(new ServletServerHttpRequest(request),
                new ServletServerHttpResponse(new MockHttpServletResponse()), new TextWebSocketHandler(), attributes);

        assertThat(done).isTrue();
        Upgrade upgrade = container.upgrade.get();
        assertThat(upgrade.user()).isEqualTo(new LeanHandshakeHandler.UserName("alice"));
        assertThat(upgrade.attributes()).containsEntry(LeanHandshakeHandler.AUTHENTICATION, alice);

        HttpServletRequest seen = upgrade.request();
        assertThat(seen.getUserPrincipal()).isSameAs(upgrade.user());
        assertThat(seen.getSession(false)).as("no HTTP session for the container to keep").isNull();
        assertThat(Collections.list(seen.getHeaderNames())).as("no header list to copy").isEmpty();
        assertThat(upgrade.springRequest().getHeaders().isEmpty()).as("nor for Spring's session to copy").isTrue();
        assertThat(seen.getHeader("Sec-WebSocket-Key")).as("the headers it negotiates with, by name")
                .isEqualTo("dGhlIHNhbXBsZSBub25jZQ==");
        assertThat(Collections.list(seen.getHeaders("Sec-WebSocket-Version"))).containsExactly("13");
        assertThat(seen.getRequestURI()).isEqualTo("/ws");
    }

    @Test
    void anUnauthenticatedHandshakeHasNoUser() throws Exception {
        Recording container = new Recording();
        MockHttpServletRequest request = webSocketHandshake();
        Map<String, Object> attributes = new HashMap<>();

        new LeanHandshakeHandler(container).doHandshake(new ServletServerHttpRequest(request),
                new ServletServerHttpResponse(new MockHttpServletResponse()), new TextWebSocketHandler(), attributes);

        assertThat(container.upgrade.get().user()).isNull();
        assertThat(container.upgrade.get().request().getUserPrincipal()).isNull();
        assertThat(attributes).doesNotContainKey(LeanHandshakeHandler.AUTHENTICATION);
    }
}
