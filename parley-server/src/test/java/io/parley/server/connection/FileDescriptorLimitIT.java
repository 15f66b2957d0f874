package io.parley.server.connection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.parley.server.support.Browser;
import io.parley.server.support.ClusterServices;
import io.parley.server.support.ProcessNode;
import io.parley.server.support.RawSocket;
import io.parley.server.support.RawSocket.Handshake;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A cluster node started from a shell with {@code ulimit -n 256}, with its defaults: sockets are
 * opened until the node refuses one, and it refuses politely (503, {@code Retry-After}) well before
 * it runs out of descriptors; its database and Redis keep working all along (each check commits a
 * message, which publishes it on Redis, and reads the room's history over HTTP, whose session is in
 * Redis); its log never says "Too many open files"; once the sockets are closed it serves as before.
 */
class FileDescriptorLimitIT {

    static final int FILE_LIMIT = 256;
    static final String ROOM = "descriptors";

    static ClusterServices services;
    static ProcessNode node;
    static final List<Browser> users = new ArrayList<>();

    @BeforeAll
    static void start() {
        services = new ClusterServices();
        node = ProcessNode.startWithFileLimit("fd-limit-it", services.nodeProperties(), FILE_LIMIT)
                .awaitReady();
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
        services.close();
    }

    /** A user for the {@code n}th socket: ten sockets each, the default per-user cap. */
    static Browser userFor(int n) {
        while (users.size() <= n / 10) {
            users.add(new Browser().loggedIn(node.baseUrl(), "fd_" + users.size(), "correct horse"));
        }
        return users.get(n / 10);
    }

    /** Commits a message (the database, then Redis pub/sub) and reads it back over HTTP (a Redis session). */
    static void assertDatabaseAndRedisWork(RawSocket sender, Browser senderUser) {
        String id = UUID.randomUUID().toString();
        sender.send("{\"type\":\"send\",\"room\":\"" + ROOM + "\",\"clientMsgId\":\"" + id + "\",\"text\":\"check " + id + "\"}");
        long seq = sender.await("sent", "clientMsgId", id).path("seq").asLong();
        sender.await(f -> "message".equals(f.path("type").asString()) && f.path("seq").asLong() == seq);
        Browser.Response history = senderUser.get(node.baseUrl() + "/api/rooms/" + ROOM + "/messages?after=" + (seq - 1));
        assertThat(history.status()).isEqualTo(200);
        assertThat(history.body()).contains("check " + id);
    }

    @Test
    void openingSocketsUntilRefusedNeverRunsTheNodeOutOfDescriptors() {
        Browser senderUser = new Browser().loggedIn(node.baseUrl(), "fd_sender", "correct horse");
        List<RawSocket> open = new ArrayList<>();
        try (RawSocket sender = RawSocket.open(node.baseUrl(), senderUser)) {
            sender.send("{\"type\":\"join\",\"room\":\"" + ROOM + "\"}");
            sender.await("joined");
            assertDatabaseAndRedisWork(sender, senderUser);

            Handshake refused = null;
            for (int n = 0; n < FILE_LIMIT && refused == null; n++) {
                Handshake handshake = RawSocket.attempt(node.baseUrl(), userFor(n));
                if (handshake.opened()) {
                    open.add(handshake.socket());
                    if (open.size() % 25 == 0) {
                        assertDatabaseAndRedisWork(sender, senderUser);
                    }
                }
                else {
                    refused = handshake;
                }
            }
            System.out.printf("ulimit -n %d: %d sockets opened, then %d%n", FILE_LIMIT, open.size(),
                    refused == null ? -1 : refused.status());
            assertThat(refused).as("a refusal within %d handshakes", FILE_LIMIT).isNotNull();
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.refusal().headers().firstValue("Retry-After")).isPresent();
            assertThat(open.size()).as("sockets held before refusing").isGreaterThan(FILE_LIMIT / 2);
            assertDatabaseAndRedisWork(sender, senderUser);
            assertThat(RawSocket.attempt(node.baseUrl(), userFor(0)).status()).as("still full").isEqualTo(503);

            open.forEach(RawSocket::close);
            open.clear();
            Browser late = new Browser().loggedIn(node.baseUrl(), "fd_late", "correct horse");
            RawSocket[] reopened = new RawSocket[1];
            await("a handshake accepted once the sockets closed").atMost(Duration.ofSeconds(30)).until(() -> {
                Handshake again = RawSocket.attempt(node.baseUrl(), late);
                reopened[0] = again.socket();
                return again.opened();
            });
            try (RawSocket after = reopened[0]) {
                after.send("{\"type\":\"join\",\"room\":\"" + ROOM + "\"}");
                after.await("joined");
                assertDatabaseAndRedisWork(sender, senderUser);
                assertThat(after.await("message").path("room").asString()).isEqualTo(ROOM);
            }
        } finally {
            open.forEach(RawSocket::close);
        }
        assertThat(node.isAlive()).isTrue();
        assertThat(node.log()).doesNotContainIgnoringCase("Too many open files");
    }
}
