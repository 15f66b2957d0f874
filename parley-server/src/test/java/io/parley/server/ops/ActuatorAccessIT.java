package io.parley.server.ops;

import java.nio.file.Path;
import java.util.Map;

import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.TokenClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may read the actuator on a standalone node: anyone the health status and its liveness and
 * readiness probes (load balancers); only admins ({@code parley.admins}) the health details,
 * the metrics and Prometheus, whether logged in with a session or a bearer token.
 */
class ActuatorAccessIT {

    private static final String PASSWORD = "correct horse";

    @TempDir
    static Path dataDir;

    static ParleyNode node;
    static String base;

    @BeforeAll
    static void start() {
        node = ParleyNode.start(Map.of("parley.data-dir", dataDir.toString(), "parley.admins", "act_root, act_other"));
        base = node.baseUrl();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void anonymousGetsTheHealthStatusAndProbesButNoDetailsNorMetrics() {
        Browser anonymous = new Browser();
        Browser.Response health = anonymous.get(base + "/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.field("status")).isEqualTo("UP");
        assertThat(health.json().has("components")).as("components shown to anonymous: %s", health.body()).isFalse();
        assertThat(health.body()).doesNotContain("H2", "diskSpace", "path");

        for (String probe : new String[] {"/actuator/health/readiness", "/actuator/health/liveness"}) {
            Browser.Response answer = anonymous.get(base + probe);
            assertThat(answer.status()).as(probe).isEqualTo(200);
            assertThat(answer.field("status")).as(probe).isEqualTo("UP");
        }
        for (String endpoint : new String[] {"/actuator/prometheus", "/actuator/metrics", "/actuator/health/db", "/actuator/info",
                "/actuator"}) {
            Browser.Response refused = anonymous.get(base + endpoint);
            assertThat(refused.status()).as(endpoint).isEqualTo(401);
            assertThat(refused.field("error")).as(endpoint).isEqualTo("unauthorized");
        }
    }

    @Test
    void aUserWhoIsNotAnAdminIsRefusedMetricsAndHealthDetails() {
        Browser user = new Browser().loggedIn(base, "act_user", PASSWORD);
        Browser.Response prometheus = user.get(base + "/actuator/prometheus");
        assertThat(prometheus.status()).isEqualTo(403);
        assertThat(prometheus.field("error")).isEqualTo("forbidden");
        assertThat(user.get(base + "/actuator/health").json().has("components")).isFalse();

        String token = new TokenClient().signedUp(base, "act_bot", PASSWORD).field("accessToken");
        assertThat(new TokenClient().get(base + "/actuator/prometheus", token).status()).isEqualTo(403);
    }

    @Test
    void anAdminReadsPrometheusAndHealthDetailsWithASessionOrAToken() {
        Browser admin = new Browser().loggedIn(base, "act_root", PASSWORD);
        Browser.Response prometheus = admin.get(base + "/actuator/prometheus");
        assertThat(prometheus.status()).isEqualTo(200);
        assertThat(prometheus.body()).contains("parley_connections_open", "process_files_open_files");
        Browser.Response health = admin.get(base + "/actuator/health");
        assertThat(health.json().path("components").path("db").path("status").asString()).isEqualTo("UP");
        assertThat(health.json().path("components").path("db").path("details").path("database").asString()).isEqualTo("H2");
        assertThat(admin.get(base + "/actuator/health/db").status()).isEqualTo(200);

        String token = new TokenClient().signedUp(base, "act_other", PASSWORD).field("accessToken");
        TokenClient bearer = new TokenClient();
        assertThat(bearer.get(base + "/actuator/prometheus", token).status()).isEqualTo(200);
        assertThat(bearer.get(base + "/actuator/health", token).json().path("components").has("db")).isTrue();
    }
}
