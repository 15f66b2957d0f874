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
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import io.parley.client.ParleyClient;
import io.parley.client.ParleyHttp;
import io.parley.protocol.ServerFrame;
import io.parley.server.support.ClusterServices;
import io.parley.server.support.HaProxy;
import io.parley.server.support.ProcessNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three nodes as separate processes behind a real HAProxy; one is killed with SIGKILL while clients
 * send. Its clients reconnect through the load balancer to the others and resume; in the end every
 * acknowledged message reached every member of its room exactly once, in order, and the dead node's
 * registry entries were removed by the survivors within {@code node-ttl + heartbeat-interval},
 * followed by a presence event: a user who cannot come back is offline for the others.
 */
class NodeFailureIT {

    static final Duration HEARTBEAT = Duration.ofMillis(250);
    static final Duration NODE_TTL = Duration.ofMillis(1500);
    static final int CLIENTS = 12;
    static final int ROOMS = 3;
    static final int ROUNDS = 50;
    static final int KILL_AT_ROUND = 15;

    static ClusterServices services;
    static final List<ProcessNode> nodes = new ArrayList<>();
    static HaProxy haproxy;

    @BeforeAll
    static void start() {
        services = new ClusterServices();
        for (int i = 0; i < 3; i++) {
            Map<String, String> properties = new HashMap<>(services.nodeProperties());
            properties.put("parley.node-id", "node-" + i);
            properties.put("parley.cluster.heartbeat-interval", HEARTBEAT.toMillis() + "ms");
            properties.put("parley.cluster.node-ttl", NODE_TTL.toMillis() + "ms");
            properties.put("parley.cluster.room-check-interval", "1s");
            properties.put("parley.websocket.frames-per-second", "100000");
            properties.put("parley.websocket.frame-burst", "100000");
            nodes.add(ProcessNode.start("node-failure-it-" + i, properties));
        }
        nodes.forEach(node -> node.awaitReady());
        haproxy = HaProxy.start(nodes);
    }

    @AfterAll
    static void stop() {
        if (haproxy != null) {
            haproxy.close();
        }
        nodes.forEach(ProcessNode::close);
        services.close();
    }

    /** A client through the load balancer, recording the messages its listeners see. */
    record Member(String user, String room, ParleyClient client, List<ServerFrame.Message> received) {
    }

    @Test
    void killedNodesClientsResumeThroughTheBalancerWithNoAckedMessageLostOrDoubledAndItsEntriesAreReaped() {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            String user = "crash_" + i;
            ParleyHttp http = new ParleyHttp(URI.create(haproxy.baseUrl()));
            http.signup(user, "correct horse");
            http.login(user, "correct horse");
            ParleyClient client = http.clientBuilder().backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                    .heartbeat(Duration.ofSeconds(2)).build();
            List<ServerFrame.Message> received = new CopyOnWriteArrayList<>();
            client.onFrame(frame -> {
                if (frame instanceof ServerFrame.Message message) {
                    received.add(message);
                }
            });
            client.connect().join();
            String room = "crash-" + (i % ROOMS);
            client.join(room).join();
            members.add(new Member(user, room, client, received));
        }
        Map<String, Long> perNode = members.stream().collect(Collectors.groupingBy(m -> m.client().welcome().node(), Collectors.counting()));
        String victimId = perNode.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        ProcessNode victim = nodes.get(Integer.parseInt(victimId.substring("node-".length())));
        assertThat(perNode.get(victimId)).as("clients on %s: %s", victimId, perNode).isPositive();
        // A user connected straight to the victim (no balancer to come back through) and one watching from a survivor.
        ProcessNode survivor = nodes.stream().filter(node -> node != victim).findFirst().orElseThrow();
        ParleyClient ghost = direct(victim, "crash_ghost");
        ParleyClient watcher = direct(survivor, "crash_watcher");
        ghost.join("crash-ghost").join();
        watcher.join("crash-ghost").join();
        await().atMost(Duration.ofSeconds(10)).until(() -> watcher.online("crash-ghost").equals(Set.of("crash_ghost", "crash_watcher")));

