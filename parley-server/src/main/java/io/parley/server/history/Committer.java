package io.parley.server.history;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * One committer: a bounded queue and the thread that drains it in batches, commits each batch in
 * one transaction and then completes its futures, in queue order. Its rooms' order is its queue's
 * order.
 *
 * <p>Threading: {@link #offer} and {@link #remove} from any thread; the loop runs on its own daemon
 * thread, which is the only one that calls the {@link BatchWriter} and completes committed futures.
 * The thread is never interrupted: an interrupt can close the JDBC connection or H2's file under a
 * transaction. It stops by {@link #requestStop()}, after committing everything queued.
 */
final class Committer implements Runnable {

    private static final Log logger = LogFactory.getLog(Committer.class);

    /** How often an idle committer looks at its stop flag. */
    private static final long IDLE_POLL_MILLIS = 100;

    private final String name;
    private final BlockingQueue<AppendRequest> queue;
    private final BatchWriter writer;
    private final int maxBatchSize;
    private final long maxBatchDelayNanos;
    private final MessageLogMetrics metrics;
    private final Thread thread;

    private volatile boolean stopping;

    /** Failed batches in a row; read and written by the committer thread only. */
    private long failedInARow;

    Committer(String name, int queueCapacity, BatchWriter writer, int maxBatchSize, long maxBatchDelayNanos,
            MessageLogMetrics metrics) {
        this.name = name;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.writer = writer;
        this.maxBatchSize = maxBatchSize;
        this.maxBatchDelayNanos = maxBatchDelayNanos;
        this.metrics = metrics;
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Queues {@code request}; false when the queue is full. Never blocks. */
    boolean offer(AppendRequest request) {
        return queue.offer(request);
    }

    /** Takes {@code request} back if no batch has taken it yet. */
    boolean remove(AppendRequest request) {
        return queue.remove(request);
    }

    int queued() {
        return queue.size();
    }

    /** Asks the thread to exit once its queue is empty; returns at once. */
    void requestStop() {
        stopping = true;
    }

    /** Waits up to {@code millis} for the thread to exit; true when it has. */
    boolean awaitStop(long millis) throws InterruptedException {
        thread.join(Math.max(1, millis));
        return !thread.isAlive();
    }

    /** Removes whatever is still queued (after a stop that timed out, or a racing append). */
    List<AppendRequest> drainLeftovers() {
        List<AppendRequest> leftovers = new ArrayList<>();
        queue.drainTo(leftovers);
        return leftovers;
    }

    @Override
    public void run() {
        List<AppendRequest> batch = new ArrayList<>(maxBatchSize);
        while (!(stopping && queue.isEmpty())) {
            try {
                if (collect(batch)) {
                    commit(batch);
                }
            }
            catch (InterruptedException ex) {
                // Nobody interrupts this thread on purpose; keep going until asked to stop.
                logger.warn(name + " was interrupted; ignored, it stops only when the message log stops");
            }
            catch (RuntimeException | Error ex) {
                // A bug, not a store failure (commit handles those): fail the batch, keep the log alive.
                logger.error(name + " failed a batch of " + batch.size() + " appends unexpectedly", ex);
                failAll(batch, ex);
            }
            finally {
                batch.clear();
            }
        }
    }

    /**
     * Fills {@code batch}: waits for a first request, then takes what is queued up to the batch size,
     * waiting for more until the oldest request has waited {@code maxBatchDelay}. False when idle.
     */
    private boolean collect(List<AppendRequest> batch) throws InterruptedException {
        AppendRequest first = queue.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (first == null) {
            return false;
        }
        batch.add(first);
        queue.drainTo(batch, maxBatchSize - batch.size());
        long deadline = first.enqueuedNanos + maxBatchDelayNanos;
        while (batch.size() < maxBatchSize) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                break;
            }
            AppendRequest next = queue.poll(remaining, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
            queue.drainTo(batch, maxBatchSize - batch.size());
        }
        return true;
    }

    private void commit(List<AppendRequest> batch) {
        long start = System.nanoTime();
        List<Appended> results;
        try {
            results = writer.write(batch);
        }
        catch (RuntimeException ex) {
            metrics.commitFailed(batch.size(), System.nanoTime() - start);
            storeFailed(batch, ex);
            return;
        }
        long end = System.nanoTime();
        long duplicates = results.stream().filter(Appended::duplicate).count();
        metrics.committed(batch.size(), batch.size() - duplicates, duplicates, end - start);
        if (failedInARow > 0) {
            logger.info("Message log store is reachable again after " + failedInARow
                    + " failed batches; " + name + " commits again");
            failedInARow = 0;
        }
        for (int i = 0; i < batch.size(); i++) {
            AppendRequest request = batch.get(i);
            metrics.appendCompleted(end - request.enqueuedNanos);
            request.future.complete(results.get(i));
        }
    }

    private void storeFailed(List<AppendRequest> batch, RuntimeException ex) {
        failedInARow++;
        if (failedInARow == 1) {
            logger.warn("Message log store failed, " + name + " could not commit " + batch.size()
                    + " appends (not acknowledged); it retries with the next batch: " + ex);
        }
        else if (logger.isDebugEnabled()) {
            logger.debug(name + ": batch " + failedInARow + " in a row failed: " + ex);
        }
        AppendFailedException failure = new AppendFailedException(AppendFailedException.Reason.STORE_FAILED,
                "the message log could not commit: " + ex.getMessage(), ex);
        for (AppendRequest request : batch) {
            request.future.completeExceptionally(failure);
        }
    }

    private void failAll(List<AppendRequest> batch, Throwable ex) {
        metrics.failed(AppendFailedException.Reason.STORE_FAILED, batch.size());
        AppendFailedException failure = new AppendFailedException(AppendFailedException.Reason.STORE_FAILED,
                "the message log failed unexpectedly: " + ex, ex);
        for (AppendRequest request : batch) {
            request.future.completeExceptionally(failure);
        }
    }

    @Override
    public String toString() {
        return name + "[queued=" + queue.size() + ", stopping=" + stopping + "]";
    }
}
