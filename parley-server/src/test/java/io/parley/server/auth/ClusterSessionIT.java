package io.parley.server.auth;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import gadgets.GadgetLog;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
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

/**
 * Two cluster nodes on the real Redis and PostgreSQL: a login made on one is valid on the other; a
 * logout on one ends it on both; and a session whose Redis hash holds a planted value (Java
 * serialization, a class off the allowlist) is no session on either node — 401, never 500 — and the
 * planted class is never loaded.
 */
class ClusterSessionIT {

    static TwoNodes cluster;
    static ClusterServices services;
    static ParleyNode nodeA;
    static ParleyNode nodeB;

    @BeforeAll
    static void start() {
        cluster = TwoNodes.start(Map.of("parley.admins", "cs_admin"));
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
    void aJavaSerializedValuePlantedInASessionMakesItNoSessionOnEveryNodeNotAnError() throws Exception {
        Browser fay = new Browser().loggedIn(nodeA.baseUrl(), "fay", "correct horse");
        ByteArrayOutputStream javaSerialized = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(javaSerialized)) {
            out.writeObject(new java.util.ArrayList<>(List.of("a Java-serialized value")));
        }
        plant(fay, "sessionAttr:SPRING_SECURITY_CONTEXT", javaSerialized.toByteArray());
        assertTheSessionIsNoneButANewLoginWorks(fay, "fay");
    }

    @Test
    void aValueNamingAnUnlistedClassIsRefusedWithoutLoadingIt() {
        Browser gus = new Browser().loggedIn(nodeA.baseUrl(), "gus", "correct horse");
        plant(gus, "sessionAttr:SPRING_SECURITY_CONTEXT",
                "{\"@class\":\"gadgets.PlantedGadget\",\"command\":\"touch /tmp/pwned\"}".getBytes(StandardCharsets.UTF_8));
        assertTheSessionIsNoneButANewLoginWorks(gus, "gus");

        Browser hal = new Browser().loggedIn(nodeA.baseUrl(), "hal", "correct horse");
        // An extra attribute is enough: a session with any value Parley does not read is no session.
        plant(hal, "sessionAttr:planted", "[\"io.parley.server.auth.SessionGadget\",{\"command\":\"x\"}]".getBytes(StandardCharsets.UTF_8));
        assertTheSessionIsNoneButANewLoginWorks(hal, "hal");

        assertThat(GadgetLog.events()).as("gadget classes loaded, constructed or set, on either node").isEmpty();
    }

    /** Overwrites one field of the Redis hash of {@code browser}'s session with raw bytes, as an attacker with Redis access would. */
    private static void plant(Browser browser, String field, byte[] value) {
        String sessionId = new String(Base64.getDecoder().decode(browser.cookie("SESSION").orElseThrow()), StandardCharsets.UTF_8);
        byte[] key = (services.prefix() + ":session:sessions:" + sessionId).getBytes(StandardCharsets.UTF_8);
        RedisClient client = RedisClient.create(ClusterServices.REDIS);
        try (StatefulRedisConnection<byte[], byte[]> raw = client.connect(ByteArrayCodec.INSTANCE)) {
            assertThat(raw.sync().exists(key)).isEqualTo(1L);
            raw.sync().hset(key, field.getBytes(StandardCharsets.UTF_8), value);
        } finally {
            client.shutdown();
        }
    }

    private static void assertTheSessionIsNoneButANewLoginWorks(Browser browser, String user) {
        String cookie = "SESSION=" + browser.cookie("SESSION").orElseThrow();
        for (ParleyNode node : List.of(nodeA, nodeB)) {
            Browser.Response me = browser.get(node.baseUrl() + "/api/me");
            assertThat(me.status()).as("GET /api/me on %s", node.baseUrl()).isEqualTo(401);
            assertThat(me.field("error")).isEqualTo("unauthorized");
            assertThat(me.body()).doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(RawSocket.refusedStatus(node, b -> b.header("Cookie", cookie).header("Origin", node.baseUrl())))
                    .as("handshake on %s", node.baseUrl()).isEqualTo(401);
        }
        assertThat(browser.login(nodeB.baseUrl(), user, "correct horse").status()).isEqualTo(200);
        assertThat(browser.get(nodeA.baseUrl() + "/api/me").field("username")).isEqualTo(user);
    }

    @Test
    void healthHasRedisAndDatabaseContributors() {
        Browser.Response health = new Browser().loggedIn(nodeA.baseUrl(), "cs_admin", "correct horse").get(nodeA.baseUrl() + "/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("components").path("redis").path("status").asString()).isEqualTo("UP");
        assertThat(health.json().path("components").path("db").path("status").asString()).isEqualTo("UP");
        assertThat(health.json().path("components").path("db").path("details").path("database").asString()).isEqualTo("PostgreSQL");
    }
}
