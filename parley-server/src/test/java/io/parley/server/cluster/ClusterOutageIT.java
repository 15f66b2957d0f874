package io.parley.server.cluster;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import io.lettuce.core.KillArgs;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.client.ParleyClient;
import io.parley.client.ParleyHttp;
import io.parley.protocol.ServerFrame;
import io.parley.server.support.Browser;
import io.parley.server.support.ClusterServices;
import io.parley.server.support.ParleyNode;
import io.parley.server.support.RawSocket;
import io.parley.server.support.TcpProxy;
import io.parley.server.support.TokenClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two cluster nodes whose Redis connections go through a {@link TcpProxy}: pub/sub connections killed
 * with {@code CLIENT KILL} while clients send, Redis taken away altogether, and PostgreSQL refusing
 * connections. Nothing acknowledged is lost; local delivery never stops while Redis is away; health
 * shows the outage while readiness does not; nothing unstored is acknowledged or delivered.
 */
class ClusterOutageIT {

    static ClusterServices services;
    static TcpProxy redisProxy;
    static final List<ParleyNode> nodes = new ArrayList<>();

    @BeforeAll
    static void start() {
        services = new ClusterServices();
        redisProxy = new TcpProxy("127.0.0.1", 6379);
        for (int i = 0; i < 2; i++) {
            Map<String, String> properties = new HashMap<>(services.nodeProperties());
            properties.put("spring.data.redis.url", "redis://127.0.0.1:" + redisProxy.port());
            properties.put("parley.node-id", "node-" + i);
            properties.put("parley.admins", "outage_admin");
            properties.put("parley.cluster.heartbeat-interval", "200ms");
            properties.put("parley.cluster.node-ttl", "1s");
            properties.put("parley.cluster.room-check-interval", "5s");
            properties.put("spring.datasource.hikari.connection-timeout", "1000");
            properties.put("parley.websocket.frames-per-second", "100000");
            properties.put("parley.websocket.frame-burst", "100000");
            nodes.add(ParleyNode.start(properties));
        }
    }

    @AfterAll
    static void stop() {
        nodes.forEach(ParleyNode::close);
        redisProxy.close();
        services.close();
    }

    static double counter(ParleyNode node, String name) {
        return node.bean(MeterRegistry.class).get(name).counter().count();
    }

    /** Kills the bus subscriber connections of this test's nodes (CLIENT KILL, by id: other tenants share this Redis). */
    /**
     * Kills each node's pub/sub connection, once both are there: after an earlier kill a node may
     * still be reconnecting (and naming its new connection), which on a loaded machine can outlast
     * the rounds in between.
     */
    static int killSubscribers() {
        await("a named subscriber connection of each node").atMost(Duration.ofSeconds(20))
                .until(() -> subscriberIds().size() == nodes.size());
        int killed = 0;
        for (long id : subscriberIds()) {
            killed += (int) services.redis().clientKill(KillArgs.Builder.typePubsub().id(id)).longValue();
        }
        return killed;
    }

    static List<Long> subscriberIds() {
        List<Long> ids = new ArrayList<>();
        for (String line : services.redis().clientList().split("\n")) {
            if (line.contains(" name=" + services.prefix() + ":") && line.contains(":bus-subscriber ")) {
                ids.add(Long.parseLong(line.replaceAll("^id=(\\d+) .*", "$1").trim()));
            }
        }
        return ids;
    }

    record Member(String user, String room, ParleyClient client, List<ServerFrame.Message> received) {
    }

    @Test
    void pubSubConnectionsKilledWhileClientsSendLoseNoAckedMessage() {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ParleyNode node = nodes.get(i % 2);
            String user = "kill_" + i;
            ParleyHttp http = new ParleyHttp(URI.create(node.baseUrl()));
            http.signup(user, "correct horse");
            http.login(user, "correct horse");
            ParleyClient client = http.clientBuilder().build();
            List<ServerFrame.Message> received = new CopyOnWriteArrayList<>();
            client.onFrame(frame -> {
                if (frame instanceof ServerFrame.Message message) {
                    received.add(message);
                }
            });
            client.connect().join();
            String room = "kill-" + (i / 2 % 2);
            client.join(room).join();
            members.add(new Member(user, room, client, received));
        }
        double resubscriptionsBefore = nodes.stream().mapToDouble(n -> counter(n, "parley.bus.resubscriptions")).sum();
        double filledBefore = nodes.stream().mapToDouble(n -> counter(n, "parley.chat.gap.messages")).sum();

