package io.parley.server.connection;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cross-site WebSocket hijacking and stolen or stale cookies, on a standalone node that allows one
 * foreign origin, {@code https://app.example.com}: a cookie handshake is upgraded only from that
 * origin or the node's own, and only with a live, logged-in session. Every refusal is an HTTP status
 * and no socket: the node holds no connection afterwards. (Expired sessions: {@code SessionExpiryIT};
 * a cookie logged out on another node: {@code ClusterSessionIT}; bearer handshakes: {@code TokenAuthIT}.)
 */
class HandshakeSecurityIT {

    static final String ALLOWED = "https://app.example.com";
    static final AtomicInteger users = new AtomicInteger();

    @TempDir
    static Path dataDir;

    static ParleyNode node;
    static Connections connections;

    @BeforeAll
    static void start() {
        node = ParleyNode.start(Map.of("parley.data-dir", dataDir.toString(), "parley.websocket.allowed-origins", ALLOWED));
        connections = node.bean(Connections.class);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    static String newUser(Browser browser) {
        String name = "hs_" + users.incrementAndGet();
        browser.loggedIn(node.baseUrl(), name, "correct horse");
        return name;
    }

    static String sessionCookie(Browser browser) {
        return "SESSION=" + browser.cookie("SESSION").orElseThrow();
    }

    /** The status of a handshake with {@code cookie} and, when not null, {@code origin}; a refused one leaves no connection. */
    static int handshake(String user, String cookie, String origin) {
        int before = connections.countOf(user);
        int status = RawSocket.refusedStatus(node, builder -> {
            builder.header("Cookie", cookie);
            if (origin != null) {
                builder.header("Origin", origin);
            }
        });
        assertThat(connections.countOf(user)).as("connections of %s after a refused handshake", user).isEqualTo(before);
        return status;
    }

    @Test
    void aCookieHandshakeFromAnyOriginButTheAllowedOneOrTheNodesOwnIs403() {
        Browser alice = new Browser();
        String user = newUser(alice);
        String cookie = sessionCookie(alice);
        int port = node.port();
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("null", "an opaque origin (sandboxed frame, file: page)");
        refused.put("https://app.example.com.evil.test", "a look-alike: the allowed origin as a prefix");
        refused.put("https://evil.test", "a foreign origin");
        refused.put("https://sub.app.example.com", "a subdomain of the allowed origin");
        refused.put("https://example.com", "the allowed origin's parent domain");
        refused.put("http://app.example.com", "the allowed host over another scheme");
        refused.put("https://app.example.com:8443", "the allowed host on another port");
        refused.put("https://127.0.0.1:" + port, "the node's own host and port over another scheme");
        refused.put("http://127.0.0.1:" + (port == 65535 ? port - 1 : port + 1), "the node's own host on another port");
        refused.put("http://localhost:" + port, "another name for the node's own host");
        refused.put("", "an empty Origin header");
        refused.forEach((origin, what) -> assertThat(handshake(user, cookie, origin)).as("%s: %s", what, origin).isEqualTo(403));
    }

    @Test
    void aCookieHandshakeWithoutAnyOriginHeaderIs403() {
        // Browsers always send Origin on a WebSocket handshake: a cookie handshake without one is
        // refused rather than treated as same-origin (Spring's default). See CookieOriginCheck.
        Browser bob = new Browser();
        String user = newUser(bob);
        assertThat(handshake(user, sessionCookie(bob), null)).isEqualTo(403);
    }

    @Test
    void aCookieHandshakeFromTheAllowedOriginOrTheNodesOwnIsUpgraded() {
        Browser carol = new Browser();
        String user = newUser(carol);
        String cookie = sessionCookie(carol);
        try (RawSocket fromApp = RawSocket.openWith(node, b -> b.header("Cookie", cookie).header("Origin", ALLOWED));
                RawSocket fromNode = RawSocket.openWith(node, b -> b.header("Cookie", cookie).header("Origin", node.baseUrl()))) {
            assertThat(fromApp.await("welcome").path("user").asString()).isEqualTo(user);
            assertThat(fromNode.await("welcome").path("user").asString()).isEqualTo(user);
            assertThat(connections.countOf(user)).isEqualTo(2);
        }
    }

    @Test
    void aHandshakeWithoutASessionIs401WhateverItsOrigin() {
        assertThat(RawSocket.refusedStatus(node, builder -> { })).isEqualTo(401);
        assertThat(RawSocket.refusedStatus(node, builder -> builder.header("Origin", node.baseUrl()))).isEqualTo(401);
        assertThat(RawSocket.refusedStatus(node, builder -> builder.header("Origin", ALLOWED))).isEqualTo(401);
    }

    @Test
    void forgedSessionCookiesNeverUpgrade() {
        String unknownId = Base64.getEncoder().encodeToString(UUID.randomUUID().toString().getBytes(UTF_8));
        for (String forged : new String[] {unknownId, "not-base64-at-all!", "", "%00%0d%0a", "A".repeat(4000)}) {
            assertThat(RawSocket.refusedStatus(node, builder -> builder.header("Cookie", "SESSION=" + forged)
                    .header("Origin", node.baseUrl()))).as("SESSION=%s", forged).isEqualTo(401);
        }
    }

    @Test
    void aLoggedOutSessionsCookieNeverUpgradesAgain() {
        Browser dave = new Browser();
        String user = newUser(dave);
        String cookie = sessionCookie(dave);
        try (RawSocket before = RawSocket.openWith(node, b -> b.header("Cookie", cookie).header("Origin", node.baseUrl()))) {
            before.await("welcome");
            assertThat(dave.post(node.baseUrl() + "/api/logout", "{}").status()).isEqualTo(204);
        }
        // The socket's close (the client's, or the server's 1008 at logout) is handled asynchronously:
        // wait for it, so that the refused handshakes below are compared with a settled count.
        await().atMost(Duration.ofSeconds(20)).until(() -> connections.countOf(user) == 0);
        // The browser dropped the cookie at logout; an attacker who copied it replays it.
        assertThat(handshake(user, cookie, node.baseUrl())).isEqualTo(401);
        assertThat(handshake(user, cookie, ALLOWED)).isEqualTo(401);
    }
}
