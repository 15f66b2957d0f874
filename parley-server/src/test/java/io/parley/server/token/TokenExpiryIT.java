package io.parley.server.token;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.parley.protocol.CloseCodes;
import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import io.parley.server.support.TokenClient;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A token connection outlives its access token only by re-authenticating on the same socket: with
 * 8-second tokens and a 4-second notice, a socket that answers each {@code refresh} with an
 * {@code auth} frame lives through several lifetimes; one that does not is closed with 4001 at the
 * expiry, within a bound.
 */
class TokenExpiryIT {

    private static final String PASSWORD = "correct horse";
    private static final Duration LIFETIME = Duration.ofSeconds(8);
    /** How late after the expiry the close may come on a loaded machine (timer delay, close handshake). */
    private static final Duration CLOSE_BOUND = Duration.ofSeconds(3);

    @TempDir
    static Path dataDir;

    static ParleyNode node;
    static String base;
    final TokenClient tokens = new TokenClient();

    @BeforeAll
    static void start() {
        node = ParleyNode.start(Map.of("parley.data-dir", dataDir.toString(), "spring.data.redis.url", "redis://127.0.0.1:1",
                "parley.tokens.access-lifetime", LIFETIME.toSeconds() + "s", "parley.tokens.refresh-notice", "4s",
                // HTTP-session checks every second: a token socket, which has no HTTP session, must not be closed by them.
                "parley.session.check-interval", "1s"));
        base = node.baseUrl();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static Instant expiresAt(JsonNode frame) {
        return Instant.parse(frame.path("expiresAt").asString());
    }

    @Test
    void aSocketThatReauthenticatesLivesThroughSeveralLifetimesAndIsClosedWith4001OnceItStops() {
        Browser.Response login = tokens.signedUp(base, "renewer", PASSWORD);
        try (RawSocket socket = RawSocket.openWithBearer(node, login.field("accessToken"))) {
            socket.await("welcome");
            Instant opened = Instant.now();
            String refreshToken = login.field("refreshToken");
            Instant expiry = null;
            for (int round = 1; round <= 4; round++) {
                int seen = round;
                JsonNode notice = awaitFrames(socket, "refresh", seen);
                Instant noticed = expiresAt(notice);
                assertThat(expiry == null || noticed.equals(expiry)).as("notice for the current token").isTrue();

                Browser.Response refreshed = tokens.refresh(base, refreshToken);
                assertThat(refreshed.status()).isEqualTo(200);
                refreshToken = refreshed.field("refreshToken");
                socket.send("{\"type\":\"auth\",\"token\":\"" + refreshed.field("accessToken") + "\"}");
                expiry = expiresAt(awaitFrames(socket, "authed", seen));
                assertThat(expiry).isAfter(noticed);
            }
            socket.send("{\"type\":\"ping\",\"id\":\"alive\"}");
            socket.await("pong", "id", "alive");

            assertClosedWith4001Around(socket, expiry);
            // Four renewals 4 s before each expiry: the socket lived about 4 x 4 s + 8 s, three lifetimes.
            assertThat(Duration.between(opened, Instant.now())).isGreaterThan(LIFETIME.multipliedBy(3).minusSeconds(2));
        }
    }

    @Test
    void aSocketThatDoesNotReauthenticateIsClosedWith4001AtItsExpiry() {
        Browser.Response login = tokens.signedUp(base, "idler", PASSWORD);
        try (RawSocket socket = RawSocket.openWithBearer(node, login.field("accessToken"))) {
            socket.await("welcome");
            Instant expiry = expiresAt(socket.await("refresh"));
            assertThat(Duration.between(Instant.now(), expiry)).isLessThanOrEqualTo(Duration.ofSeconds(5));
            assertClosedWith4001Around(socket, expiry);
        }
    }

    @Test
    void anAuthFrameWithABadTokenIsRefusedAndTheConnectionKeepsItsExpiry() {
        Browser.Response login = tokens.signedUp(base, "picky", PASSWORD);
        Browser.Response otherLogin = tokens.issue(base, "picky", PASSWORD);
        String someoneElse = tokens.signedUp(base, "other_user", PASSWORD).field("accessToken");
        try (RawSocket socket = RawSocket.openWithBearer(node, login.field("accessToken"))) {
            socket.await("welcome");
            for (String bad : new String[] {"garbage", someoneElse, otherLogin.field("accessToken")}) {
                socket.send("{\"type\":\"auth\",\"token\":\"" + bad + "\"}");
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> socket.frames("error").size() == 3);
            assertThat(socket.frames("error")).allSatisfy(error -> {
                assertThat(error.path("code").asString()).isEqualTo("unauthorized");
                assertThat(error.path("ref").asString()).isEqualTo("auth");
            });
            assertThat(socket.frames("authed")).isEmpty();
            assertThat(socket.closed()).succeedsWithin(LIFETIME.plus(CLOSE_BOUND)).isEqualTo(CloseCodes.TOKEN_EXPIRED);
        }
    }

    @Test
    void aCookieConnectionIsNotWatchedAndItsAuthFrameIsABadRequest() {
        Browser browser = new Browser().loggedIn(base, "cookie_user", PASSWORD);
        try (RawSocket socket = RawSocket.open(node, browser)) {
            socket.await("welcome");
            socket.send("{\"type\":\"auth\",\"token\":\"whatever\"}");
            assertThat(socket.await("error").path("code").asString()).isEqualTo("bad_request");
            Awaitility.await().during(LIFETIME.plusSeconds(1)).atMost(LIFETIME.plusSeconds(5)).until(socket::isOpen);
            assertThat(socket.frames("refresh")).isEmpty();
        }
    }

    private static JsonNode awaitFrames(RawSocket socket, String type, int count) {
        Awaitility.await().atMost(LIFETIME.plus(CLOSE_BOUND)).until(() -> socket.frames(type).size() >= count);
        return socket.frames(type).get(count - 1);
    }

    private static void assertClosedWith4001Around(RawSocket socket, Instant expiry) {
        Duration untilExpiry = Duration.between(Instant.now(), expiry);
        assertThat(socket.closed()).succeedsWithin(untilExpiry.plus(CLOSE_BOUND)).isEqualTo(CloseCodes.TOKEN_EXPIRED);
        Instant closedAt = Instant.now();
        // exp is whole seconds, so the server's close may come up to a second before "expiry + 1s".
        assertThat(closedAt).isAfterOrEqualTo(expiry.minusMillis(1000));
    }
}
