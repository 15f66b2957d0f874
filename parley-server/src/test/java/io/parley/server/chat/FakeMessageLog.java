package io.parley.server.chat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.parley.server.history.Appended;
import io.parley.server.history.MessageLog;
import io.parley.server.history.StoredMessage;
import org.jspecify.annotations.Nullable;

/** An in-memory {@link MessageLog} for unit tests: appends commit at once, in call order. */
final class FakeMessageLog implements MessageLog {

    private final Map<String, List<StoredMessage>> rooms = new ConcurrentHashMap<>();

    /** Commits a message without publishing it, as if the bus lost its event. */
    synchronized StoredMessage commit(String room, String text) {
        List<StoredMessage> log = rooms.computeIfAbsent(room, r -> new ArrayList<>());
        StoredMessage message = new StoredMessage(room, log.size() + 1, "alice", text, Instant.now(), UUID.randomUUID());
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
        List<StoredMessage> log = rooms.getOrDefault(room, List.of());
        return List.copyOf(log.subList((int) Math.min(afterSeq, log.size()), (int) Math.min(afterSeq + limit, log.size())));
    }

    @Override
    public synchronized List<StoredMessage> before(String room, @Nullable Long beforeSeq, int limit) {
        List<StoredMessage> log = rooms.getOrDefault(room, List.of());
        int end = beforeSeq == null ? log.size() : (int) Math.min(beforeSeq - 1, log.size());
        return List.copyOf(log.subList(Math.max(0, end - limit), end));
    }
}
