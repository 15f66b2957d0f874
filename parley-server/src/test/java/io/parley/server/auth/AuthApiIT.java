package io.parley.server.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.parley.protocol.CloseCodes;
import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP API of accounts, login and session attributes, on one standalone node with no Redis and
 * no PostgreSQL reachable: every success, and every kind of bad input answered with a 4xx JSON error.
 */
class AuthApiIT {

    @TempDir
    static Path dataDir;

    static ParleyNode node;
    static String base;

    @BeforeAll
    static void start() {
        // Redis points at a closed port and no datasource is given: standalone needs neither.
        node = ParleyNode.start(Map.of("parley.data-dir", dataDir.toString(), "spring.data.redis.url", "redis://127.0.0.1:1",
                "parley.admins", "auth_admin"));
        base = node.baseUrl();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void standaloneNodeIsHealthyWithoutRedisOrPostgres() {
        // Health details are for admins (ActuatorAccessIT covers who sees what).
        Browser.Response health = new Browser().loggedIn(base, "auth_admin", "correct horse").get(base + "/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.field("status")).isEqualTo("UP");
        assertThat(health.json().path("components").has("redis")).isFalse();
        assertThat(health.json().path("components").path("db").path("status").asString()).isEqualTo("UP");
    }

    @Test
    void logoutClosesEverySocketOfThatSessionWith1008AndNoOther() {
        Browser erin = new Browser().loggedIn(base, "erin", "correct horse");
        Browser erinElsewhere = new Browser().loggedIn(base, "erin", "correct horse");
        try (RawSocket first = RawSocket.open(node, erin); RawSocket second = RawSocket.open(node, erin);
                RawSocket otherSession = RawSocket.open(node, erinElsewhere)) {
            List.of(first, second, otherSession).forEach(socket -> socket.await("welcome"));

            assertThat(erin.post(base + "/api/logout", "{}").status()).isEqualTo(204);

            assertThat(first.closed()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(CloseCodes.POLICY_VIOLATION);
            assertThat(second.closed()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(CloseCodes.POLICY_VIOLATION);
            otherSession.send("{\"type\":\"ping\",\"id\":\"still-here\"}");
            otherSession.await("pong", "id", "still-here");
            assertThat(otherSession.isOpen()).isTrue();
        }
    }

    @Test
    void signupLoginMeLogout() {
        Browser alice = new Browser();
        assertThat(alice.signup(base, "alice_api", "correct horse").status()).isEqualTo(201);
        assertThat(alice.get(base + "/api/me").status()).isEqualTo(401);

        Browser.Response login = alice.login(base, "alice_api", "correct horse");
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.field("username")).isEqualTo("alice_api");
        String setCookie = String.join("\n", login.raw().headers().allValues("Set-Cookie"));
        assertThat(setCookie).contains("SESSION=").containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Lax");

        Browser.Response me = alice.get(base + "/api/me");
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.field("username")).isEqualTo("alice_api");

        assertThat(alice.post(base + "/api/logout", "{}").status()).isEqualTo(204);
        assertThat(alice.get(base + "/api/me").status()).isEqualTo(401);
    }

    @Test
    void sessionIdChangesAtLogin() {
        Browser bob = new Browser().loggedIn(base, "bob_api", "correct horse");
        String before = bob.cookie("SESSION").orElseThrow();
        assertThat(bob.login(base, "bob_api", "correct horse").status()).isEqualTo(200);
        assertThat(bob.cookie("SESSION").orElseThrow()).isNotEqualTo(before);
        assertThat(bob.get(base + "/api/me").status()).isEqualTo(200);
    }

    @Test
    void takenUsernameIsAConflict() {
        Browser browser = new Browser();
        assertThat(browser.signup(base, "carol_api", "correct horse").status()).isEqualTo(201);
        Browser.Response again = browser.signup(base, "carol_api", "other password");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.field("error")).isEqualTo("username_taken");
    }

    @Test
    void badSignupInputIsA400WithAJsonError() {
        Browser browser = new Browser();
        assertError(browser.signup(base, "No", "correct horse"), 400, "bad_request", "username must match [a-z0-9_]{3,32}");
        assertError(browser.signup(base, "dave_api", "short"), 400, "bad_request", "password must be 8..128 characters");
        assertError(browser.signup(base, "dave_api", "x".repeat(129)), 400, "bad_request", "password must be 8..128 characters");
        assertError(browser.post(base + "/api/signup", "{\"username\":\"dave_api\"}"), 400, "bad_request", "password is required");
        assertError(browser.post(base + "/api/signup", "{not json"), 400, "bad_request", null);
        assertError(browser.post(base + "/api/signup", ""), 400, "bad_request", null);
        assertError(browser.post(base + "/api/signup", "[1,2]"), 400, "bad_request", null);
    }

    @Test
    void aCommonTooLongOrUsernamePasswordIsRefusedAtSignupInPlainWords() {
        Browser browser = new Browser();
        Browser.Response common = browser.signup(base, "ivy_api", "password1");
        assertError(common, 400, "bad_request", "this password is too common");
        assertThat(common.body()).isEqualTo("{\"error\":\"bad_request\",\"message\":\"this password is too common\"}");
        assertError(browser.signup(base, "ivy_api", "Sunshine"), 400, "bad_request", "this password is too common");
        assertError(browser.signup(base, "ivy_api", "x".repeat(73)), 400, "bad_request",
                "password must be at most 72 bytes in UTF-8 (72 ASCII characters, fewer with accents or emoji)");
        assertError(browser.signup(base, "ivy_api_long", "IVY_API_LONG"), 400, "bad_request", "password must not be the username");
        // None of them created the account.
        assertThat(node.bean(Accounts.class).exists("ivy_api")).isFalse();
        assertThat(browser.signup(base, "ivy_api", "correct horse").status()).isEqualTo(201);
    }

    @Test
    void passwordsAreStoredAsBcryptHashesOfCostTen() {
        new Browser().signup(base, "jack_api", "correct horse");
        String hash = node.bean(Accounts.class).passwordHash("jack_api").orElseThrow();
        assertThat(hash).startsWith("{bcrypt}$2a$10$").hasSize("{bcrypt}".length() + 60).doesNotContain("correct horse");
    }

    @Test
    void badLoginIsA401WithAJsonError() {
        Browser browser = new Browser();
        browser.signup(base, "erin_api", "correct horse");
        assertError(browser.login(base, "erin_api", "wrong horse!"), 401, "bad_credentials", "wrong username or password");
        assertError(browser.login(base, "nobody_api", "wrong horse!"), 401, "bad_credentials", "wrong username or password");
        assertError(browser.post(base + "/api/login", "{\"username\":1}"), 400, "bad_request", null);
    }

    @Test
    void stateChangingRequestsWithoutCsrfTokenAre403() {
        Browser browser = new Browser();
        assertError(browser.postWithoutCsrf(base + "/api/signup", "{\"username\":\"frank_api\",\"password\":\"correct horse\"}"),
                403, "csrf", null);
        browser.signup(base, "frank_api", "correct horse");
        assertError(browser.postWithoutCsrf(base + "/api/login", "{\"username\":\"frank_api\",\"password\":\"correct horse\"}"),
                403, "csrf", null);
        browser.login(base, "frank_api", "correct horse");
        assertError(browser.postWithoutCsrf(base + "/api/logout", "{}"), 403, "csrf", null);
        assertThat(browser.get(base + "/api/me").status()).isEqualTo(200);
    }

    @Test
    void csrfEndpointReturnsTheTokenAndItsHeader() {
        Browser browser = new Browser();
        Browser.Response csrf = browser.get(base + "/api/csrf");
        assertThat(csrf.status()).isEqualTo(200);
        assertThat(csrf.field("headerName")).isEqualTo("X-XSRF-TOKEN");
        assertThat(csrf.field("token")).isNotBlank().isEqualTo(browser.cookie("XSRF-TOKEN").orElseThrow());
    }

    @Test
    void sessionAttributesRoundTripAndRejectBadInput() {
        Browser browser = new Browser().loggedIn(base, "gina_api", "correct horse");
        String url = base + "/api/session/attributes/";
        assertThat(browser.put(url + "cart", "{\"items\":[1,2,3]}").status()).isEqualTo(200);
        Browser.Response read = browser.get(url + "cart");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("items").size()).isEqualTo(3);

        assertError(browser.get(url + "missing"), 404, "not_found", "no attribute 'missing' in this session");
        assertError(browser.put(url + "bad%20name", "1"), 400, "bad_request", "attribute name must match [A-Za-z0-9_.-]{1,64}");
        assertError(browser.put(url + "broken", "{oops"), 400, "bad_request", "value must be valid JSON");
        assertError(browser.put(url + "huge", "\"" + "x".repeat(5000) + "\""), 413, "too_large", null);
        assertThat(new Browser().get(url + "cart").status()).isEqualTo(401);
    }

    @Test
    void unknownPathsAndMethodsAreJsonErrors() {
        Browser browser = new Browser().loggedIn(base, "hank_api", "correct horse");
        assertError(browser.get(base + "/api/nothing-here"), 404, "not_found", null);
        assertError(browser.put(base + "/api/me", "{}"), 405, "method_not_allowed", null);
    }

    private static void assertError(Browser.Response response, int status, String code, String message) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.header("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(response.field("error")).isEqualTo(code);
        assertThat(response.field("message")).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
        if (message != null) {
            assertThat(response.field("message")).isEqualTo(message);
        }
    }
}
