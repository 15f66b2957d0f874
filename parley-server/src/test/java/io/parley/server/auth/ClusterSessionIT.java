package io.parley.server.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import io.parley.protocol.CloseCodes;
import io.parley.server.support.Browser;
import io.parley.server.support.ClusterServices;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import io.parley.server.support.TwoNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Two cluster nodes on the real Redis and PostgreSQL: a login made on one is valid on the other. */
class ClusterSessionIT {

    static TwoNodes cluster;
    static ClusterServices services;
    static ParleyNode nodeA;
    static ParleyNode nodeB;

    @BeforeAll
    static void start() {
        cluster = TwoNodes.start(Map.of());
        services = cluster.services();
        nodeA = cluster.a();
        nodeB = cluster.b();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void loginOnOneNodeIsValidOnTheOther() {
        Browser alice = new Browser();
        assertThat(alice.signup(nodeA.baseUrl(), "alice", "correct horse").status()).isEqualTo(201);
        assertThat(alice.signup(nodeB.baseUrl(), "alice", "correct horse").status()).isEqualTo(409);
        assertThat(alice.login(nodeA.baseUrl(), "alice", "correct horse").status()).isEqualTo(200);

        Browser.Response me = alice.get(nodeB.baseUrl() + "/api/me");
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.field("username")).isEqualTo("alice");
    }

    @Test
    void sessionAttributeSetOnOneNodeIsReadOnTheOther() {
        Browser bob = new Browser().loggedIn(nodeA.baseUrl(), "bob", "correct horse");
        assertThat(bob.put(nodeA.baseUrl() + "/api/session/attributes/theme", "{\"mode\":\"dark\",\"size\":14}").status()).isEqualTo(200);

        Browser.Response read = bob.get(nodeB.baseUrl() + "/api/session/attributes/theme");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().path("mode").asString()).isEqualTo("dark");
        assertThat(read.json().path("size").asInt()).isEqualTo(14);
    }

    @Test
    void logoutOnOneNodeEndsTheSessionOnTheOther() {
        Browser carol = new Browser().loggedIn(nodeA.baseUrl(), "carol", "correct horse");
        assertThat(carol.get(nodeA.baseUrl() + "/api/me").status()).isEqualTo(200);

        assertThat(carol.post(nodeB.baseUrl() + "/api/logout", "{}").status()).isEqualTo(204);

        assertThat(carol.get(nodeA.baseUrl() + "/api/me").status()).isEqualTo(401);
        assertThat(carol.get(nodeB.baseUrl() + "/api/me").status()).isEqualTo(401);
    }

    @Test
    void aCookieLoggedOutOnOneNodeNeverUpgradesOnEither() {
        Browser erin = new Browser().loggedIn(nodeA.baseUrl(), "erin", "correct horse");
        String cookie = "SESSION=" + erin.cookie("SESSION").orElseThrow();
        try (RawSocket onA = RawSocket.openWith(nodeA, b -> b.header("Cookie", cookie).header("Origin", nodeA.baseUrl()))) {
            onA.await("welcome");
            assertThat(erin.post(nodeB.baseUrl() + "/api/logout", "{}").status()).isEqualTo(204);
            assertThat(onA.closed()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(CloseCodes.POLICY_VIOLATION);
        }
        for (ParleyNode node : List.of(nodeA, nodeB)) {
            assertThat(RawSocket.refusedStatus(node, b -> b.header("Cookie", cookie).header("Origin", node.baseUrl())))
                    .as("replayed on %s", node.baseUrl()).isEqualTo(401);
        }
    }

    @Test
    void sessionIsStoredInRedisAsJsonWithTheSecurityContext() {
        Browser dave = new Browser().loggedIn(nodeA.baseUrl(), "dave", "correct horse");
        String sessionId = new String(Base64.getDecoder().decode(dave.cookie("SESSION").orElseThrow()), StandardCharsets.UTF_8);

        String key = services.prefix() + ":session:sessions:" + sessionId;
        Map<String, String> hash = services.redis().hgetall(key);
        assertThat(hash).containsKeys("creationTime", "lastAccessedTime", "maxInactiveInterval", "sessionAttr:SPRING_SECURITY_CONTEXT");
        for (String value : hash.values()) {
            byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
            assertThat(bytes.length > 1 && (bytes[0] & 0xff) == 0xAC && (bytes[1] & 0xff) == 0xED)
                    .as("Java serialization stream header in %s", value).isFalse();
        }
        String context = hash.get("sessionAttr:SPRING_SECURITY_CONTEXT");
        assertThat(context).startsWith("{")
                .contains("\"@class\":\"org.springframework.security.core.context.SecurityContextImpl\"")
                .contains("\"username\":\"dave\"")
                .contains("ROLE_USER");
    }

    @Test
    void healthHasRedisAndDatabaseContributors() {
        Browser.Response health = new Browser().get(nodeA.baseUrl() + "/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("components").path("redis").path("status").asString()).isEqualTo("UP");
        assertThat(health.json().path("components").path("db").path("status").asString()).isEqualTo("UP");
        assertThat(health.json().path("components").path("db").path("details").path("database").asString()).isEqualTo("PostgreSQL");
    }
}
