package io.parley.server.auth;

import java.nio.file.Path;
import java.util.Map;

import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Credential stuffing from one address on a real node with the default limit (10 attempts a minute,
 * bursts of 10): of 200 wrong logins, the first few are judged (401), the rest refused with 429,
 * {@code Retry-After} and {@code rate_limited} before any password is checked — the right password
 * too, and a signup, from that address, until it has waited.
 */
class LoginRateLimitIT {

    @Test
    void twoHundredWrongLoginsFromOneAddressAreRefusedWith429AfterTheLimit(@TempDir Path dataDir) {
        try (ParleyNode node = ParleyNode.start(Map.of("parley.data-dir", dataDir.toString(),
                // The defaults, which the test nodes otherwise raise.
                "parley.login.attempts", "10",
                "parley.login.period", "1m",
                "parley.login.burst", "10"))) {
            String base = node.baseUrl();
            Browser attacker = new Browser();
            assertThat(attacker.signup(base, "victim", "correct horse").status()).isEqualTo(201); // attempt 1
            int judged = 0;
            int refused = 0;
            for (int i = 0; i < 200; i++) {
                Browser.Response response = attacker.login(base, "victim", "wrong-guess-" + i);
                if (response.status() == 401) {
                    assertThat(response.field("error")).isEqualTo("bad_credentials");
                    judged++;
                } else {
                    assertThat(response.status()).isEqualTo(429);
                    assertThat(response.field("error")).isEqualTo("rate_limited");
                    assertThat(response.header("Retry-After")).hasValueSatisfying(
                            seconds -> assertThat(Long.parseLong(seconds)).isBetween(1L, 60L));
                    refused++;
                }
            }
            // The burst (less the signup), and whatever refilled at 10 a minute while the test ran.
            assertThat(judged).isBetween(9, 9 + 20);
            assertThat(refused).isEqualTo(200 - judged);

            Browser.Response right = attacker.login(base, "victim", "correct horse");
            assertThat(right.status()).isEqualTo(429);
            assertThat(attacker.signup(base, "another", "correct horse").status()).isEqualTo(429);
            // Nothing else is limited: the CSRF endpoint and the API answer as before.
            assertThat(attacker.get(base + "/api/csrf").status()).isEqualTo(200);
            assertThat(attacker.get(base + "/api/me").status()).isEqualTo(401);
        }
    }
}
