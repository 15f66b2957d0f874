package io.parley.server.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.server.history.AppendFailedException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.parley.server.history.MessageLogFixture.reasonOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The committers without a database: batching, ordering, back-pressure, failures and shutdown. */
class GroupCommitTests {

    private final FakeBatchWriter writer = new FakeBatchWriter();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<GroupCommit> started = new ArrayList<>();

    @AfterEach
    void stopAll() {
        writer.release();
        started.forEach(groupCommit -> groupCommit.stop(Duration.ofSeconds(10)));
    }

    private GroupCommit start(int committers, int queueCapacity, int maxBatchSize, Duration maxBatchDelay) {
        HistoryProperties properties = HistoryProperties.defaults().withQueues(committers, queueCapacity)
                .withBatching(maxBatchSize, maxBatchDelay);
        GroupCommit groupCommit = new GroupCommit(writer, properties, new MessageLogMetrics(registry), "test-committer-");
        groupCommit.start();
        started.add(groupCommit);
        return groupCommit;
    }

    private static CompletableFuture<Appended> append(GroupCommit groupCommit, String room, int i) {
        return groupCommit.append(room, "alice", UUID.randomUUID(), "message " + i);
    }

    @Test
    void batchesNeverExceedTheMaxBatchSizeAndCompleteInQueueOrder() throws Exception {
        GroupCommit groupCommit = start(1, 100, 4, Duration.ZERO);
        writer.hold();
        List<CompletableFuture<Appended>> futures = new ArrayList<>();
        List<Long> completed = Collections.synchronizedList(new ArrayList<>());
        futures.add(append(groupCommit, "lobby", 0));
        assertThat(writer.entered.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i < 10; i++) {
            futures.add(append(groupCommit, "lobby", i));
        }
        // whenComplete's future completes after the callback: waiting for the appends' own futures
        // would race with callbacks still running on the committer thread.
        futures.replaceAll(future -> future.whenComplete((appended, error) -> completed.add(appended.message().seq())));
        writer.release();
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

        assertThat(writer.batches).extracting(batch -> batch.requests().size()).containsExactly(1, 4, 4, 1);
        assertThat(completed).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(futures).extracting(future -> future.join().message().text())
                .containsExactlyElementsOf(IntStream.range(0, 10).mapToObj(i -> "message " + i).toList());
        assertThat(registry.get("parley.history.batch.size").summary().count()).isEqualTo(4);
        assertThat(registry.get("parley.history.appends").counter().count()).isEqualTo(10);
    }

    @Test
    void appendsWithinTheBatchDelayShareOneBatch() throws Exception {
        GroupCommit groupCommit = start(1, 100, 3, Duration.ofSeconds(1));
        CompletableFuture<Appended> first = append(groupCommit, "lobby", 0);
        CompletableFuture<Appended> second = append(groupCommit, "lobby", 1);
        CompletableFuture<Appended> third = append(groupCommit, "lobby", 2);
        CompletableFuture.allOf(first, second, third).get(10, TimeUnit.SECONDS);

        assertThat(writer.batches).hasSize(1);
        assertThat(writer.batches.get(0).requests()).hasSize(3);
    }

    @Test
    void aLoneAppendWaitsOutTheBatchDelayThenCommitsAlone() {
        GroupCommit groupCommit = start(1, 100, 100, Duration.ofMillis(50));
        long start = System.nanoTime();
        CompletableFuture<Appended> alone = append(groupCommit, "lobby", 0);

        await().atMost(Duration.ofSeconds(5)).until(alone::isDone);
        assertThat(alone).isCompleted();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        assertThat(writer.batches).singleElement().satisfies(batch -> assertThat(batch.requests()).hasSize(1));
    }

