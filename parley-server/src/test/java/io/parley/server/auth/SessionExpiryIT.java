package io.parley.server.auth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.parley.protocol.CloseCodes;
import io.parley.server.support.Browser;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import io.parley.server.support.StalledSocket;
import io.parley.server.support.TwoNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.session.SessionRepository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An HTTP session that expires closes the sockets opened with it, with 1008, on whichever node
 * they are; a socket that talks keeps its session alive. The session timeout is 3 s here and the
 * nodes check their sockets' sessions every 250 ms.
 */
class SessionExpiryIT {

    static final Duration TIMEOUT = Duration.ofSeconds(3);
    /** Expiry, plus a few check intervals, plus room for a loaded machine. */
    static final Duration CLOSED_WITHIN = TIMEOUT.plusSeconds(12);
    static final AtomicInteger users = new AtomicInteger();

    static Map<String, String> expiring(Map<String, String> properties) {
        Map<String, String> all = new LinkedHashMap<>(properties);
        all.put("spring.session.timeout", TIMEOUT.toSeconds() + "s");
        all.put("parley.session.check-interval", "250ms");
        return all;
    }

    static Browser user(ParleyNode node) {
        return new Browser().loggedIn(node.baseUrl(), "expiring_" + users.incrementAndGet(), "correct horse");
    }

    static String sessionId(Browser browser) {
        return new String(Base64.getDecoder().decode(browser.cookie("SESSION").orElseThrow()), StandardCharsets.UTF_8);
    }

    /** Waits until the store has let the session of {@code browser} expire, then replays its cookie in a handshake: 401, no upgrade. */
    static void assertAnExpiredSessionNeverUpgrades(ParleyNode issuer, ParleyNode handshakeNode, Browser browser) {
        String id = sessionId(browser);
        SessionRepository<?> sessions = issuer.bean(SessionRepository.class);
        await().atMost(CLOSED_WITHIN).pollInterval(Duration.ofMillis(200)).until(() -> sessions.findById(id) == null);
        String cookie = "SESSION=" + browser.cookie("SESSION").orElseThrow();
        assertThat(RawSocket.refusedStatus(handshakeNode, builder -> builder.header("Cookie", cookie)
                .header("Origin", handshakeNode.baseUrl()))).isEqualTo(401);
    }

    static void assertClosedBecauseTheSessionExpired(StalledSocket socket) {
        StalledSocket.Frame close = socket.readUntil(f -> f.isClose() || f.isEnd(), CLOSED_WITHIN);
        assertThat(close.closeCode()).isEqualTo(CloseCodes.POLICY_VIOLATION);
        assertThat(new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8)).isEqualTo("session expired");
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Standalone {

        ParleyNode node;

        @BeforeAll
        void start(@TempDir Path dataDir) {
            node = ParleyNode.start(expiring(Map.of("parley.data-dir", dataDir.toString())));
        }

        @AfterAll
        void stop() {
            if (node != null) {
                node.close();
            }
        }

        @Test
        void aSilentSocketIsClosedWith1008WhenItsSessionExpires() {
            Browser alice = user(node);
            try (StalledSocket socket = StalledSocket.open(node, alice)) {
                assertClosedBecauseTheSessionExpired(socket);
            }
            assertThat(alice.get(node.baseUrl() + "/api/me").status()).isEqualTo(401);
        }

        @Test
        void aHandshakeWithAnExpiredSessionsCookieIs401() {
            assertAnExpiredSessionNeverUpgrades(node, node, user(node));
        }

        @Test
        void aSocketThatSendsFramesKeepsItsSessionAliveBeyondTheTimeout() {
            Browser bob = user(node);
            String id = sessionId(bob);
            SessionRepository<?> sessions = node.bean(SessionRepository.class);
            ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor();
            try (StalledSocket socket = StalledSocket.open(node, bob)) {
                pinger.scheduleAtFixedRate(() -> socket.send("{\"type\":\"ping\",\"id\":\"keep\"}"), 0, 300, TimeUnit.MILLISECONDS);
                // Looking the session up does not touch it: only the socket's frames keep it.
                await().during(TIMEOUT.multipliedBy(2)).atMost(TIMEOUT.multipliedBy(3))
                        .until(() -> sessions.findById(id) != null);

                pinger.shutdownNow();
                assertThat(pinger.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
                // Silent from now on: the session runs out and takes the socket with it.
                assertClosedBecauseTheSessionExpired(socket);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                pinger.shutdownNow();
            }
            assertThat(sessions.findById(id)).isNull();
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Cluster {

        TwoNodes cluster;
        ParleyNode nodeA;
        ParleyNode nodeB;

        @BeforeAll
        void start() {
            cluster = TwoNodes.start(expiring(Map.of()));
            nodeA = cluster.a();
            nodeB = cluster.b();
        }

        @AfterAll
        void stop() {
            if (cluster != null) {
                cluster.close();
            }
        }

        @Test
        void aSessionMadeOnNodeAThatExpiresClosesItsSocketOnNodeBWith1008() {
            Browser carol = user(nodeA);
            try (StalledSocket onB = StalledSocket.open(nodeB, carol)) {
                assertClosedBecauseTheSessionExpired(onB);
            }
            assertThat(carol.get(nodeA.baseUrl() + "/api/me").status()).isEqualTo(401);
            assertThat(carol.get(nodeB.baseUrl() + "/api/me").status()).isEqualTo(401);
        }

        @Test
        void aSessionMadeOnNodeAThatExpiredNeverUpgradesOnNodeB() {
            assertAnExpiredSessionNeverUpgrades(nodeA, nodeB, user(nodeA));
        }
    }
}
