package io.parley.server.chat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The threads that deliver room events to this node's sockets: a fixed set of lanes, each one
 * thread with a FIFO queue, and every room always on the same lane (hashed by name). So a room's
 * tasks run one at a time, in the order they were handed over, and a room's state needs no lock as
 * long as only its lane touches it.
 *
 * <p>A lane is also chosen by any other key: {@link #laneOf} maps a key to a lane index, always the
 * same one, and {@link #execute(int, Runnable)} runs a task there. {@link RoomHub} spreads the
 * fan-out of a big room over the lanes of its recipients' connections this way: a connection is
 * always written by the same lane, so it sees a room's messages in the order the room's lane handed
 * them over.
 *
 * <p>The committer and the bus threads only hand a task over ({@link #execute}) and return: they never
 * pay for the fan-out. Tasks must not block on I/O: a lane serves many rooms, and a task that waits
 * stalls all of them (RoomHub reads the log and the bus off the lane and merges the result on it).
 *
 * <p>Thread-safe. {@link #call} may be used from any thread; from the room's own lane it runs inline
 * rather than deadlock waiting for itself.
 */
final class DeliveryLanes {

    private final ExecutorService[] lanes;
    private final Thread[] threads;

    /** {@code count} lanes, threads named {@code parley-delivery-<i>}, daemons. */
    DeliveryLanes(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one delivery lane, not " + count);
        }
        lanes = new ExecutorService[count];
        threads = new Thread[count];
        for (int i = 0; i < count; i++) {
            int index = i;
            ThreadPoolExecutor lane = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                    runnable -> {
                        Thread thread = new Thread(runnable, "parley-delivery-" + index);
                        thread.setDaemon(true);
                        threads[index] = thread;
                        return thread;
                    });
            lane.prestartAllCoreThreads(); // its thread is known before any task, for call's inline check
            lanes[i] = lane;
        }
    }

    /** One lane per core, at least two: delivery is CPU work, and a lane is never parked on I/O. */
    static int defaultCount() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /** Runs {@code task} on {@code room}'s lane after every task handed over for it before. */
    void execute(String room, Runnable task) {
        lanes[lane(room)].execute(task);
    }

    /** Runs {@code task} on lane {@code lane} ({@code 0 <= lane < }{@link #count()}), after every task handed to it before. */
    void execute(int lane, Runnable task) {
        lanes[lane].execute(task);
    }

    /** The number of lanes. */
    int count() {
        return lanes.length;
    }

    /** The lane that serves {@code key}: always the same for the same key. */
    int laneOf(String key) {
        return lane(key);
    }

    /** Whether the calling thread is lane {@code lane}. */
    boolean isLane(int lane) {
        return Thread.currentThread() == threads[lane];
    }

    /** Waits until every lane has run the tasks handed to it before this call (tests). */
    void awaitAll() {
        for (int i = 0; i < lanes.length; i++) {
            if (!isLane(i)) {
                CompletableFuture.runAsync(() -> { }, lanes[i]).join();
            }
        }
    }

    /**
     * Runs {@code task} on {@code room}'s lane and waits for its result (inline if the caller is that
     * lane). An exception thrown by the task is rethrown here.
     */
    <T> T call(String room, Supplier<T> task) {
        int lane = lane(room);
        if (Thread.currentThread() == threads[lane]) {
            return task.get();
        }
        CompletableFuture<T> result = CompletableFuture.supplyAsync(task, lanes[lane]);
        try {
            return result.join();
        }
        catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private int lane(String room) {
        return Math.floorMod(room.hashCode(), lanes.length);
    }

    /** Stops the lanes; tasks not yet run are dropped. */
    void shutdown() {
        for (ExecutorService lane : lanes) {
            lane.shutdownNow();
        }
    }
}
