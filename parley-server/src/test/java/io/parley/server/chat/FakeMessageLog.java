package io.parley.server.chat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.parley.server.history.Appended;
import io.parley.server.history.MessageLog;
import io.parley.server.history.StoredMessage;
import org.jspecify.annotations.Nullable;

/** An in-memory {@link MessageLog} that counts its range reads. Thread-safe enough for one test thread plus the hub's. */
final class FakeMessageLog implements MessageLog {

    private final Map<String, List<StoredMessage>> rooms = new ConcurrentHashMap<>();
    final AtomicInteger rangeReads = new AtomicInteger();

    /** Commits the next message of {@code room} and returns it (as another node would). */
    synchronized StoredMessage commit(String room) {
        List<StoredMessage> log = rooms.computeIfAbsent(room, r -> new ArrayList<>());
        StoredMessage message = new StoredMessage(room, log.size() + 1, "someone", "text " + (log.size() + 1), Instant.now(), UUID.randomUUID());
        log.add(message);
        return message;
    }

    @Override
    public CompletableFuture<Appended> append(String room, String sender, UUID clientMsgId, String text) {
        throw new UnsupportedOperationException();
    }

    @Override
    public synchronized long lastSeq(String room) {
        return rooms.getOrDefault(room, List.of()).size();
    }

    @Override
    public synchronized List<StoredMessage> after(String room, long afterSeq, int limit) {
        rangeReads.incrementAndGet();
        return rooms.getOrDefault(room, List.of()).stream().filter(m -> m.seq() > afterSeq).limit(limit).toList();
    }

    @Override
    public List<StoredMessage> before(String room, @Nullable Long beforeSeq, int limit) {
        throw new UnsupportedOperationException();
    }
}
