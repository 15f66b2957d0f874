package io.parley.server.connection;

import java.util.HashMap;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.socket.handler.TextWebSocketHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CookieOriginCheckTests {

    private final CookieOriginCheck check = new CookieOriginCheck(List.of("https://app.example.com"));

    @Test
    void anythingButSerializedOriginsIsRefusedAtStartup() {
        for (String bad : List.of("*", "https://*.example.com", "https://app.example.com/", "https://app.example.com/chat",
                "app.example.com", "ftp://app.example.com", "https://user@app.example.com", "https://app.example.com?x",
                "null", "")) {
            assertThatThrownBy(() -> new CookieOriginCheck(List.of(bad))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("parley.websocket.allowed-origins: '" + bad + "' is not an origin");
        }
        new CookieOriginCheck(List.of("https://app.example.com", "http://localhost:8080", "http://[::1]:8080"));
    }

    @Test
    void aCookieRequestIsAllowedOnlyWithTheOwnOrAListedOrigin() throws Exception {
        assertThat(status(null, null)).isEqualTo(403);
        assertThat(status("null", null)).isEqualTo(403);
        assertThat(status("https://app.example.com.evil.test", null)).isEqualTo(403);
        assertThat(status("http://app.example.com", null)).isEqualTo(403);
        assertThat(status("https://app.example.com", null)).isEqualTo(200);
        assertThat(status("http://parley.test:8080", null)).isEqualTo(200);
        assertThat(status("http://parley.test:8081", null)).isEqualTo(403);
    }

    @Test
    void aBearerRequestIsNotChecked() throws Exception {
        assertThat(status(null, "Bearer x.y.z")).isEqualTo(200);
        assertThat(status("https://evil.test", "bearer x.y.z")).isEqualTo(200);
        assertThat(status("https://evil.test", "Basic abc")).isEqualTo(403);
    }

    /** 200 when the check lets the handshake go on, else the status it set. */
    private int status(String origin, String authorization) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/ws");
        request.setScheme("http");
        request.setServerName("parley.test");
        request.setServerPort(8080);
        if (origin != null) {
            request.addHeader("Origin", origin);
        }
        if (authorization != null) {
            request.addHeader("Authorization", authorization);
        }
        MockHttpServletResponse response = new MockHttpServletResponse();
        ServletServerHttpResponse serverResponse = new ServletServerHttpResponse(response);
        boolean proceed = check.beforeHandshake(new ServletServerHttpRequest(request), serverResponse,
                new TextWebSocketHandler(), new HashMap<>());
        serverResponse.flush();
        return proceed ? 200 : response.getStatus();
    }
}
