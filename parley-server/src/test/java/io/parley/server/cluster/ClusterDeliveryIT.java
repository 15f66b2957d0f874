package io.parley.server.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.server.support.Browser;
import io.parley.server.support.ClusterServices;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three cluster nodes in this JVM on the real Redis and PostgreSQL: room delivery across nodes,
 * presence across nodes, and logout closing a session's sockets on other nodes. Sockets are bare
 * ({@link RawSocket}), so a duplicate sent by the server would be seen.
 */
class ClusterDeliveryIT {

    static final int ROOMS = 5;
    static final int CLIENTS = 30;
    static final int MESSAGES_PER_CLIENT = 100;

    static ClusterServices services;
    static final List<ParleyNode> nodes = new ArrayList<>();

    @BeforeAll
    static void start() {
        services = new ClusterServices();
        for (int i = 0; i < 3; i++) {
            Map<String, String> properties = new HashMap<>(services.nodeProperties());
            properties.put("parley.node-id", "node-" + i);
            properties.put("parley.cluster.heartbeat-interval", "200ms");
            properties.put("parley.cluster.node-ttl", "1s");
            properties.put("parley.websocket.frames-per-second", "100000");
            properties.put("parley.websocket.frame-burst", "100000");
            nodes.add(ParleyNode.start(properties));
        }
    }

    @AfterAll
    static void stop() {
        nodes.forEach(ParleyNode::close);
        services.close();
    }

    static Browser user(String name, ParleyNode node) {
        return new Browser().loggedIn(node.baseUrl(), name, "correct horse");
    }

    static RawSocket connect(Browser browser, ParleyNode node) {
        RawSocket socket = RawSocket.open(node, browser);
        socket.await("welcome");
        return socket;
    }

    static void join(RawSocket socket, String room) {
        socket.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
        socket.await("joined", "room", room);
    }

    static double counter(ParleyNode node, String name, String... tags) {
        var counter = node.bean(MeterRegistry.class).find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    static Timer lag(ParleyNode node) {
        return node.bean(MeterRegistry.class).get("parley.bus.lag").timer();
    }

    static double sum(String name, String... tags) {
        return nodes.stream().mapToDouble(node -> counter(node, name, tags)).sum();
    }

    static long redisPublishCalls() {
        String stats = services.redis().info("commandstats");
        for (String line : stats.split("\r?\n")) {
            if (line.startsWith("cmdstat_publish:")) {
                return Long.parseLong(line.replaceAll("^cmdstat_publish:calls=(\\d+),.*", "$1"));
            }
        }
        return 0;
    }

    @Test
    void everyClientReceivesEveryMessageOfItsRoomExactlyOnceInSeqOrderAndPublishesDoNotGrowWithRecipients() throws Exception {
        List<RawSocket> sockets = new ArrayList<>();
        List<String> roomOf = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            ParleyNode node = nodes.get(i % nodes.size());
            RawSocket socket = connect(user("load_" + i, node), node);
            String room = "load-" + (i % ROOMS);
            join(socket, room);
            sockets.add(socket);
            roomOf.add(room);
        }
        double publishedBefore = sum("parley.bus.published");
        double messagesPublishedBefore = sum("parley.bus.published", "kind", "message");
        long redisPublishesBefore = redisPublishCalls();

        Map<String, Set<String>> sentIds = new HashMap<>();
        long start = System.nanoTime();
        ExecutorService senders = Executors.newFixedThreadPool(6);
        List<Future<List<String>>> sends = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            RawSocket socket = sockets.get(i);
            String room = roomOf.get(i);
            sends.add(senders.submit(() -> {
                List<String> ids = new ArrayList<>();
                for (int m = 0; m < MESSAGES_PER_CLIENT; m++) {
                    String id = UUID.randomUUID().toString();
                    ids.add(id);
                    socket.send("{\"type\":\"send\",\"room\":\"" + room + "\",\"clientMsgId\":\"" + id + "\",\"text\":\"m" + m + "\"}");
                }
                return ids;
            }));
        }
        for (int i = 0; i < CLIENTS; i++) {
            sentIds.computeIfAbsent(roomOf.get(i), r -> new HashSet<>()).addAll(sends.get(i).get());
        }
        senders.shutdown();

        long perRoom = (long) MESSAGES_PER_CLIENT * CLIENTS / ROOMS;
        await().atMost(Duration.ofSeconds(60)).until(() -> sockets.stream().allMatch(s -> s.frames("message").size() >= perRoom
                && s.frames("sent").size() == MESSAGES_PER_CLIENT));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        for (int i = 0; i < CLIENTS; i++) {
            List<JsonNode> messages = sockets.get(i).frames("message");
            String room = roomOf.get(i);
            assertThat(messages).as("client %d", i).allMatch(m -> room.equals(m.path("room").asString()));
            List<Long> seqs = messages.stream().map(m -> m.path("seq").asLong()).toList();
            assertThat(seqs).as("seqs received by client %d", i).containsExactlyElementsOf(LongStream.rangeClosed(1, perRoom).boxed().toList());
            Set<String> ids = new HashSet<>();
            messages.forEach(m -> ids.add(m.path("clientMsgId").asString()));
            assertThat(ids).as("messages received by client %d", i).isEqualTo(sentIds.get(roomOf.get(i)));
            assertThat(sockets.get(i).frames("error")).isEmpty();
        }

