package io.parley.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.ServerFrame;
import org.jspecify.annotations.Nullable;

/**
 * The requests of a {@link ParleyClient} that outlive a connection: sends until acknowledged,
 * leaves until confirmed, history requests until answered. When a connection goes live they are
 * (re)sent in order: leaves, history requests, then sends, each send with its original
 * {@code clientMsgId}, so the server answers a retry with the sequence of the first attempt and
 * never stores a message twice.
 *
 * <p>Confined to the client's event loop.
 */
final class Outbox {

    private static final class PendingSend {
        final ClientFrame.Send frame;
        final CompletableFuture<Long> result;
        long sentOn;

        PendingSend(ClientFrame.Send frame, CompletableFuture<Long> result) {
            this.frame = frame;
            this.result = result;
        }
    }

    private static final class PendingLeave {
        final CompletableFuture<Void> result;
        long sentOn;

        PendingLeave(CompletableFuture<Void> result) {
            this.result = result;
        }
    }

    private final Map<UUID, PendingSend> sends = new LinkedHashMap<>();
    private final Map<String, PendingLeave> leaves = new LinkedHashMap<>();
    private final Deque<Session.HistoryRequest> histories = new ArrayDeque<>();

    /** Records a send, and sends it now if {@code live} is not null. A second send with a pending id shares the first's outcome. */
    void send(ClientFrame.Send frame, CompletableFuture<Long> result, @Nullable Session live) {
        PendingSend existing = sends.get(frame.clientMsgId());
        if (existing != null) {
            existing.result.whenComplete((seq, error) -> complete(result, seq, error));
            return;
        }
        PendingSend pending = new PendingSend(frame, result);
        sends.put(frame.clientMsgId(), pending);
        if (live != null) {
            transmit(pending, live);
        }
    }

    void leave(String room, CompletableFuture<Void> result, @Nullable Session live) {
        PendingLeave existing = leaves.get(room);
        if (existing != null) {
            existing.result.whenComplete((ignored, error) -> complete(result, null, error));
            return;
        }
        PendingLeave pending = new PendingLeave(result);
        leaves.put(room, pending);
        if (live != null) {
            pending.sentOn = live.id;
            live.leave(room);
        }
    }

    void history(Session.HistoryRequest request, @Nullable Session live) {
        if (live != null) {
            live.history(request);
        } else {
            histories.add(request);
        }
    }

    /** Sends, on a connection that just went live, everything not yet sent on it. */
    void flush(Session live) {
        leaves.forEach((room, pending) -> {
            if (pending.sentOn != live.id) {
                pending.sentOn = live.id;
                live.leave(room);
            }
        });
        while (!histories.isEmpty()) {
            live.history(histories.poll());
        }
        for (PendingSend pending : sends.values()) {
            if (pending.sentOn != live.id) {
                transmit(pending, live);
            }
        }
    }

    /** Takes back the user's history requests that a lost connection did not answer, to send them again. */
    void requeue(Session lost) {
        List<Session.HistoryRequest> unanswered = new ArrayList<>();
        for (Session.HistoryRequest request : lost.histories) {
            if (!request.isFill()) {
                unanswered.add(request);
            }
        }
        for (int i = unanswered.size() - 1; i >= 0; i--) {
            histories.addFirst(unanswered.get(i));
        }
        lost.histories.clear();
    }

    void sent(UUID clientMsgId, long seq) {
        PendingSend pending = sends.remove(clientMsgId);
        if (pending != null) {
            pending.result.complete(seq);
        }
    }

    /**
     * A message from this user carrying a pending send's id: committed, so acknowledged, even if
     * its {@code sent} was lost with a connection (a replay after a reconnect shows it first).
     */
    void echoed(ServerFrame.Message message, String user) {
        UUID id = message.clientMsgId();
        PendingSend pending = id == null ? null : sends.get(id);
        if (pending != null && pending.frame.room().equals(message.room()) && user.equals(message.from())) {
            sends.remove(id);
            pending.result.complete(message.seq());
        }
    }

    /** Fails the pending send {@code clientMsgId}; false if there is none. */
    boolean failSend(UUID clientMsgId, Throwable error) {
        PendingSend pending = sends.remove(clientMsgId);
        if (pending == null) {
            return false;
        }
        pending.result.completeExceptionally(error);
        return true;
    }

    void left(String room) {
        PendingLeave pending = leaves.remove(room);
        if (pending != null) {
            pending.result.complete(null);
        }
    }

    void failLeave(String room, Throwable error) {
        PendingLeave pending = leaves.remove(room);
        if (pending != null) {
            pending.result.completeExceptionally(error);
        }
    }

    /** A join of {@code room} supersedes a leave not yet confirmed: it is not sent again. */
    void cancelLeave(String room) {
        PendingLeave pending = leaves.remove(room);
        if (pending != null) {
            pending.result.completeExceptionally(new CancellationException("leave of " + room + " superseded by a join"));
        }
    }

    /** How many sends await their {@code sent}. */
    int pendingSends() {
        return sends.size();
    }

    void failAll(Throwable error) {
        sends.values().forEach(p -> p.result.completeExceptionally(error));
        sends.clear();
        leaves.values().forEach(p -> p.result.completeExceptionally(error));
        leaves.clear();
        histories.forEach(r -> failHistory(r, error));
        histories.clear();
    }

    static void failHistory(Session.HistoryRequest request, Throwable error) {
        CompletableFuture<List<ServerFrame.Message>> result = request.result();
        if (result != null) {
            result.completeExceptionally(error);
        }
    }

    private static void transmit(PendingSend pending, Session live) {
        pending.sentOn = live.id;
        live.send(pending.frame);
    }

    private static <T> void complete(CompletableFuture<T> target, @Nullable T value, @Nullable Throwable error) {
        if (error != null) {
            target.completeExceptionally(error);
        } else {
            target.complete(value);
        }
    }
}