        Map<String, Set<UUID>> acked = new ConcurrentHashMap<>();
        int killed = 0;
        for (int round = 0; round < 60; round++) {
            if (round == 15 || round == 35) {
                killed += killSubscribers();
            }
            List<CompletableFuture<Long>> sends = new ArrayList<>();
            for (Member member : members) {
                UUID id = UUID.randomUUID();
                sends.add(member.client().send(member.room(), id, "round " + round).thenApply(seq -> {
                    acked.computeIfAbsent(member.room(), r -> ConcurrentHashMap.newKeySet()).add(id);
                    return seq;
                }));
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
        }
        assertThat(killed).as("subscriber connections killed").isEqualTo(4);

        for (Member member : members) {
            await(member.user() + " received every acked message").atMost(Duration.ofSeconds(20)).until(() -> member.received().stream()
                    .map(ServerFrame.Message::clientMsgId).collect(Collectors.toSet()).containsAll(acked.get(member.room())));
            List<UUID> ids = member.received().stream().map(ServerFrame.Message::clientMsgId).toList();
            assertThat(new HashSet<>(ids)).hasSameSizeAs(ids);
            assertThat(member.received().stream().map(ServerFrame.Message::seq).toList())
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, ids.size()).boxed().toList());
        }
        // Every message may arrive from the log before the last subscriber connection is back: a
        // resubscription is counted when it completes, so wait for it rather than read it once.
        int killedConnections = killed;
        await("a resubscription for each killed subscriber connection").atMost(Duration.ofSeconds(20)).until(() ->
                nodes.stream().mapToDouble(n -> counter(n, "parley.bus.resubscriptions")).sum() - resubscriptionsBefore >= killedConnections);
        double resubscriptions = nodes.stream().mapToDouble(n -> counter(n, "parley.bus.resubscriptions")).sum() - resubscriptionsBefore;
        double filled = nodes.stream().mapToDouble(n -> counter(n, "parley.chat.gap.messages")).sum() - filledBefore;
        System.out.printf("ClusterOutageIT: %d subscriber connections killed, %.0f resubscriptions, %.0f messages delivered from the log,"
                + " %d acked, none missing%n", killed, resubscriptions, filled, acked.values().stream().mapToInt(Set::size).sum());
        assertThat(resubscriptions).isGreaterThanOrEqualTo(4);
        members.forEach(member -> member.client().close());
    }

    @Test
    void withRedisDownLocalDeliveryAndWritesGoOnHealthShowsItReadinessDoesNotAndTheOtherNodeCatchesUp() {
        String room = "outage-" + UUID.randomUUID().toString().substring(0, 8);
        ParleyNode a = nodes.get(0);
        ParleyNode b = nodes.get(1);
        try (RawSocket alice = connect("out_alice", a); RawSocket carol = connect("out_carol", a); RawSocket bob = connect("out_bob", b)) {
            for (RawSocket socket : List.of(alice, carol, bob)) {
                socket.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
                socket.await("joined", "room", room);
            }
            // Health details are for admins; a session lives in Redis, so during the outage the admin uses a token.
            String adminToken = new TokenClient().signedUp(a.baseUrl(), "outage_admin", "correct horse").field("accessToken");
            redisProxy.cut();
            try {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    String id = UUID.randomUUID().toString();
                    ids.add(id);
                    alice.send("{\"type\":\"send\",\"room\":\"" + room + "\",\"clientMsgId\":\"" + id + "\",\"text\":\"during the outage\"}");
                }
                for (String id : ids) {
                    alice.await("sent", "clientMsgId", id);
                    carol.await("message", "clientMsgId", id);
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> new Browser().get(a.baseUrl() + "/actuator/health").status() == 503);
                JsonNode health = new TokenClient().get(a.baseUrl() + "/actuator/health", adminToken).json();
                assertThat(health.path("components").path("bus").path("status").asString()).isEqualTo("DOWN");
                assertThat(health.path("components").path("db").path("status").asString()).isEqualTo("UP");
                Browser.Response readiness = new Browser().get(a.baseUrl() + "/actuator/health/readiness");
                assertThat(readiness.status()).isEqualTo(200);
                // Bob's node may already deliver them from the log (its periodic room check): never out of order.
            } finally {
                redisProxy.restore();
            }
            await("bob caught up").atMost(Duration.ofSeconds(15)).until(() -> bob.frames("message").size() == 5);
            assertThat(bob.frames("message").stream().map(m -> m.path("seq").asLong()).toList()).containsExactly(1L, 2L, 3L, 4L, 5L);
            await().atMost(Duration.ofSeconds(10)).until(() -> new Browser().get(a.baseUrl() + "/actuator/health").status() == 200);
        }
    }

    @Test
    void withPostgresDownSendsAreRefusedNeverAckedNorDeliveredAndTheNodesRecoverByThemselves() {
        String room = "db-" + UUID.randomUUID().toString().substring(0, 8);
        try (RawSocket alice = connect("db_alice", nodes.get(0)); RawSocket bob = connect("db_bob", nodes.get(1))) {
            for (RawSocket socket : List.of(alice, bob)) {
                socket.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
                socket.await("joined", "room", room);
            }
            String refused = UUID.randomUUID().toString();
            services.databaseDown();
            try {
                alice.send(send(room, refused));
                JsonNode error = alice.await(f -> "error".equals(f.path("type").asString()) && refused.equals(f.path("ref").asString()));
                assertThat(error.path("code").asString()).isEqualTo("internal");
            } finally {
                services.databaseUp();
            }
            String after = UUID.randomUUID().toString();
            await("the node stores again").atMost(Duration.ofSeconds(30)).until(() -> {
                alice.send(send(room, after));
                return alice.frames("sent").stream().anyMatch(f -> after.equals(f.path("clientMsgId").asString()));
            });
            assertThat(bob.await("message", "clientMsgId", after).path("seq").asLong()).isEqualTo(1);
            assertThat(alice.frames("sent")).noneMatch(f -> refused.equals(f.path("clientMsgId").asString()));
            assertThat(bob.frames("message")).noneMatch(f -> refused.equals(f.path("clientMsgId").asString()));
            // The refused message was never stored: retrying it now stores it once, after the other.
            alice.send(send(room, refused));
            assertThat(alice.await("sent", "clientMsgId", refused).path("seq").asLong()).isEqualTo(2);
        }
    }

    @Test
    void registryDataLostByRedisIsRewrittenByTheNodesAtTheirNextHeartbeat() {
        String room = "lost-" + UUID.randomUUID().toString().substring(0, 8);
        try (RawSocket alice = connect("lost_alice", nodes.get(0)); RawSocket bob = connect("lost_bob", nodes.get(1))) {
            for (RawSocket socket : List.of(alice, bob)) {
                socket.send("{\"type\":\"join\",\"room\":\"" + room + "\"}");
                socket.await("joined", "room", room);
            }
            String prefix = services.prefix() + ":registry:";
            double syncsBefore = nodes.stream().mapToDouble(n -> counter(n, "parley.registry.syncs")).sum();

            // What a Redis restart without persistence does to the registry.
            List<String> keys = services.redis().keys(prefix + "*");
            services.redis().del(keys.toArray(String[]::new));

            await().atMost(Duration.ofSeconds(5)).until(() -> services.redis().smembers(prefix + "nodes").equals(Set.of("node-0", "node-1"))
                    && services.redis().hkeys(prefix + "presence:" + room).containsAll(List.of("lost_alice", "lost_bob"))
                    && services.redis().smembers(prefix + "user:lost_alice").equals(Set.of("node-0"))
                    && services.redis().smembers(prefix + "user:lost_bob").equals(Set.of("node-1")));
            assertThat(nodes.stream().mapToDouble(n -> counter(n, "parley.registry.syncs")).sum() - syncsBefore).isGreaterThanOrEqualTo(2);
        }
    }

    static String send(String room, String clientMsgId) {
        return "{\"type\":\"send\",\"room\":\"" + room + "\",\"clientMsgId\":\"" + clientMsgId + "\",\"text\":\"hello\"}";
    }

    static RawSocket connect(String user, ParleyNode node) {
        RawSocket socket = RawSocket.open(node, new Browser().loggedIn(node.baseUrl(), user, "correct horse"));
        socket.await("welcome");
        return socket;
    }
}
