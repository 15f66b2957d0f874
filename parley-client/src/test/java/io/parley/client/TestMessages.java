package io.parley.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import io.parley.protocol.ServerFrame.Message;
import org.awaitility.core.ConditionFactory;

import static org.awaitility.Awaitility.await;

/** Room messages for tests, and the one way tests wait. */
final class TestMessages {

    private TestMessages() {
    }

    static Message message(String room, long seq) {
        return new Message(room, seq, "bob", "text " + seq, Instant.EPOCH.plusSeconds(seq), UUID.randomUUID());
    }

    static List<Message> messages(String room, long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(seq -> message(room, seq)).toList();
    }

    /** Polls often (these conditions turn true within milliseconds) and gives up after 5 s. */
    static ConditionFactory eventually() {
        return await().atMost(5, TimeUnit.SECONDS).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5));
    }
}
