package io.parley.server.token;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.parley.protocol.CloseCodes;
import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import io.parley.server.support.TokenClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token API and the bearer handshake on one standalone node (H2, keys generated into the
 * database): issuing, the HTTP API with a bearer token, every kind of forged token refused with 401
 * before any upgrade, refresh rotation with reuse detection, revocation closing the family's sockets.
 */
class TokenAuthIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PASSWORD = "correct horse";

    @TempDir
    static Path dataDir;

    static ParleyNode node;
    static String base;
    static ForgedTokens forged;
    final TokenClient tokens = new TokenClient();

    @BeforeAll
    static void start() {
        node = ParleyNode.start(Map.of("parley.data-dir", dataDir.toString(), "spring.data.redis.url", "redis://127.0.0.1:1"));
        base = node.baseUrl();
        forged = new ForgedTokens(node.bean(SigningKeys.class).signing());
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static JsonNode part(String jwt, int index) {
        return JSON.readTree(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[index]), StandardCharsets.UTF_8));
    }

    @Test
    void passwordIssuesASignedAccessTokenAndARefreshTokenAndNoSession() {
        Browser.Response issued = tokens.signedUp(base, "tina", PASSWORD);

        assertThat(issued.field("username")).isEqualTo("tina");
        assertThat(issued.field("tokenType")).isEqualTo("Bearer");
        assertThat(issued.json().path("expiresIn").asLong()).isBetween(890L, 900L);
        assertThat(issued.json().path("refreshExpiresIn").asLong()).isBetween(30L * 86400 - 10, 30L * 86400);
        assertThat(issued.field("refreshToken")).hasSize(43);
        assertThat(issued.raw().headers().allValues("Set-Cookie")).noneMatch(cookie -> cookie.startsWith("SESSION="));

        String access = issued.field("accessToken");
        JsonNode header = part(access, 0);
        JsonNode claims = part(access, 1);
        assertThat(header.path("alg").asString()).isEqualTo("ES256");
        assertThat(header.path("kid").asString()).isEqualTo(node.bean(SigningKeys.class).signing().getKeyID());
        assertThat(claims.path("sub").asString()).isEqualTo("tina");
        assertThat(claims.path("iss").asString()).isEqualTo("parley");
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(900);
        assertThat(claims.path("nbf").asLong()).isEqualTo(claims.path("iat").asLong());
        assertThat(claims.path("jti").asString()).isNotBlank();
        assertThat(claims.path("fam").asString()).isNotBlank();
    }

    @Test
    void badRequestsAreAnsweredWithJsonErrors() {
        new Browser().signup(base, "uma", PASSWORD);
        assertError(tokens.issue(base, "uma", "wrong password"), 401, "bad_credentials");
        assertError(tokens.post(base + "/api/tokens", "", null), 401, "unauthorized");
        assertError(tokens.post(base + "/api/tokens", "{\"username\":", null), 400, "bad_request");
        assertError(tokens.post(base + "/api/tokens", "{\"username\":\"uma\"}", null), 400, "bad_request");
        assertError(tokens.refresh(base, "no-such-token"), 401, "invalid_refresh_token");
        assertError(tokens.post(base + "/api/tokens/refresh", "{}", null), 400, "bad_request");
        assertError(tokens.post(base + "/api/tokens/refresh", "[1,2", null), 400, "bad_request");
        assertError(tokens.get(base + "/api/me", "not.a.jwt"), 401, "invalid_token");
        assertThat(tokens.get(base + "/api/me", "not.a.jwt").header("WWW-Authenticate")).hasValueSatisfying(
                value -> assertThat(value).startsWith("Bearer"));
    }

    @Test
    void aLoggedInSessionGetsTokensWithItsCsrfTokenOnly() {
        Browser vera = new Browser().loggedIn(base, "vera", PASSWORD);

        assertError(vera.postWithoutCsrf(base + "/api/tokens", ""), 403, "csrf");
        Browser.Response issued = vera.post(base + "/api/tokens", "");
        assertThat(issued.status()).isEqualTo(200);
        assertThat(issued.field("username")).isEqualTo("vera");
        assertThat(tokens.get(base + "/api/me", issued.field("accessToken")).field("username")).isEqualTo("vera");
    }

    @Test
    void theHttpApiTakesBearerTokensWithoutCsrfButAnAccessTokenCannotMintTokens() {
        String access = tokens.signedUp(base, "wes", PASSWORD).field("accessToken");

        Browser.Response me = tokens.get(base + "/api/me", access);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.field("username")).isEqualTo("wes");
        assertThat(me.raw().headers().allValues("Set-Cookie")).noneMatch(cookie -> cookie.startsWith("SESSION="));
        assertThat(tokens.get(base + "/api/rooms", access).status()).isEqualTo(200);
        assertError(tokens.post(base + "/api/tokens", "", access), 403, "forbidden");
    }

    @Test
    void jwksPublishesThePublicKeyOnly() {
        Browser.Response jwks = new Browser().get(base + "/.well-known/jwks.json");
        assertThat(jwks.status()).isEqualTo(200);
        JsonNode key = jwks.json().path("keys").get(0);
        assertThat(jwks.json().path("keys").size()).isEqualTo(1);
        assertThat(key.path("kid").asString()).isEqualTo(node.bean(SigningKeys.class).signing().getKeyID());
        assertThat(key.path("kty").asString()).isEqualTo("EC");
        assertThat(key.path("crv").asString()).isEqualTo("P-256");
        assertThat(key.has("d")).as("private part published").isFalse();
    }

    @Test
    void aBearerHandshakeNeedsNoOriginAndNoCookie() {
        String access = tokens.signedUp(base, "xena", PASSWORD).field("accessToken");
        try (RawSocket plain = RawSocket.openWithBearer(node, access);
                RawSocket foreign = RawSocket.openWithBearer(node, access, "http://elsewhere.example")) {
            assertThat(plain.await("welcome").path("user").asString()).isEqualTo("xena");
            assertThat(foreign.await("welcome").path("user").asString()).isEqualTo("xena");
        }
    }

    @Test
    void aBrowserOffersItsTokenAsASubprotocolAndTheServerSelectsParleyV1NeverTheToken() {
        String access = tokens.signedUp(base, "brenda", PASSWORD).field("accessToken");
        try (RawSocket socket = RawSocket.openWithSubprotocol(node, access, "http://elsewhere.example")) {
            assertThat(socket.await("welcome").path("user").asString()).isEqualTo("brenda");
            assertThat(socket.subprotocol()).isEqualTo("parley.v1");
        }
        assertThat(RawSocket.refusedStatus(node, builder -> builder.subprotocols("parley.v1", "bearer." + forged.expired("brenda"))))
                .isEqualTo(401);
        assertThat(RawSocket.refusedStatus(node, builder -> builder.subprotocols("parley.v1"))).isEqualTo(401);
    }

    @Test
    void expiredTamperedWrongKeyUnsignedAndNotYetValidTokensNeverUpgrade() {
        new Browser().signup(base, "yuri", PASSWORD);
        assertThat(RawSocket.refusedStatus(node, "Bearer " + forged.expired("yuri"))).as("expired").isEqualTo(401);
        assertThat(RawSocket.refusedStatus(node, "Bearer " + forged.notYetValid("yuri"))).as("not yet valid").isEqualTo(401);
        assertThat(RawSocket.refusedStatus(node, "Bearer " + forged.wrongKey("yuri"))).as("wrong key").isEqualTo(401);
        assertThat(RawSocket.refusedStatus(node, "Bearer " + forged.tampered("yuri", "xena"))).as("tampered").isEqualTo(401);
        assertThat(RawSocket.refusedStatus(node, "Bearer " + forged.unsigned("yuri"))).as("alg none").isEqualTo(401);
        assertThat(RawSocket.refusedStatus(node, "Bearer " + forged.hmac("yuri"))).as("HS256").isEqualTo(401);
        assertThat(RawSocket.refusedStatus(node, "Bearer garbage")).as("garbage").isEqualTo(401);
        try (RawSocket control = RawSocket.openWithBearer(node, forged.good("yuri"))) {
            assertThat(control.await("welcome").path("user").asString()).isEqualTo("yuri");
        }
    }

    @Test
    void aUsedRefreshTokenIsRefusedAndItsReuseRevokesTheFamilyAndClosesItsSockets() {
        Browser.Response first = tokens.signedUp(base, "zoe", PASSWORD);
        Browser.Response otherLogin = tokens.issue(base, "zoe", PASSWORD);
        try (RawSocket family = RawSocket.openWithBearer(node, first.field("accessToken"));
                RawSocket other = RawSocket.openWithBearer(node, otherLogin.field("accessToken"))) {
            family.await("welcome");
            other.await("welcome");

            Browser.Response second = tokens.refresh(base, first.field("refreshToken"));
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.field("refreshToken")).isNotEqualTo(first.field("refreshToken"));
            assertThat(part(second.field("accessToken"), 1).path("fam").asString())
                    .isEqualTo(part(first.field("accessToken"), 1).path("fam").asString());
            Browser.Response third = tokens.refresh(base, second.field("refreshToken"));
            assertThat(third.status()).isEqualTo(200);

            assertError(tokens.refresh(base, first.field("refreshToken")), 401, "refresh_token_reused");
            assertThat(family.closed()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(CloseCodes.POLICY_VIOLATION);
            assertError(tokens.refresh(base, third.field("refreshToken")), 401, "invalid_refresh_token");

            other.send("{\"type\":\"ping\",\"id\":\"still-here\"}");
            other.await("pong", "id", "still-here");
            assertThat(tokens.refresh(base, otherLogin.field("refreshToken")).status()).isEqualTo(200);
        }
    }

    @Test
    void revokingClosesTheFamilysSocketsAndEndsItsRefreshToken() {
        Browser.Response issued = tokens.signedUp(base, "ada", PASSWORD);
        try (RawSocket socket = RawSocket.openWithBearer(node, issued.field("accessToken"))) {
            socket.await("welcome");

            assertThat(tokens.revoke(base, issued.field("refreshToken")).status()).isEqualTo(204);

            assertThat(socket.closed()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(CloseCodes.POLICY_VIOLATION);
            assertError(tokens.refresh(base, issued.field("refreshToken")), 401, "invalid_refresh_token");
            assertThat(tokens.revoke(base, issued.field("refreshToken")).status()).isEqualTo(204);
            assertThat(tokens.revoke(base, "never-issued").status()).isEqualTo(204);
        }
    }

    @Test
    void revokeAllEndsEveryTokenLoginOfTheUserAndLeavesItsCookieSession() {
        Browser.Response phone = tokens.signedUp(base, "gus", PASSWORD);
        Browser.Response laptop = tokens.issue(base, "gus", PASSWORD);
        Browser browser = new Browser().loggedIn(base, "gus", PASSWORD);
        try (RawSocket onPhone = RawSocket.openWithBearer(node, phone.field("accessToken"));
                RawSocket onLaptop = RawSocket.openWithBearer(node, laptop.field("accessToken"));
                RawSocket inBrowser = RawSocket.open(node, browser)) {
            List.of(onPhone, onLaptop, inBrowser).forEach(socket -> socket.await("welcome"));

            assertThat(tokens.post(base + "/api/tokens/revoke-all", "", phone.field("accessToken")).status()).isEqualTo(204);

            assertThat(onPhone.closed()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(CloseCodes.POLICY_VIOLATION);
            assertThat(onLaptop.closed()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(CloseCodes.POLICY_VIOLATION);
            assertError(tokens.refresh(base, phone.field("refreshToken")), 401, "invalid_refresh_token");
            assertError(tokens.refresh(base, laptop.field("refreshToken")), 401, "invalid_refresh_token");
            inBrowser.send("{\"type\":\"ping\",\"id\":\"cookie\"}");
            inBrowser.await("pong", "id", "cookie");
            // Neither a bearer token nor a session: refused (by the CSRF check, which comes first).
            assertError(tokens.post(base + "/api/tokens/revoke-all", "", null), 403, "csrf");
        }
    }

    private static void assertError(Browser.Response response, int status, String code) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(response.field("error")).as(response.body()).isEqualTo(code);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("at io.");
    }
}
