package io.parley.server.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.server.history.AppendFailedException.Reason;
import io.parley.server.support.BreakableDataSource;
import io.parley.server.support.TestDatabase;
import io.parley.server.support.TestDatabases.Engine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.parley.server.history.MessageLogFixture.WAIT;
import static io.parley.server.history.MessageLogFixture.allOf;
import static io.parley.server.history.MessageLogFixture.count;
import static io.parley.server.history.MessageLogFixture.joinAll;
import static io.parley.server.history.MessageLogFixture.range;
import static io.parley.server.history.MessageLogFixture.readAll;
import static io.parley.server.history.MessageLogFixture.reasonOf;
import static io.parley.server.history.MessageLogFixture.seqs;
import static io.parley.server.history.MessageLogFixture.seqsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link JdbcMessageLog} against real databases: each test gets a fresh, migrated database of each
 * engine, and several tests run two logs (two nodes, each with its own pool) on one database.
 * Retries are in {@link JdbcMessageLogRetriesIT}.
 */
class JdbcMessageLogIT {

    private final MessageLogFixture fixture = new MessageLogFixture();

    @AfterEach
    void cleanUp() {
        fixture.close();
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void eightSendersInOneRoomGetSeqsOneToFourThousandWithoutHolesOrRepeats(Engine engine) throws Exception {
        TestDatabase db = fixture.database(engine);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JdbcMessageLog log = fixture.start(db.dataSource(), HistoryProperties.defaults(), registry);
        List<Long> completionOrder = Collections.synchronizedList(new ArrayList<>());

        long start = System.nanoTime();
        List<List<Appended>> bySender = sendConcurrently(8, 500, sender -> log, "lobby", completionOrder);
        double seconds = (System.nanoTime() - start) / 1e9;

        List<Appended> all = bySender.stream().flatMap(List::stream).toList();
        assertThat(all).noneMatch(Appended::duplicate);
        assertThat(all).extracting(appended -> appended.message().seq()).containsExactlyInAnyOrderElementsOf(seqs(4000));
        assertThat(completionOrder).as("futures complete in seq order").isNotEmpty().isSorted();
        for (List<Appended> ofOneSender : bySender) {
            assertThat(ofOneSender).extracting(appended -> appended.message().seq()).as("one sender's order").isSorted();
        }
        assertThat(log.lastSeq("lobby")).isEqualTo(4000);
        assertThat(readAll(log, "lobby")).containsExactlyElementsOf(
                all.stream().map(Appended::message).sorted(java.util.Comparator.comparingLong(StoredMessage::seq)).toList());
        double batches = registry.get("parley.history.batch.size").summary().count();
        assertThat(batches).as("group commit shares transactions").isLessThan(4000);
        System.out.printf("%s: 4000 appends from 8 senders in %.2f s = %.0f appends/s, %.0f transactions, %.1f appends each%n",
                engine, seconds, 4000 / seconds, batches, 4000 / batches);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void twoNodesAppendingToOneRoomAtOnceStayGaplessAndUnique(Engine engine) throws Exception {
        TestDatabase db = fixture.database(engine);
        JdbcMessageLog nodeA = fixture.start(db.newDataSource());
        JdbcMessageLog nodeB = fixture.start(db.newDataSource());

        long start = System.nanoTime();
        List<List<Appended>> bySender = sendConcurrently(8, 500, sender -> (sender % 2 == 0) ? nodeA : nodeB,
                "lobby", null);
        double seconds = (System.nanoTime() - start) / 1e9;

        assertThat(bySender.stream().flatMap(List::stream)).extracting(appended -> appended.message().seq())
                .containsExactlyInAnyOrderElementsOf(seqs(4000));
        // The nodes really took turns on the room's lock: walking the log in seq order, the sender's
        // node changes many times (senders 0, 2, 4, 6 use node A).
        List<Boolean> onNodeA = readAll(nodeA, "lobby").stream()
                .map(message -> Integer.parseInt(message.sender().substring("user".length())) % 2 == 0).toList();
        long turns = IntStream.range(1, onNodeA.size()).filter(i -> !onNodeA.get(i).equals(onNodeA.get(i - 1))).count();
        assertThat(turns).as("changes of node along the log").isGreaterThan(2);
        assertThat(nodeA.lastSeq("lobby")).isEqualTo(4000);
        assertThat(nodeB.after("lobby", 0, 5000)).hasSize(1000); // one page: max-page-size
        assertThat(count(db, "SELECT count(*) FROM messages")).isEqualTo(4000);
        System.out.printf("%s: 4000 appends through two nodes in %.2f s = %.0f appends/s, %d changes of node%n", engine,
                seconds, 4000 / seconds, turns);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void twoNodesCreatingTheSameNewRoomsAtOnceCreateEachRoomOnce(Engine engine) throws Exception {
        TestDatabase db = fixture.database(engine);
        JdbcMessageLog nodeA = fixture.start(db.newDataSource());
        JdbcMessageLog nodeB = fixture.start(db.newDataSource());
        CyclicBarrier together = new CyclicBarrier(2);
        List<Future<List<CompletableFuture<Appended>>>> sent = new ArrayList<>();
        for (JdbcMessageLog node : List.of(nodeA, nodeB)) {
            sent.add(fixture.senders().submit(() -> {
                together.await();
                List<CompletableFuture<Appended>> futures = new ArrayList<>();
                for (int room = 0; room < 50; room++) {
                    futures.add(node.append("new-" + room, "alice", UUID.randomUUID(), "hi"));
                }
                return futures;
            }));
        }
        for (Future<List<CompletableFuture<Appended>>> futures : sent) {
            allOf(futures.get()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        for (int room = 0; room < 50; room++) {
            assertThat(nodeA.after("new-" + room, 0, 10)).extracting(StoredMessage::seq).containsExactly(1L, 2L);
        }
        assertThat(count(db, "SELECT count(*) FROM rooms")).isEqualTo(50);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void pagesAfterAndBeforeAreAscendingBoundedAndPerRoom(Engine engine) throws Exception {
        TestDatabase db = fixture.database(engine);
        JdbcMessageLog log = fixture.start(db.dataSource(), new HistoryProperties(2, 100, 16, Duration.ofMillis(1),
                Duration.ofSeconds(10), 20), new SimpleMeterRegistry());
        List<CompletableFuture<Appended>> futures = new ArrayList<>();
        for (int i = 1; i <= 25; i++) {
            futures.add(log.append("lobby", "alice", UUID.randomUUID(), "lobby " + i));
            if (i <= 3) {
                futures.add(log.append("random", "bob", UUID.randomUUID(), "random " + i));
            }
        }
        joinAll(futures);

        assertThat(seqsOf(log.after("lobby", 0, 10))).containsExactlyElementsOf(range(1, 10));
        assertThat(seqsOf(log.after("lobby", 10, 10))).containsExactlyElementsOf(range(11, 20));
        assertThat(seqsOf(log.after("lobby", 20, 10))).containsExactlyElementsOf(range(21, 25));
        assertThat(log.after("lobby", 25, 10)).isEmpty();
        assertThat(seqsOf(log.before("lobby", null, 10))).containsExactlyElementsOf(range(16, 25));
        assertThat(seqsOf(log.before("lobby", 16L, 10))).containsExactlyElementsOf(range(6, 15));
        assertThat(seqsOf(log.before("lobby", 6L, 10))).containsExactlyElementsOf(range(1, 5));
        assertThat(log.before("lobby", 1L, 10)).isEmpty();
        assertThat(log.after("lobby", 0, 100)).as("reduced to max-page-size").hasSize(20);
        assertThat(log.after("lobby", 0, 0)).isEmpty();
        assertThat(log.after("random", 0, 10)).extracting(StoredMessage::text).containsExactly("random 1", "random 2", "random 3");
        assertThat(log.before("random", null, 2)).extracting(StoredMessage::text).containsExactly("random 2", "random 3");
        assertThat(log.lastSeq("lobby")).isEqualTo(25);
        assertThat(log.lastSeq("nowhere")).isZero();
        assertThat(log.after("nowhere", 0, 10)).isEmpty();
        assertThat(log.before("nowhere", null, 10)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void anOutageFailsTheAppendsUnacknowledgedAndTheLogRecoversWithoutAGap(Engine engine) throws Exception {
        TestDatabase db = fixture.database(engine);
        BreakableDataSource dataSource = new BreakableDataSource(db.dataSource());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JdbcMessageLog log = fixture.start(dataSource, HistoryProperties.defaults(), registry);
        log.append("lobby", "alice", UUID.randomUUID(), "before").get(WAIT.toSeconds(), TimeUnit.SECONDS);

        dataSource.breakConnections();
        List<CompletableFuture<Appended>> during = IntStream.range(0, 5)
                .mapToObj(i -> log.append("lobby", "alice", UUID.randomUUID(), "during " + i)).toList();
        await().atMost(WAIT).until(() -> during.stream().allMatch(CompletableFuture::isDone));
        dataSource.restore();

        assertThat(during).allSatisfy(future -> assertThat(reasonOf(future)).isEqualTo(Reason.STORE_FAILED));
        assertThat(registry.get("parley.history.failures").tag("reason", "store_failed").counter().count()).isEqualTo(5);
        Appended after = log.append("lobby", "alice", UUID.randomUUID(), "after").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(after.message().seq()).isEqualTo(2);
        assertThat(log.after("lobby", 0, 10)).extracting(StoredMessage::text).containsExactly("before", "after");
    }

    @Test
    void aPostgresqlServerThatDropsItsConnectionsFailsAppendsUntilItAcceptsThemAgain() throws Exception {
        TestDatabase db = fixture.database(Engine.POSTGRESQL);
        JdbcMessageLog log = fixture.start(db.dataSource());
        log.append("lobby", "alice", UUID.randomUUID(), "before").get(WAIT.toSeconds(), TimeUnit.SECONDS);

        db.refuseConnections();
        CompletableFuture<Appended> during = log.append("lobby", "alice", UUID.randomUUID(), "during");
        await().atMost(WAIT).until(during::isDone);
        assertThat(reasonOf(during)).isEqualTo(Reason.STORE_FAILED);
        db.allowConnections();

        await().atMost(WAIT).until(() -> log.append("lobby", "alice", UUID.randomUUID(), "after")
                .handle((appended, ex) -> ex == null).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertThat(log.after("lobby", 0, 10)).extracting(StoredMessage::text).containsExactly("before", "after");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void stoppingCommitsWhatWasAcceptedThenRefusesAppends(Engine engine) throws Exception {
        TestDatabase db = fixture.database(engine);
        JdbcMessageLog log = fixture.start(db.dataSource());
        List<CompletableFuture<Appended>> accepted = IntStream.range(0, 300)
                .mapToObj(i -> log.append("room-" + (i % 7), "alice", UUID.randomUUID(), "text " + i)).toList();

        log.stop();

        assertThat(accepted).allSatisfy(future -> assertThat(future).isCompleted());
        assertThat(count(db, "SELECT count(*) FROM messages")).isEqualTo(300);
        assertThat(log.isRunning()).isFalse();
        assertThat(reasonOf(log.append("lobby", "alice", UUID.randomUUID(), "late"))).isEqualTo(Reason.CLOSED);
    }

    /**
     * Starts {@code senderCount} threads at once, each sending {@code perSender} appends to
     * {@code room} through the log {@code logOf} gives it, without waiting in between; returns each
     * sender's results in its sending order.
     */
    private List<List<Appended>> sendConcurrently(int senderCount, int perSender, IntFunction<JdbcMessageLog> logOf,
            String room, List<Long> completionOrder) throws Exception {
        CyclicBarrier together = new CyclicBarrier(senderCount);
        List<Future<List<CompletableFuture<Appended>>>> sent = new ArrayList<>();
        for (int sender = 0; sender < senderCount; sender++) {
            int id = sender;
            sent.add(fixture.senders().submit(() -> {
                JdbcMessageLog log = logOf.apply(id);
                together.await();
                List<CompletableFuture<Appended>> futures = new ArrayList<>(perSender);
                for (int i = 0; i < perSender; i++) {
                    CompletableFuture<Appended> future = log.append(room, "user" + id, UUID.randomUUID(), id + "/" + i);
                    if (completionOrder != null) {
                        // Only callbacks run by the completing committer show the order of completion; one
                        // attached after completion runs here, on the sender's thread. The future joined is
                        // the callback's, so no callback is still running when the order is read.
                        future = future.whenComplete((appended, error) -> {
                            if (appended != null && Thread.currentThread().getName().startsWith("parley-history-committer-")) {
                                completionOrder.add(appended.message().seq());
                            }
                        });
                    }
                    futures.add(future);
                }
                return futures;
            }));
        }
        List<List<Appended>> results = new ArrayList<>();
        for (Future<List<CompletableFuture<Appended>>> futures : sent) {
            results.add(joinAll(futures.get(WAIT.toSeconds(), TimeUnit.SECONDS)));
        }
        return results;
    }

}
