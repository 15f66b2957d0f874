package io.parley.server.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.parley.server.support.TestDatabase;
import io.parley.server.support.TestDatabases.Engine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static io.parley.server.history.MessageLogFixture.WAIT;
import static io.parley.server.history.MessageLogFixture.allOf;
import static io.parley.server.history.MessageLogFixture.count;
import static io.parley.server.history.MessageLogFixture.joinAll;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Idempotent appends of {@link JdbcMessageLog} on both engines: a retry with the same
 * {@code (room, sender, clientMsgId)}, wherever and whenever it arrives, completes with the original
 * message and takes no sequence number.
 */
class JdbcMessageLogRetriesIT {

    private final MessageLogFixture fixture = new MessageLogFixture();

    @AfterEach
    void cleanUp() {
        fixture.close();
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aRetryInTheSameBatchCompletesWithTheOriginalAndTakesNoSeq(Engine engine) throws Exception {
        TestDatabase db = fixture.database(engine);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // A batch of 3 that waits up to 1 s to fill: the three appends below share one transaction.
        JdbcMessageLog log = fixture.start(db.dataSource(), HistoryProperties.defaults().withBatching(3, Duration.ofSeconds(1)),
                registry);
        UUID id = UUID.randomUUID();

        CompletableFuture<Appended> original = log.append("lobby", "alice", id, "first");
        CompletableFuture<Appended> retry = log.append("lobby", "alice", id, "first, again");
        CompletableFuture<Appended> next = log.append("lobby", "alice", UUID.randomUUID(), "second");
        allOf(List.of(original, retry, next)).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(registry.get("parley.history.batch.size").summary().count()).as("one batch").isEqualTo(1);
        assertThat(original.get()).isEqualTo(new Appended(original.get().message(), false));
        assertThat(original.get().message().seq()).isEqualTo(1);
        assertThat(retry.get()).isEqualTo(new Appended(original.get().message(), true));
        assertThat(next.get().message().seq()).isEqualTo(2);
        assertThat(count(db, "SELECT count(*) FROM messages")).isEqualTo(2);
        assertThat(registry.get("parley.history.duplicates").counter().count()).isEqualTo(1);
        assertThat(registry.get("parley.history.appends").counter().count()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aRetryInALaterBatchCompletesWithTheOriginalAndTakesNoSeq(Engine engine) throws Exception {
        TestDatabase db = fixture.database(engine);
        JdbcMessageLog log = fixture.start(db.dataSource());
        UUID id = UUID.randomUUID();
        StoredMessage original = log.append("lobby", "alice", id, "first").get(WAIT.toSeconds(), TimeUnit.SECONDS).message();

        Appended retry = log.append("lobby", "alice", id, "first, edited").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Appended next = log.append("lobby", "alice", UUID.randomUUID(), "second").get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(retry).isEqualTo(new Appended(original, true));
        assertThat(next.message().seq()).isEqualTo(2);
        assertThat(log.after("lobby", 0, 10)).extracting(StoredMessage::text).containsExactly("first", "second");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void retriesOnAnotherNodeCompleteWithTheOriginalEvenWhenBothRaceForIt(Engine engine) throws Exception {
        TestDatabase db = fixture.database(engine);
        JdbcMessageLog nodeA = fixture.start(db.newDataSource());
        JdbcMessageLog nodeB = fixture.start(db.newDataSource());
        UUID id = UUID.randomUUID();
        StoredMessage original = nodeA.append("lobby", "alice", id, "hello").get(WAIT.toSeconds(), TimeUnit.SECONDS).message();
        assertThat(nodeB.append("lobby", "alice", id, "hello").get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo(new Appended(original, true));

        // The same 100 sends reach both nodes at once, as when a client retries after a reconnect.
        List<UUID> ids = IntStream.range(0, 100).mapToObj(i -> UUID.randomUUID()).toList();
        CyclicBarrier together = new CyclicBarrier(2);
        List<Future<List<CompletableFuture<Appended>>>> sent = new ArrayList<>();
        for (JdbcMessageLog node : List.of(nodeA, nodeB)) {
            sent.add(fixture.senders().submit(() -> {
                together.await();
                return ids.stream().map(each -> node.append("lobby", "bob", each, "text " + each)).toList();
            }));
        }
        List<Appended> onA = joinAll(sent.get(0).get());
        List<Appended> onB = joinAll(sent.get(1).get());

        for (int i = 0; i < ids.size(); i++) {
            assertThat(onA.get(i).message()).isEqualTo(onB.get(i).message());
            assertThat(onA.get(i).duplicate()).as("exactly one of the two is new").isNotEqualTo(onB.get(i).duplicate());
        }
        assertThat(onA).extracting(appended -> appended.message().seq()).containsExactlyInAnyOrderElementsOf(
                LongStream.rangeClosed(2, 101).boxed().toList());
        assertThat(count(db, "SELECT count(*) FROM messages")).isEqualTo(101);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void theSameClientMsgIdFromAnotherSenderOrInAnotherRoomIsANewMessage(Engine engine) throws Exception {
        TestDatabase db = fixture.database(engine);
        JdbcMessageLog log = fixture.start(db.dataSource());
        UUID id = UUID.randomUUID();

        List<Appended> appended = joinAll(List.of(log.append("lobby", "alice", id, "a"), log.append("lobby", "bob", id, "b"),
                log.append("random", "alice", id, "c")));

        assertThat(appended).noneMatch(Appended::duplicate);
        assertThat(appended).extracting(each -> each.message().room() + "#" + each.message().seq())
                .containsExactly("lobby#1", "lobby#2", "random#1");
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aStoredRetryAmongNewMessagesOfSeveralRoomsSendsTheBatchThroughTheLookUpPathWithoutAGap(Engine engine)
            throws Exception {
        TestDatabase db = fixture.database(engine);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // One committer, batches of 5 that wait up to 1 s to fill: both rooms share each batch.
        JdbcMessageLog log = fixture.start(db.dataSource(), HistoryProperties.defaults().withQueues(1, 100)
                .withBatching(5, Duration.ofSeconds(1)), registry);
        UUID id = UUID.randomUUID();
        StoredMessage original = log.append("lobby", "alice", id, "first").get(WAIT.toSeconds(), TimeUnit.SECONDS).message();
        log.append("random", "bob", UUID.randomUUID(), "r1").get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(registry.get("parley.history.lookups").counter().count()).as("no retry met yet").isZero();

        // One batch of 5: two new messages in each room around a retry of a stored message.
        List<Appended> batch = joinAll(List.of(log.append("lobby", "carol", UUID.randomUUID(), "l2"),
                log.append("random", "carol", UUID.randomUUID(), "r2"), log.append("lobby", "alice", id, "first, again"),
                log.append("random", "dave", UUID.randomUUID(), "r3"), log.append("lobby", "dave", UUID.randomUUID(), "l3")));

        assertThat(registry.get("parley.history.batch.size").summary().max()).as("one batch of five").isEqualTo(5);
        assertThat(registry.get("parley.history.lookups").counter().count()).as("written by the look-up path").isEqualTo(1);
        assertThat(batch.get(2)).isEqualTo(new Appended(original, true));
        assertThat(batch).extracting(appended -> appended.message().room() + "#" + appended.message().seq())
                .containsExactly("lobby#2", "random#2", "lobby#1", "random#3", "lobby#3");
        assertThat(log.after("lobby", 0, 10)).extracting(StoredMessage::text).containsExactly("first", "l2", "l3");
        assertThat(log.after("random", 0, 10)).extracting(StoredMessage::text).containsExactly("r1", "r2", "r3");
        assertThat(log.lastSeq("lobby")).isEqualTo(3);
        assertThat(log.lastSeq("random")).isEqualTo(3);
    }
}
