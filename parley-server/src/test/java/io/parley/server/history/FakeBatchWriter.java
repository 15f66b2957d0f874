package io.parley.server.history;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BatchWriter} in memory, for tests of the committers: numbers each room's messages from 1,
 * records every batch and the thread that wrote it, and can be made to hold a batch until released
 * or to fail the next batches. Thread-safe.
 */
final class FakeBatchWriter implements BatchWriter {

    /** One call to {@link #write}: its requests and the committer thread that made it. */
    record Batch(List<AppendRequest> requests, String thread) {
        List<String> rooms() {
            return requests.stream().map(request -> request.room).toList();
        }
    }

    final List<Batch> batches = new CopyOnWriteArrayList<>();
    final CountDownLatch entered = new CountDownLatch(1);
    private final Map<String, Long> lastSeqs = new HashMap<>();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile int failuresToGo;

    /** The next batches wait in {@link #write} until {@link #release()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        gate.countDown();
    }

    /** The next {@code count} batches throw, as a failed transaction does. */
    void failNext(int count) {
        failuresToGo = count;
    }

    @Override
    public List<Appended> write(List<AppendRequest> batch) {
        entered.countDown();
        try {
            if (!gate.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the batch");
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        batches.add(new Batch(List.copyOf(batch), Thread.currentThread().getName()));
        if (failuresToGo > 0) {
            failuresToGo--;
            throw new IllegalStateException("simulated store failure");
        }
        List<Appended> results = new ArrayList<>();
        synchronized (lastSeqs) {
            for (AppendRequest request : batch) {
                long seq = lastSeqs.merge(request.room, 1L, Long::sum);
                results.add(new Appended(new StoredMessage(request.room, seq, request.sender, request.text,
                        Instant.EPOCH, request.clientMsgId), false));
            }
        }
        return results;
    }
}
