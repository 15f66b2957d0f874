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

/** An in-memory {@link MessageLog} that counts its range reads; appends commit at once, retries are idempotent. Thread-safe. */
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
    public synchronized CompletableFuture<Appended> append(String room, String sender, UUID clientMsgId, String text) {
        List<StoredMessage> log = rooms.computeIfAbsent(room, r -> new ArrayList<>());
        for (StoredMessage existing : log) {
            if (existing.sender().equals(sender) && existing.clientMsgId().equals(clientMsgId)) {
                return CompletableFuture.completedFuture(new Appended(existing, true));
            }
        }
        StoredMessage message = new StoredMessage(room, log.size() + 1, sender, text, Instant.now(), clientMsgId);
        log.add(message);
        return CompletableFuture.completedFuture(new Appended(message, false));
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
    public synchronized List<StoredMessage> before(String room, @Nullable Long beforeSeq, int limit) {
        List<StoredMessage> log = rooms.getOrDefault(room, List.of());
        int end = beforeSeq == null ? log.size() : (int) Math.min(beforeSeq - 1, log.size());
        return List.copyOf(log.subList(Math.max(0, end - limit), end));
    }
}