        Map<String, Set<UUID>> acked = new ConcurrentHashMap<>();
        long bound = NODE_TTL.plus(HEARTBEAT).toMillis();
        CompletableFuture<Long> reapedAfterMillis = null;
        for (int round = 0; round < ROUNDS; round++) {
            if (round == KILL_AT_ROUND) {
                victim.kill();
                long killedAt = System.nanoTime();
                // Watched from the kill on, every 20 ms, while the clients go on.
                reapedAfterMillis = CompletableFuture.supplyAsync(() -> {
                    await("registry entries of " + victimId + " removed").atMost(Duration.ofMillis(bound + 5000))
                            .pollInterval(Duration.ofMillis(20)).until(() -> reaped(victimId));
                    return (System.nanoTime() - killedAt) / 1_000_000;
                });
            }
            List<CompletableFuture<Long>> sends = new ArrayList<>();
            for (Member member : members) {
                UUID id = UUID.randomUUID();
                sends.add(member.client().send(member.room(), id, member.user() + " round " + round)
                        .thenApply(seq -> {
                            acked.computeIfAbsent(member.room(), r -> ConcurrentHashMap.newKeySet()).add(id);
                            return seq;
                        }));
            }
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
        }
        long reapedAfter = reapedAfterMillis.join();
        await("presence without the victim's user, seen from " + survivor.name()).atMost(Duration.ofSeconds(5))
                .until(() -> watcher.online("crash-ghost").equals(Set.of("crash_watcher")));
        // The bound counts from the last heartbeat, which is before the kill; the slack is for heartbeat
        // threads delayed on this shared two-core machine.
        assertThat(reapedAfter).as("ms from the kill until the registry forgot %s", victimId).isLessThanOrEqualTo(bound + 1000);

        for (Member member : members) {
            Set<UUID> roomAcked = acked.get(member.room());
            await(member.user() + " received every acked message").atMost(Duration.ofSeconds(30))
                    .until(() -> member.received().stream().map(ServerFrame.Message::clientMsgId).collect(Collectors.toSet()).containsAll(roomAcked));
            List<UUID> ids = member.received().stream().map(ServerFrame.Message::clientMsgId).toList();
            assertThat(new HashSet<>(ids)).as("no message stored or delivered twice to %s", member.user()).hasSameSizeAs(ids);
            assertThat(member.received().stream().map(ServerFrame.Message::seq).toList()).as("seqs seen by %s", member.user())
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, ids.size()).boxed().toList());
            assertThat(member.client().welcome().node()).isNotEqualTo(victimId);
        }
        long ackedTotal = acked.values().stream().mapToLong(Set::size).sum();
        System.out.printf("NodeFailureIT: %s killed with %d of %d clients; %d messages acked, all delivered once;"
                + " its registry entries gone %d ms after the kill (bound %d ms after its last heartbeat)%n",
                victimId, perNode.get(victimId), CLIENTS, ackedTotal, reapedAfter, bound);
        assertThat(ackedTotal).isEqualTo((long) CLIENTS * ROUNDS);
        members.forEach(member -> member.client().close());
        ghost.close();
        watcher.close();
    }

    static ParleyClient direct(ProcessNode node, String user) {
        ParleyHttp http = new ParleyHttp(URI.create(node.baseUrl()));
        http.signup(user, "correct horse");
        http.login(user, "correct horse");
        ParleyClient client = http.clientBuilder().backoff(Duration.ofMillis(100), Duration.ofSeconds(1)).build();
        client.connect().join();
        return client;
    }

    /** No trace of the node left in Redis. */
    static boolean reaped(String nodeId) {
        var redis = services.redis();
        String prefix = services.prefix();
        if (redis.exists(prefix + ":registry:node:" + nodeId, prefix + ":registry:node:" + nodeId + ":entries") > 0
                || redis.sismember(prefix + ":registry:nodes", nodeId)) {
            return false;
        }
        for (int i = 0; i < CLIENTS; i++) {
            if (redis.sismember(prefix + ":registry:user:crash_" + i, nodeId)) {
                return false;
            }
        }
        return true;
    }
}
