package io.parley.server.connection;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import io.parley.client.ConnectionState;
import io.parley.client.HandshakeRejectedException;
import io.parley.client.ParleyClient;
import io.parley.client.ParleyHttp;
import io.parley.client.StateChange;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.ErrorCode;
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
 * The graceful drain, for real: two cluster nodes as processes behind HAProxy, 1000 clients
 * (parley-client instances, in this JVM) all on node A — B is HAProxy's {@code backup}, so it takes
 * traffic only once A's readiness is down — and one sender per room that keeps sending. A gets
 * SIGTERM. Every one of the 1000 is closed with 1012, spread over the drain window; each comes back
 * through HAProxy to B and resumes its room with {@code since}; A withdraws from the registry and
 * exits. In the end every send was acknowledged, each room's sequences are 1..N, and every client
 * saw exactly 1..N of its room, in order: nothing lost, nothing doubled.
 */
class DrainIT {

    static final int CLIENTS = 1000;
    static final int USERS = 50;
    static final int ROOMS = 4;
    static final Duration WINDOW = Duration.ofSeconds(10);
    static final Duration SEND_EVERY = Duration.ofMillis(200);
    /**
     * How long a client waits for its welcome before it gives up on an attempt: B takes 1000
     * reconnects in 10 s, and on a loaded machine a welcome took over the client's default 10 s; an
     * attempt given up on would count as a close that is neither the 1012 nor a refused handshake.
     */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    static final String DRAINED = "drain-a";
    static final String TAKER = "drain-b";

    static ClusterServices services;
    static ProcessNode nodeA;
    static ProcessNode nodeB;
    static HaProxy haproxy;

    @BeforeAll
    static void start() {
        services = new ClusterServices();
        nodeA = ProcessNode.start("drain-it-a", properties(DRAINED));
        nodeB = ProcessNode.start("drain-it-b", properties(TAKER));
        nodeA.awaitReady();
        nodeB.awaitReady();
        haproxy = HaProxy.start(List.of(nodeA, nodeB), List.of(nodeB));
    }

    static Map<String, String> properties(String nodeId) {
        Map<String, String> properties = new HashMap<>(services.nodeProperties());
        properties.put("parley.node-id", nodeId);
        properties.put("parley.drain.window", WINDOW.toSeconds() + "s");
        // Only the node's own withdrawal can clear its registry entries within this test.
        properties.put("parley.cluster.node-ttl", "60s");
        properties.put("parley.connections.max-per-user", "100");
        // A sender that reconnects slowly on a loaded machine resends its whole outbox at once: keep that
        // under the frame rate limit, whose refusals carry no ref (the limiter runs before decoding).
        properties.put("parley.websocket.frames-per-second", "100000");
        properties.put("parley.websocket.frame-burst", "100000");
        return properties;
    }

    @AfterAll
    static void stop() {
        if (haproxy != null) {
            haproxy.close();
        }
        if (nodeA != null) {
            nodeA.close();
        }
        if (nodeB != null) {
            nodeB.close();
        }
        services.close();
    }

    /** One client and what it saw: its room's sequences, its state changes, when its 1012 came. */
    record Member(ParleyClient client, String room, List<Long> seqs, List<StateChange> states, AtomicLong closedAtNanos) {

        StateChange firstClose() {
            return states.stream().filter(s -> s.state() == ConnectionState.RECONNECTING).findFirst().orElseThrow();
        }
    }

    @Test
    void sigtermClosesTheNodesThousandClientsWith1012OverTheWindowAndTheyResumeOnTheOtherNodeWithNothingLostOrDoubled() {
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 6);
        List<String> rooms = new ArrayList<>();
        for (int r = 0; r < ROOMS; r++) {
            rooms.add("drain-" + run + "-" + r);
        }
        // Signed up and logged in four at a time: each is two BCrypt hashes on the node.
        var logins = Executors.newFixedThreadPool(4);
        List<CompletableFuture<ParleyHttp>> loggingIn = new ArrayList<>();
        for (int u = 0; u < USERS; u++) {
            String user = "drain_" + run + "_" + u;
            loggingIn.add(CompletableFuture.supplyAsync(() -> login(user), logins));
        }
        List<ParleyHttp> users = loggingIn.stream().map(CompletableFuture::join).toList();
        logins.shutdown();
        List<Member> members = new ArrayList<>();
        for (int from = 0; from < CLIENTS; from += 50) {
            List<Member> chunk = new ArrayList<>();
            for (int i = from; i < from + 50; i++) {
                chunk.add(member(users.get(i % USERS), rooms.get(i % ROOMS)));
            }
            CompletableFuture.allOf(chunk.stream().map(m -> m.client().connect().thenCompose(w -> m.client().join(m.room())))
                    .toArray(CompletableFuture[]::new)).orTimeout(120, TimeUnit.SECONDS).join();
            members.addAll(chunk);
        }
        assertThat(members).allSatisfy(m -> assertThat(m.client().welcome().node()).isEqualTo(DRAINED));

