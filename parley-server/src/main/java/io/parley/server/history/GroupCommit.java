package io.parley.server.history;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.parley.server.history.AppendFailedException.Reason;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Group commit: appends are spread over {@link HistoryProperties#committers() committers} by the
 * hash of their room, each with its own bounded queue and thread, so a room's appends are committed
 * and completed in the order they were queued, and different rooms commit in parallel.
 *
 * <p>Threading: {@link #append} from any thread, never blocking. {@link #start} and {@link #stop}
 * are serialized with each other. An append that races with {@code stop} is either committed or
 * failed with {@link Reason#CLOSED}; its future always completes.
 */
final class GroupCommit {

    private static final Log logger = LogFactory.getLog(GroupCommit.class);

    private final BatchWriter writer;
    private final HistoryProperties properties;
    private final MessageLogMetrics metrics;
    private final String threadNamePrefix;

    private volatile Committer @Nullable [] committers;
    private volatile boolean running;

    GroupCommit(BatchWriter writer, HistoryProperties properties, MessageLogMetrics metrics, String threadNamePrefix) {
        this.writer = writer;
        this.properties = properties;
        this.metrics = metrics;
        this.threadNamePrefix = threadNamePrefix;
        metrics.queueSize(this::queued);
    }

    synchronized void start() {
        if (running) {
            return;
        }
        Committer[] started = new Committer[properties.committers()];
        for (int i = 0; i < started.length; i++) {
            started[i] = new Committer(threadNamePrefix + i, properties.queueCapacity(), writer,
                    properties.maxBatchSize(), properties.maxBatchDelay().toNanos(), metrics);
            started[i].start();
        }
        committers = started;
        running = true;
    }

    boolean isRunning() {
        return running;
    }

    CompletableFuture<Appended> append(String room, String sender, UUID clientMsgId, String text) {
        Committer[] current = committers;
        if (!running || current == null) {
            return failed(Reason.CLOSED, "the message log is not running");
        }
        Committer committer = current[Math.floorMod(room.hashCode(), current.length)];
        AppendRequest request = new AppendRequest(room, sender, clientMsgId, text, System.nanoTime());
        if (!committer.offer(request)) {
            return failed(Reason.QUEUE_FULL, "the message log is overloaded: " + properties.queueCapacity()
                    + " appends already wait for room " + room + "'s committer");
        }
        if ((!running || committers != current) && committer.remove(request)) {
            // Lost a race with stop: the committer may have exited already.
            request.future.completeExceptionally(closed());
            metrics.failed(Reason.CLOSED, 1);
        }
        return request.future;
    }

    /**
     * Stops accepting appends and lets the committers commit everything queued, waiting up to
     * {@code timeout}. Appends still queued after that fail with {@link Reason#CLOSED}. True when
     * every committer finished in time.
     */
    synchronized boolean stop(Duration timeout) {
        Committer[] current = committers;
        if (!running || current == null) {
            return true;
        }
        running = false;
        for (Committer committer : current) {
            committer.requestStop();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean stopped = true;
        try {
            for (Committer committer : current) {
                long millis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                stopped &= committer.awaitStop(millis);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            stopped = false;
        }
        int leftovers = 0;
        for (Committer committer : current) {
            for (AppendRequest request : committer.drainLeftovers()) {
                request.future.completeExceptionally(closed());
                leftovers++;
            }
        }
        if (leftovers > 0) {
            metrics.failed(Reason.CLOSED, leftovers);
        }
        if (!stopped) {
            logger.warn("Message log committers did not finish within " + timeout + "; " + leftovers
                    + " queued appends failed as closed, the batch in flight may still commit");
        }
        return stopped;
    }

    int queued() {
        Committer[] current = committers;
        int total = 0;
        if (current != null) {
            for (Committer committer : current) {
                total += committer.queued();
            }
        }
        return total;
    }

    private CompletableFuture<Appended> failed(Reason reason, String message) {
        metrics.failed(reason, 1);
        return CompletableFuture.failedFuture(new AppendFailedException(reason, message, null));
    }

    private static AppendFailedException closed() {
        return new AppendFailedException(Reason.CLOSED, "the message log stopped before this append was committed", null);
    }
}
