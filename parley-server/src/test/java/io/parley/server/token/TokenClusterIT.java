package io.parley.server.token;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.parley.protocol.CloseCodes;
import io.parley.server.support.Browser;
import io.parley.server.support.ClusterServices;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import io.parley.server.support.TokenClient;
import io.parley.server.support.TwoNodes;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two cluster nodes on the real Redis and PostgreSQL, no key configured: the first node generates
 * the key pair into the database and the second uses it; a token issued by one node works on the
 * other with no Spring Session key in Redis; refresh-token reuse on one node closes the family's
 * sockets on both.
 */
class TokenClusterIT {

    private static final String PASSWORD = "correct horse";

    static TwoNodes cluster;
    static ClusterServices services;
    static ParleyNode nodeA;
    static ParleyNode nodeB;
    final TokenClient tokens = new TokenClient();

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

    private static List<String> sessionKeys() {
        ScanIterator<String> keys = ScanIterator.scan(services.redis(), ScanArgs.Builder.matches(services.prefix() + ":session:*").limit(500));
        List<String> found = new ArrayList<>();
        keys.forEachRemaining(found::add);
        return found;
    }

    @Test
    void bothNodesSignAndPublishTheOneKeyStoredInTheDatabase() {
        String kid = nodeA.bean(SigningKeys.class).signing().getKeyID();
        assertThat(nodeB.bean(SigningKeys.class).signing().getKeyID()).isEqualTo(kid);
        Browser.Response jwksA = new Browser().get(nodeA.baseUrl() + "/.well-known/jwks.json");
        Browser.Response jwksB = new Browser().get(nodeB.baseUrl() + "/.well-known/jwks.json");
        assertThat(jwksA.body()).isEqualTo(jwksB.body()).contains(kid);
    }

    @Test
    void aTokenIssuedByOneNodeOpensASocketOnTheOtherWithNoSessionInRedis() {
        String access = tokens.signedUp(nodeA.baseUrl(), "tokenuser", PASSWORD).field("accessToken");

        assertThat(tokens.get(nodeB.baseUrl() + "/api/me", access).field("username")).isEqualTo("tokenuser");
        assertThat(tokens.get(nodeB.baseUrl() + "/api/rooms", access).status()).isEqualTo(200);
        try (RawSocket socket = RawSocket.openWithBearer(nodeB, access)) {
            socket.send("{\"type\":\"join\",\"room\":\"token-room\"}");
            socket.await("joined", "room", "token-room");
            assertThat(socket.frames("welcome").get(0).path("user").asString()).isEqualTo("tokenuser");
            assertThat(sessionKeys()).as("Spring Session keys in Redis").isEmpty();
        }
    }

    @Test
    void reusingARefreshTokenOnOneNodeClosesTheFamilysSocketsOnBoth() {
        Browser.Response first = tokens.signedUp(nodeA.baseUrl(), "reuser", PASSWORD);
        Browser.Response second = tokens.refresh(nodeB.baseUrl(), first.field("refreshToken"));
        assertThat(second.status()).isEqualTo(200);
        try (RawSocket onA = RawSocket.openWithBearer(nodeA, first.field("accessToken"));
                RawSocket onB = RawSocket.openWithBearer(nodeB, second.field("accessToken"))) {
            onA.await("welcome");
            onB.await("welcome");
            // Wait until the registry knows both connections: the revocation is sent to the nodes it names.
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> nodeA.bean(io.parley.server.cluster.Registry.class)
                    .nodesOf("reuser").size() == 2);

            Browser.Response reuse = tokens.refresh(nodeB.baseUrl(), first.field("refreshToken"));
            assertThat(reuse.status()).isEqualTo(401);
            assertThat(reuse.field("error")).isEqualTo("refresh_token_reused");

            assertThat(onA.closed()).succeedsWithin(Duration.ofSeconds(20)).isEqualTo(CloseCodes.POLICY_VIOLATION);
            assertThat(onB.closed()).succeedsWithin(Duration.ofSeconds(20)).isEqualTo(CloseCodes.POLICY_VIOLATION);
            assertThat(tokens.refresh(nodeA.baseUrl(), second.field("refreshToken")).field("error")).isEqualTo("invalid_refresh_token");
        }
    }
}