        // One sender per room, through the balancer: on A as well, so it is drained too.
        ParleyHttp senderLogin = login("drain_" + run + "_s");
        Map<String, List<CompletableFuture<Long>>> sends = new HashMap<>();
        AtomicInteger refusedWhileDraining = new AtomicInteger();
        List<ServerFrame.Error> otherErrors = new CopyOnWriteArrayList<>();
        List<ParleyClient> senders = new ArrayList<>();
        List<List<StateChange>> senderStates = new ArrayList<>();
        for (String room : rooms) {
            ParleyClient sender = senderLogin.clientBuilder().connectTimeout(CONNECT_TIMEOUT)
                    .backoff(Duration.ofMillis(500), Duration.ofSeconds(5)).build();
            List<StateChange> states = new CopyOnWriteArrayList<>();
            sender.onStateChange(states::add);
            senderStates.add(states);
            sender.onFrame(frame -> {
                if (frame instanceof ServerFrame.Error error) {
                    if (error.code() == ErrorCode.UNAVAILABLE) {
                        refusedWhileDraining.incrementAndGet();
                    } else {
                        otherErrors.add(error);
                    }
                }
            });
            sender.connect().orTimeout(30, TimeUnit.SECONDS).join();
            sender.join(room).orTimeout(30, TimeUnit.SECONDS).join();
            senders.add(sender);
            sends.put(room, new CopyOnWriteArrayList<>());
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        timer.scheduleAtFixedRate(() -> {
            for (int r = 0; r < ROOMS; r++) {
                String room = rooms.get(r);
                sends.get(room).add(senders.get(r).send(room, "message " + sends.get(room).size()));
            }
        }, 0, SEND_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        await("first messages acknowledged").atMost(Duration.ofSeconds(60))
                .until(() -> rooms.stream().allMatch(room -> acked(sends.get(room)) >= 5));

        long sigtermAt = System.nanoTime();
        nodeA.terminate();
        int exitCode = nodeA.awaitExit(Duration.ofSeconds(90));
        long exitedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigtermAt);
        assertThat(exitCode).as("exit status after a handled SIGTERM").isEqualTo(143);
        assertThat(nodeA.log()).contains("Node drained in").doesNotContain("before the sends they took were answered");
        var redis = services.redis();
        assertThat(redis.sismember(services.prefix() + ":registry:nodes", DRAINED)).as("A left the registry itself").isFalse();
        assertThat(redis.exists(services.prefix() + ":registry:node:" + DRAINED,
                services.prefix() + ":registry:node:" + DRAINED + ":entries")).isZero();

        await("every client resumed on B").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> members.stream().allMatch(m -> m.client().state() == ConnectionState.RESUMED
                        && TAKER.equals(m.client().welcome().node())));
        Map<String, Integer> sentAtResume = rooms.stream().collect(Collectors.toMap(room -> room, room -> sends.get(room).size()));
        await("messages acknowledged on B").atMost(Duration.ofSeconds(60))
                .until(() -> rooms.stream().allMatch(room -> acked(sends.get(room)) >= sentAtResume.get(room) + 5));
        timer.shutdown();
        await().atMost(Duration.ofSeconds(10)).until(timer::isTerminated);

