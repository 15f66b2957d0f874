package io.parley.server.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.ProcessNode;
import io.parley.server.support.RawSocket;
import io.parley.server.support.TwoNodes;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two cluster nodes on a Redis that speaks TLS only and requires an ACL user (its {@code default}
 * user is off): a {@code rediss://user:password@host:port} URL and a PEM trust bundle
 * ({@code spring.data.redis.ssl.bundle}) reach it, for the HTTP session store (Spring Boot's
 * connection) and for the bus and registry (Parley's own client) alike. The Redis is started here,
 * from the machine's {@code redis-server}, with a throw-away self-signed certificate ({@code openssl});
 * the password is a test value, not a secret.
 */
class RedisCredentialsIT {

    static final String USER = "parley_node";
    static final String PASSWORD = "test-only-password";

    @TempDir
    static Path dir;

    static Process redis;
    static int port;
    static TwoNodes cluster;

    @BeforeAll
    static void start() throws Exception {
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", dir.resolve("key.pem").toString(),
                "-out", dir.resolve("cert.pem").toString());
        port = ProcessNode.freePort();
        redis = new ProcessBuilder("redis-server", "--port", "0", "--tls-port", String.valueOf(port), "--bind", "127.0.0.1",
                "--tls-cert-file", dir.resolve("cert.pem").toString(), "--tls-key-file", dir.resolve("key.pem").toString(),
                "--tls-ca-cert-file", dir.resolve("cert.pem").toString(), "--tls-auth-clients", "no",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                "--user", "default", "off", "--user", USER, "on", ">" + PASSWORD, "~*", "&*", "+@all")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(dir.resolve("redis.log")).contains("Ready to accept"));
        cluster = TwoNodes.start(Map.of(
                "spring.data.redis.url", "rediss://" + USER + ":" + PASSWORD + "@127.0.0.1:" + port,
                "spring.data.redis.ssl.bundle", "redis",
                "spring.ssl.bundle.pem.redis.truststore.certificate", "file:" + dir.resolve("cert.pem")));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (cluster != null) {
            cluster.close();
        }
        if (redis != null) {
            redis.destroy();
            redis.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void sessionsAndTheBusWorkOverTlsWithAnAclUser() throws IOException {
        ParleyNode a = cluster.a();
        ParleyNode b = cluster.b();
        Browser alice = new Browser().loggedIn(a.baseUrl(), "alice", "correct horse");
        Browser bob = new Browser().loggedIn(b.baseUrl(), "bob", "correct horse");
        // The session store: a login on A is valid on B.
        assertThat(alice.get(b.baseUrl() + "/api/me").field("username")).isEqualTo("alice");

        String room = "tls-" + UUID.randomUUID().toString().substring(0, 6);
        try (RawSocket onA = RawSocket.open(a, alice); RawSocket onB = RawSocket.open(b, bob)) {
            onA.await("welcome");
            onB.await("welcome");
            for (RawSocket socket : List.of(onA, onB)) {
                socket.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
                socket.await("joined", "room", room);
            }
            // The bus: a message sent on A reaches B's socket.
            onA.send("{\"type\":\"send\",\"room\":\"" + room + "\",\"clientMsgId\":\"" + UUID.randomUUID() + "\",\"text\":\"over tls\"}");
            assertThat(onB.await("message", "text", "over tls").path("from").asString()).isEqualTo("alice");
        }
        // Nothing of this cluster went to the machine's plaintext Redis (ClusterServices' default).
        assertThat(cluster.services().redis().keys(cluster.services().prefix() + ":*")).isEmpty();
        assertThat(Files.readString(dir.resolve("redis.log"))).doesNotContain("Error accepting a client connection");
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }
}
