package io.parley.server.connection;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.parley.protocol.CloseCodes;
import io.parley.server.support.Browser;
import io.parley.server.support.ProcessNode;
import io.parley.server.support.RawSocket;
import io.parley.server.support.RawSocket.Handshake;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a load balancer and a newcomer see of a draining node (a standalone node as a process, sent
 * SIGTERM while it holds one socket, with a long window so that the drain is observed): readiness
 * answers 503 at once while liveness stays 200; a new handshake gets 503 with {@code Retry-After: 1}
 * and a JSON body, counted as {@code reason="draining"}; the socket it holds keeps working until its
 * batch comes, and is then closed with 1012; the node exits.
 */
class DrainReadinessIT {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String ROOM = "drain-ready";

    static ProcessNode node;

    @BeforeAll
    static void start() {
        Path dataDir = Path.of(System.getProperty("basedir", ".")).resolve("target/drain-readiness-it-" + UUID.randomUUID());
        // One batch at the end of a 25 s window: the socket stays open while the test looks at the node.
        node = ProcessNode.start("drain-readiness-it", Map.of("parley.data-dir", dataDir.toString(),
                "parley.drain.window", "25s", "parley.drain.batches", "1", "parley.drain.grace", "2s",
                "parley.admins", "drain_bob")) // the metrics are for admins
                .awaitReady();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void aDrainingNodeIsNotReadyRefusesNewHandshakesWith503AndClosesItsSocketsWith1012() {
        Browser alice = new Browser().loggedIn(node.baseUrl(), "drain_alice", "correct horse");
        Browser bob = new Browser().loggedIn(node.baseUrl(), "drain_bob", "correct horse");
        RawSocket socket = RawSocket.open(node.baseUrl(), alice);
        socket.send("{\"type\":\"join\",\"room\":\"" + ROOM + "\"}");
        socket.await("joined");
        assertThat(bob.get(node.baseUrl() + "/actuator/health/readiness").status()).isEqualTo(200);

        node.terminate();

        await("readiness down").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> bob.get(node.baseUrl() + "/actuator/health/readiness").status() == 503);
        assertThat(bob.get(node.baseUrl() + "/actuator/health/liveness").status()).as("alive, only not ready").isEqualTo(200);

        Handshake refused = RawSocket.attempt(node.baseUrl(), bob);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.refusal().headers().firstValue("Retry-After")).hasValue("1");
        JsonNode body = JSON.readTree(String.valueOf(refused.refusal().body()));
        assertThat(body.path("error").asString()).isEqualTo("unavailable");
        assertThat(body.path("message").asString()).contains("shutting down");
        assertThat(bob.get(node.baseUrl() + "/actuator/prometheus").body())
                .containsPattern("parley_handshakes_total\\{[^}]*reason=\"draining\"[^}]*\\} 1\\.0");

        // The socket the node holds is served until its batch.
        String id = UUID.randomUUID().toString();
        socket.send("{\"type\":\"send\",\"room\":\"" + ROOM + "\",\"clientMsgId\":\"" + id + "\",\"text\":\"while draining\"}");
        assertThat(socket.await("sent", "clientMsgId", id).path("seq").asLong()).isEqualTo(1);

        assertThat(socket.closed()).succeedsWithin(Duration.ofSeconds(60)).isEqualTo(CloseCodes.SERVICE_RESTART);
        assertThat(node.awaitExit(Duration.ofSeconds(60))).as("exit status after a handled SIGTERM").isEqualTo(143);
        assertThat(node.log()).contains("Node drained in").contains("1 connections closed with 1012");
        socket.close();
    }
}