        try {
            await("every send answered").atMost(Duration.ofSeconds(60))
                    .until(() -> sends.values().stream().flatMap(List::stream).allMatch(CompletableFuture::isDone));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder pending = new StringBuilder();
            for (int r = 0; r < ROOMS; r++) {
                List<CompletableFuture<Long>> roomSends = sends.get(rooms.get(r));
                for (int i = 0; i < roomSends.size(); i++) {
                    if (!roomSends.get(i).isDone()) {
                        pending.append("\n  ").append(rooms.get(r)).append(" 'message ").append(i).append("' of ")
                                .append(roomSends.size()).append(", stored as seq ").append(storedSeq(rooms.get(r), "message " + i));
                    }
                }
                pending.append("\n  sender of ").append(rooms.get(r)).append(": ").append(senders.get(r).state()).append(' ')
                        .append(senderStates.get(r));
            }
            throw new AssertionError("sends never answered:" + pending + "\n  errors the senders got: " + otherErrors, e);
        }
        Map<String, Long> heads = new HashMap<>();
        for (String room : rooms) {
            List<Long> seqs = sends.get(room).stream().map(CompletableFuture::join).sorted().toList();
            assertThat(seqs).as("each send of %s acknowledged once, with its own sequence", room)
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, seqs.size()).boxed().toList());
            heads.put(room, (long) seqs.size());
        }
        assertThat(otherErrors).as("no send failed").isEmpty();
        // One wait for all (each Awaitility wait costs at least its 100 ms poll delay: 1000 of them, 100 s).
        await("every client received all of its room").atMost(Duration.ofSeconds(60))
                .until(() -> members.stream().allMatch(m -> m.seqs().size() >= heads.get(m.room())));
        for (Member member : members) {
            assertThat(member.seqs()).as("what one client of %s saw", member.room())
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, heads.get(member.room())).boxed().toList());
        }

        // Every client was closed with 1012, and the closes were spread over the window.
        for (Member member : members) {
            assertThat(member.firstClose().closeCode()).isEqualTo(CloseCodes.SERVICE_RESTART);
            assertThat(member.states().stream().filter(s -> s.state() == ConnectionState.RECONNECTING).skip(1))
                    .as("later attempts can only be handshakes refused while A was still in rotation")
                    .allSatisfy(s -> assertThat(s.cause()).isInstanceOfSatisfying(HandshakeRejectedException.class,
                            rejected -> assertThat(rejected.status()).isEqualTo(503)));
        }
        List<Long> closedAtMillis = members.stream().map(m -> TimeUnit.NANOSECONDS.toMillis(m.closedAtNanos().get() - sigtermAt))
                .sorted().toList();
        long spreadMillis = closedAtMillis.get(CLIENTS - 1) - closedAtMillis.get(0);
        Set<Long> halfSeconds = closedAtMillis.stream().map(ms -> ms / 500).collect(Collectors.toSet());
        assertThat(spreadMillis).as("first to last 1012, ms").isGreaterThanOrEqualTo(WINDOW.toMillis() / 4);
        assertThat(halfSeconds).as("half-seconds in which 1012s arrived").hasSizeGreaterThanOrEqualTo(4);

        long retried = members.stream().mapToLong(m -> m.states().stream().filter(s -> s.state() == ConnectionState.RECONNECTING).count() - 1).sum();
        long refusedByA = members.stream().flatMap(m -> m.states().stream())
                .filter(s -> s.cause() instanceof HandshakeRejectedException h && Duration.ofSeconds(1).equals(h.retryAfter())).count();
        System.out.printf("DrainIT: %d clients closed with 1012 from %d to %d ms after SIGTERM (in %d half-seconds), "
                + "%d handshakes refused with 503 on the way (%d by A, Retry-After 1); A exited %d ms after SIGTERM; %d messages in %d rooms, "
                + "%d sends refused with 'unavailable' and resent; every client saw its room's 1..N once%n",
                CLIENTS, closedAtMillis.get(0), closedAtMillis.get(CLIENTS - 1), halfSeconds.size(), retried, refusedByA, exitedAfterMillis,
                heads.values().stream().mapToLong(Long::longValue).sum(), ROOMS, refusedWhileDraining.get());
        members.forEach(m -> m.client().close());
        senders.forEach(ParleyClient::close);
    }

    static ParleyHttp login(String user) {
        ParleyHttp http = new ParleyHttp(URI.create(haproxy.baseUrl()));
        http.signup(user, "correct horse");
        http.login(user, "correct horse");
        return http;
    }

    static Member member(ParleyHttp user, String room) {
        ParleyClient client = user.clientBuilder().connectTimeout(CONNECT_TIMEOUT)
                .backoff(Duration.ofMillis(500), Duration.ofSeconds(5)).build();
        Member member = new Member(client, room, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>(), new AtomicLong());
        client.onFrame(frame -> {
            if (frame instanceof ServerFrame.Message message && message.room().equals(room)) {
                member.seqs().add(message.seq());
            }
        });
        client.onStateChange(change -> {
            member.states().add(change);
            if (change.state() == ConnectionState.RECONNECTING && Integer.valueOf(CloseCodes.SERVICE_RESTART).equals(change.closeCode())) {
                member.closedAtNanos().compareAndSet(0, System.nanoTime());
            }
        });
        return member;
    }

    /** The sequence under which the log stored {@code text} in {@code room}, or "none": for failure messages. */
    static String storedSeq(String room, String text) {
        try (var db = java.sql.DriverManager.getConnection(services.jdbcUrl(), "postgres", "");
                var query = db.prepareStatement("select seq from messages where room = ? and text = ?")) {
            query.setString(1, room);
            query.setString(2, text);
            try (var rows = query.executeQuery()) {
                return rows.next() ? Long.toString(rows.getLong(1)) : "none";
            }
        } catch (java.sql.SQLException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    static long acked(List<CompletableFuture<Long>> sends) {
        return sends.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
    }
}