    @Test
    void aFullQueueFailsTheAppendAtOnceWithQueueFull() throws Exception {
        GroupCommit groupCommit = start(1, 2, 10, Duration.ZERO);
        writer.hold();
        CompletableFuture<Appended> inFlight = append(groupCommit, "lobby", 0);
        assertThat(writer.entered.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Appended> queued1 = append(groupCommit, "lobby", 1);
        CompletableFuture<Appended> queued2 = append(groupCommit, "lobby", 2);

        CompletableFuture<Appended> overflow = append(groupCommit, "lobby", 3);

        assertThat(overflow).isCompletedExceptionally();
        assertThat(reasonOf(overflow)).isEqualTo(Reason.QUEUE_FULL);
        writer.release();
        CompletableFuture.allOf(inFlight, queued1, queued2).get(10, TimeUnit.SECONDS);
        assertThat(queued2.join().message().seq()).isEqualTo(3);
        assertThat(registry.get("parley.history.failures").tag("reason", "queue_full").counter().count()).isEqualTo(1);
    }

    @Test
    void aFailedBatchFailsEveryFutureOfItAndTheNextBatchCommits() throws Exception {
        GroupCommit groupCommit = start(1, 100, 10, Duration.ZERO);
        writer.hold();
        writer.failNext(1);
        CompletableFuture<Appended> first = append(groupCommit, "lobby", 0);
        assertThat(writer.entered.await(10, TimeUnit.SECONDS)).isTrue();
        // The failing batch is the held one; these two queue behind it and form the next batch.
        CompletableFuture<Appended> second = append(groupCommit, "lobby", 1);
        CompletableFuture<Appended> third = append(groupCommit, "lobby", 2);
        writer.release();

        await().atMost(Duration.ofSeconds(10)).until(() -> first.isDone() && second.isDone() && third.isDone());
        assertThat(reasonOf(first)).isEqualTo(Reason.STORE_FAILED);
        assertThat(second.get().message().seq()).isEqualTo(1);
        assertThat(third.get().message().seq()).isEqualTo(2);
        assertThat(registry.get("parley.history.failures").tag("reason", "store_failed").counter().count()).isEqualTo(1);
    }

    @Test
    void oneRoomAlwaysGoesThroughTheSameCommitter() throws Exception {
        GroupCommit groupCommit = start(4, 1000, 8, Duration.ZERO);
        List<CompletableFuture<Appended>> futures = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            futures.add(append(groupCommit, "room-" + (i % 20), i));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

        for (int room = 0; room < 20; room++) {
            String name = "room-" + room;
            Set<String> threads = writer.batches.stream().filter(batch -> batch.rooms().contains(name))
                    .map(FakeBatchWriter.Batch::thread).collect(Collectors.toSet());
            assertThat(threads).as(name).hasSize(1);
        }
        assertThat(writer.batches.stream().map(FakeBatchWriter.Batch::thread).distinct().count()).isGreaterThan(1);
    }

    @Test
    void stopCommitsWhatIsQueuedThenRefusesNewAppends() throws Exception {
        GroupCommit groupCommit = start(1, 100, 2, Duration.ZERO);
        writer.hold();
        List<CompletableFuture<Appended>> accepted = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            accepted.add(append(groupCommit, "lobby", i));
        }
        assertThat(writer.entered.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> groupCommit.stop(Duration.ofSeconds(10)));
        await().atMost(Duration.ofSeconds(5)).until(() -> !groupCommit.isRunning());

        CompletableFuture<Appended> refused = append(groupCommit, "lobby", 5);
        writer.release();

        assertThat(stopped.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(accepted).allSatisfy(future -> assertThat(future).isCompleted());
        assertThat(accepted).extracting(future -> future.join().message().seq()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(reasonOf(refused)).isEqualTo(Reason.CLOSED);
    }

    @Test
    void whatACallerAttachesRunsOnTheCompletionThreadWhileTheCommitterCommitsTheNextBatch() throws Exception {
        GroupCommit groupCommit = start(1, 100, 1, Duration.ZERO);
        CountDownLatch ackHeld = new CountDownLatch(1);
        List<String> completedOn = Collections.synchronizedList(new ArrayList<>());
        writer.hold(); // until the callback is attached: else a fast commit runs it on this thread
        CompletableFuture<Appended> first = append(groupCommit, "lobby", 0).whenComplete((appended, error) -> {
            completedOn.add(Thread.currentThread().getName());
            try {
                ackHeld.await(10, TimeUnit.SECONDS); // a slow ack (encoding, a socket write)
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        writer.release();
        await().atMost(Duration.ofSeconds(10)).until(() -> completedOn.size() == 1);

        CompletableFuture<Appended> second = append(groupCommit, "lobby", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> writer.batches.size() == 2);

        assertThat(completedOn).containsExactly("test-committer-0-completion");
        assertThat(writer.batches).extracting(FakeBatchWriter.Batch::thread).containsOnly("test-committer-0");
        assertThat(second).as("completed after the first, in order").isNotDone();
        ackHeld.countDown();
        assertThat(second.get(10, TimeUnit.SECONDS).message().seq()).isEqualTo(2);
        assertThat(first.get(10, TimeUnit.SECONDS).message().seq()).isEqualTo(1);
    }

    @Test
    void anAppendBeforeStartFailsAsClosed() {
        GroupCommit groupCommit = new GroupCommit(writer, HistoryProperties.defaults(), new MessageLogMetrics(registry), "idle-");

        assertThat(reasonOf(append(groupCommit, "lobby", 0))).isEqualTo(Reason.CLOSED);
    }
}