        long messages = (long) CLIENTS * MESSAGES_PER_CLIENT;
        long deliveries = messages * CLIENTS / ROOMS;
        double messagePublishes = sum("parley.bus.published", "kind", "message") - messagesPublishedBefore;
        double allPublishes = sum("parley.bus.published") - publishedBefore;
        long redisPublishes = redisPublishCalls() - redisPublishesBefore;
        System.out.printf("ClusterDeliveryIT: %d messages, %d deliveries in %d ms, %.0f bus publishes (%.0f of messages), %d Redis PUBLISH calls;"
                + " %.0f reads from the log filled %.0f messages; bus lag max %.0f ms, mean %.1f ms%n", messages, deliveries, elapsedMillis,
                allPublishes,
                messagePublishes, redisPublishes, sum("parley.chat.gap.fills"), sum("parley.chat.gap.messages"),
                nodes.stream().mapToDouble(n -> lag(n).max(TimeUnit.MILLISECONDS)).max().orElse(0),
                nodes.stream().mapToDouble(n -> lag(n).mean(TimeUnit.MILLISECONDS)).average().orElse(0));
        assertThat(messagePublishes).isEqualTo(messages);
        assertThat(allPublishes).isLessThan(messages + 100);
        // The whole Redis server, other tenants included: bounded by messages, far below deliveries.
        assertThat(redisPublishes).isBetween(messages, 2 * messages);
        sockets.forEach(RawSocket::close);
    }

    @Test
    void usersOnDifferentNodesSeeEachOtherOnlineAndTwoConnectionsOnTwoNodesCountOnceUntilBothClose() {
        String room = "presence-" + UUID.randomUUID().toString().substring(0, 8);
        try (RawSocket alice = connect(user("alice", nodes.get(0)), nodes.get(0));
                RawSocket bob = connect(user("bob", nodes.get(1)), nodes.get(1))) {
            join(alice, room);
            join(bob, room);
            alice.awaitOnline(room, List.of("alice", "bob"));
            bob.awaitOnline(room, List.of("alice", "bob"));

            Browser carol = user("carol", nodes.get(1));
            RawSocket carolOnNode1 = connect(carol, nodes.get(1));
            RawSocket carolOnNode2 = connect(carol, nodes.get(2));
            join(carolOnNode1, room);
            join(carolOnNode2, room);
            alice.awaitOnline(room, List.of("alice", "bob", "carol"));
            assertThat(services.redis().smembers(services.prefix() + ":registry:user:carol")).containsExactlyInAnyOrder("node-1", "node-2");

            carolOnNode1.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> services.redis().smembers(services.prefix() + ":registry:user:carol")
                    .equals(Set.of("node-2")));
            // A later change reaches alice; carol is still online in it.
            RawSocket dave = connect(user("dave", nodes.get(2)), nodes.get(2));
            join(dave, room);
            alice.awaitOnline(room, List.of("alice", "bob", "carol", "dave"));
            assertThat(services.redis().hkeys(services.prefix() + ":registry:presence:" + room)).contains("carol");

            carolOnNode2.close();
            alice.awaitOnline(room, List.of("alice", "bob", "dave"));
            bob.awaitOnline(room, List.of("alice", "bob", "dave"));
            assertThat(services.redis().exists(services.prefix() + ":registry:user:carol")).isZero();
            dave.close();
        }
    }

    @Test
    void logoutOnANodeWithoutTheUsersSocketsClosesThemOnTheNodesThatHoldThemOnly() {
        Browser erin = user("erin", nodes.get(0));
        Browser erinElsewhere = user("erin", nodes.get(1));
        try (RawSocket onNode0 = connect(erin, nodes.get(0)); RawSocket onNode1 = connect(erin, nodes.get(1));
                RawSocket otherSession = connect(erinElsewhere, nodes.get(1))) {
            double nodeEventsBefore = counter(nodes.get(2), "parley.bus.published", "kind", "node");

            assertThat(erin.post(nodes.get(2).baseUrl() + "/api/logout", "{}").status()).isEqualTo(204);

            assertThat(onNode0.closed()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(1008);
            assertThat(onNode1.closed()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(1008);
            // Published to the nodes holding erin's sockets at most, not to every node. The session's
            // deletion from Redis also reaches each node as Spring Session's destroyed event, which may close
            // a node's socket, and clear that node from the registry, before the logout's sends are routed.
            assertThat(counter(nodes.get(2), "parley.bus.published", "kind", "node") - nodeEventsBefore).isBetween(0.0, 2.0);
            otherSession.send("{\"type\":\"ping\",\"id\":\"still-here\"}");
            assertThat(otherSession.await("pong", "id", "still-here")).isNotNull();
            assertThat(otherSession.isOpen()).isTrue();
        }
    }
}
