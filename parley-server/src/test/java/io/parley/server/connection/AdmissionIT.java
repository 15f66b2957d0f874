package io.parley.server.connection;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import io.parley.server.support.RawSocket.Handshake;
import org.apache.coyote.AbstractProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Admission control on a real node with {@code parley.connections.max=50} and at most 5 sockets per
 * user: handshakes beyond either limit are refused before any upgrade, with a status that says
 * which, {@code Retry-After} and a JSON body; the sockets already open keep working; closing some
 * makes room again.
 */
class AdmissionIT {

    static final int MAX = 50;
    static final int PER_USER = 5;
    static final JsonMapper JSON = JsonMapper.builder().build();

    static ParleyNode node;
    static List<Browser> users = new ArrayList<>();
    final List<RawSocket> open = new ArrayList<>();

    @BeforeAll
    static void start(@TempDir Path dataDir) {
        node = ParleyNode.start(Map.of("parley.data-dir", dataDir.toString(),
                "parley.connections.max", Integer.toString(MAX),
                "parley.connections.max-per-user", Integer.toString(PER_USER),
                "parley.connections.retry-after", "7s"));
        for (int i = 0; i < 13; i++) {
            users.add(new Browser().loggedIn(node.baseUrl(), "admitted_" + i, "correct horse"));
        }
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @AfterEach
    void closeAll() {
        open.forEach(RawSocket::close);
        open.clear();
        await().atMost(Duration.ofSeconds(20)).until(() -> node.bean(Connections.class).count() == 0);
    }

    Handshake attempt(Browser user) {
        Handshake handshake = RawSocket.attempt(node, user);
        if (handshake.opened()) {
            open.add(handshake.socket());
        }
        return handshake;
    }

    static void assertRefused(Handshake handshake, int status, String error) {
        assertThat(handshake.status()).isEqualTo(status);
        assertThat(handshake.refusal().headers().firstValue("Retry-After")).hasValue("7");
        JsonNode body = JSON.readTree(String.valueOf(handshake.refusal().body()));
        assertThat(body.path("error").asString()).isEqualTo(error);
        assertThat(body.path("message").asString()).isNotBlank().doesNotContain("Exception");
    }

    double refused(String reason) {
        return node.bean(MeterRegistry.class).get("parley.handshakes").tag("result", "refused").tag("reason", reason)
                .counter().count();
    }

    /**
     * Tomcat's own limit is the one derived from the descriptor limit, not Spring Boot's default of
     * 8,192 ({@code server.tomcat.max-connections}), which Boot applies with a connector customizer
     * of its own: connection 8,193 onwards would otherwise hang unanswered in the accept queue.
     */
    @Test
    void tomcatAcceptsAsManyConnectionsAsTheDescriptorLimitAllows() {
        TomcatWebServer webServer = (TomcatWebServer) ((WebServerApplicationContext) node.context()).getWebServer();
        AbstractProtocol<?> protocol = (AbstractProtocol<?>) webServer.getTomcat().getConnector().getProtocolHandler();
        assertThat(protocol.getMaxConnections()).isEqualTo(Admission.containerMaxConnections(FileDescriptors.limit()));
        if (FileDescriptors.limit() >= 10_000) {
            assertThat(protocol.getMaxConnections()).isGreaterThan(8_192);
        }
    }

    @Test
    void handshakesBeyondTheConnectionLimitGet503WithRetryAfterAndTheOpenOnesKeepWorking() {
        double refusedBefore = refused("connection_limit");
        // 60 handshakes from 12 users, 5 each: only the node-wide limit can refuse them.
        List<Handshake> outcomes = IntStream.range(0, 60).mapToObj(i -> attempt(users.get(i % 12))).toList();

        assertThat(outcomes.stream().filter(Handshake::opened)).hasSize(MAX);
        MeterRegistry meters = node.bean(MeterRegistry.class);
        assertThat(meters.get("parley.connections.open").gauge().value()).isEqualTo(MAX);
        assertThat(meters.get("parley.connections.users").gauge().value()).isEqualTo(12);
        assertThat(meters.get("process.files.open").gauge().value()).isGreaterThan(MAX);
        List<Handshake> refusedOnes = outcomes.stream().filter(h -> !h.opened()).toList();
        assertThat(refusedOnes).hasSize(10);
        refusedOnes.forEach(h -> assertRefused(h, 503, "unavailable"));
        assertThat(refused("connection_limit") - refusedBefore).isEqualTo(10);

        for (RawSocket socket : open) {
            socket.send("{\"type\":\"ping\",\"id\":\"still\"}");
        }
        for (RawSocket socket : open) {
            assertThat(socket.await("pong", "id", "still")).isNotNull();
        }

        List<RawSocket> leaving = new ArrayList<>(open.subList(0, 10));
        leaving.forEach(RawSocket::close);
        open.removeAll(leaving);
        await().atMost(Duration.ofSeconds(20)).until(() -> node.bean(Connections.class).count() == MAX - 10);

        List<Handshake> again = IntStream.range(0, 10).mapToObj(i -> attempt(users.get(i))).toList();
        assertThat(again).allMatch(Handshake::opened);
        assertRefused(attempt(users.get(12)), 503, "unavailable");
    }

    @Test
    void aUsersSocketBeyondThePerUserCapGets429UntilOneCloses() {
        Browser user = users.get(12);
        for (int i = 0; i < PER_USER; i++) {
            assertThat(attempt(user).opened()).isTrue();
        }
        assertRefused(attempt(user), 429, "rate_limited");
        assertThat(attempt(users.get(0)).opened()).as("another user is not affected").isTrue();

        RawSocket first = open.remove(0);
        first.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> node.bean(Connections.class).countOf("admitted_12") == PER_USER - 1);
        assertThat(attempt(user).opened()).isTrue();
    }
}
