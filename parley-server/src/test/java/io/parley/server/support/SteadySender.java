package io.parley.server.support;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;

/**
 * Posts {@linkplain RoomWatcher#stamped stamped} messages to one room at a fixed rate, from one
 * thread, without waiting for acknowledgements: the open-loop traffic of a busy room. Labels are
 * {@code <prefix><n>}, n counting from 0, so a reader can check that nothing was lost or reordered.
 *
 * <p>Thread-safe; {@link #stop} returns how many were sent.
 */
public final class SteadySender implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "steady-sender");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicInteger sent = new AtomicInteger();
    private final ScheduledFuture<?> task;

    private SteadySender(RoomWatcher sender, String room, String prefix, int length, int perSecond) {
        long period = TimeUnit.SECONDS.toNanos(1) / perSecond;
        this.task = timer.scheduleAtFixedRate(() -> {
            sender.send(room, RoomWatcher.stamped(prefix + sent.get(), length));
            sent.incrementAndGet();
        }, 0, period, TimeUnit.NANOSECONDS);
    }

    /** Starts sending {@code perSecond} messages of {@code length} characters to {@code room}. */
    public static SteadySender start(RoomWatcher sender, String room, String prefix, int length, int perSecond) {
        return new SteadySender(sender, room, prefix, length, perSecond);
    }

    /** Messages sent so far. */
    public int sent() {
        return sent.get();
    }

    /** Stops, waiting (bounded) for a send in progress to finish; returns how many were sent. */
    public int stop() {
        task.cancel(false);
        timer.shutdown();
        try {
            if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a send did not finish within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return sent.get();
    }

    /** Runs for {@code duration}, measured by a bounded wait, then stops; returns how many were sent. */
    public static int run(RoomWatcher sender, String room, String prefix, int length, int perSecond, Duration duration) {
        SteadySender steady = start(sender, room, prefix, length, perSecond);
        int target = (int) (duration.toMillis() * perSecond / 1000);
        Awaitility.await().atMost(duration.multipliedBy(3)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(() -> steady.sent() >= target);
        return steady.stop();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
