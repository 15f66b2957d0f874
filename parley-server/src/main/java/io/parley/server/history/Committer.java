package io.parley.server.history;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * One committer: a bounded queue and the thread that drains it in batches and commits each batch in
 * one transaction, and a second thread that completes the batches' futures, in queue order. Its
 * rooms' order is its queue's order.
 *
 * <p>Why two threads: what the callers attach to an append's future (the {@code sent} ack, its
 * encoding and socket write, the hand-over to delivery) costs about as much as the commit itself. On
 * the committing thread it would delay the next batch's transaction; on the completion thread it
 * runs while the next batch commits. The committer hands each finished batch over (one queue
 * operation per batch, not per append) and goes back to its queue. The completion thread is named
 * after its committer ({@code <name>-completion}).
 *
 * <p>Threading: {@link #offer} and {@link #remove} from any thread; the loop runs on its own daemon
 * thread, which is the only one that calls the {@link BatchWriter}; the completion thread is the only
 * one that completes the futures of batches taken from the queue, one batch after another, in the
 * order they were committed (or failed). When completion falls behind by {@value #COMPLETION_BACKLOG}
 * batches, the committer waits for it: the backlog is bounded, and the append queue fills instead
 * (then {@code QUEUE_FULL}). Neither thread is ever interrupted: an interrupt can close the JDBC
 * connection or H2's file under a transaction. They stop by {@link #requestStop()}, after committing
 * and completing everything queued.
 */
final class Committer implements Runnable {

    private static final Log logger = LogFactory.getLog(Committer.class);

    /** How often an idle committer looks at its stop flag. */
    private static final long IDLE_POLL_MILLIS = 100;

    /** Committed batches that may wait for the completion thread before the committer waits for it. */
    static final int COMPLETION_BACKLOG = 64;

    /** Tells the completion thread that the committer has exited: nothing follows it. */
    private static final Runnable END = () -> { };

    private final String name;
    private final BlockingQueue<AppendRequest> queue;
    private final BatchWriter writer;
    private final int maxBatchSize;
    private final long maxBatchDelayNanos;
    private final MessageLogMetrics metrics;
    private final Thread thread;
    private final BlockingQueue<Runnable> completions = new ArrayBlockingQueue<>(COMPLETION_BACKLOG);
    private final Thread completionThread;

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
        this.completionThread = new Thread(this::completeBatches, name + "-completion");
        this.completionThread.setDaemon(true);
    }

    void start() {
        completionThread.start();
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

    /** Waits up to {@code millis} for both threads to exit (every future completed); true when they have. */
    boolean awaitStop(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, millis));
        thread.join(Math.max(1, millis));
        completionThread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        return !thread.isAlive() && !completionThread.isAlive();
    }

    /** Removes whatever is still queued (after a stop that timed out, or a racing append). */
    List<AppendRequest> drainLeftovers() {
        List<AppendRequest> leftovers = new ArrayList<>();
        queue.drainTo(leftovers);
        return leftovers;
    }

    @Override
    public void run() {
        try {
            while (!(stopping && queue.isEmpty())) {
                // A new list per batch: the completion thread owns the previous one.
                List<AppendRequest> batch = new ArrayList<>();
                try {
                    if (collect(batch)) {
                        commit(batch);
                    }
                }
                catch (InterruptedException ex) {
                    // Nobody interrupts this thread on purpose; keep going until asked to stop.
                    logger.warn(name + " was interrupted; ignored, it stops only when the message log stops");
                    if (!batch.isEmpty()) {
                        commit(batch); // what was taken from the queue before the interrupt
                    }
                }
                catch (RuntimeException | Error ex) {
                    // A bug, not a store failure (commit handles those): fail the batch, keep the log alive.
                    logger.error(name + " failed a batch of " + batch.size() + " appends unexpectedly", ex);
                    failAll(batch, ex);
                }
            }
        }
        finally {
            handOver(END);
        }
    }

    /** The completion thread's loop: runs the committer's hand-overs in order until {@link #END}. */
    private void completeBatches() {
        while (true) {
            Runnable task;
            try {
                task = completions.take();
            }
            catch (InterruptedException ex) {
                logger.warn(name + "-completion was interrupted; ignored, it stops only when its committer stops");
                continue;
            }
            if (task == END) {
                return;
            }
            try {
                task.run();
            }
            catch (RuntimeException | Error ex) {
                // CompletableFuture keeps its dependents' exceptions; this is a bug of the hand-over itself.
                logger.error(name + "-completion failed to complete a batch", ex);
            }
        }
    }

    /**
     * Queues {@code task} for the completion thread, waiting while its backlog is full (the committer's
     * back-pressure). Runs it here if the completion thread is gone, so that no future is left pending.
     */
    private void handOver(Runnable task) {
        while (completionThread.isAlive()) {
            try {
                if (completions.offer(task, IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
            catch (InterruptedException ex) {
                logger.warn(name + " was interrupted while handing a batch over; ignored");
            }
        }
        if (task != END) {
            task.run();
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
        long duplicates = 0;
        for (Appended result : results) {
            if (result.duplicate()) {
                duplicates++;
            }
        }
        metrics.committed(batch.size(), batch.size() - duplicates, duplicates, end - start);
        if (failedInARow > 0) {
            logger.info("Message log store is reachable again after " + failedInARow
                    + " failed batches; " + name + " commits again");
            failedInARow = 0;
        }
        handOver(() -> {
            for (int i = 0; i < batch.size(); i++) {
                AppendRequest request = batch.get(i);
                metrics.appendCompleted(end - request.enqueuedNanos);
                request.future.complete(results.get(i));
            }
        });
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
        handOver(() -> {
            for (AppendRequest request : batch) {
                request.future.completeExceptionally(failure);
            }
        });
    }

    private void failAll(List<AppendRequest> batch, Throwable ex) {
        metrics.failed(AppendFailedException.Reason.STORE_FAILED, batch.size());
        AppendFailedException failure = new AppendFailedException(AppendFailedException.Reason.STORE_FAILED,
                "the message log failed unexpectedly: " + ex, ex);
        List<AppendRequest> failed = List.copyOf(batch);
        handOver(() -> {
            for (AppendRequest request : failed) {
                request.future.completeExceptionally(failure);
            }
        });
    }

    @Override
    public String toString() {
        return name + "[queued=" + queue.size() + ", completing=" + completions.size() + ", stopping=" + stopping + "]";
    }
}
